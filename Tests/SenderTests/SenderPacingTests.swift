import BotAPITestSupport
import Foundation
import Sender
import Testing
import WireProtocol

/// Checks on the calls the fake recorded, by their arrival times, as Telegram counts them.
/// The sender counts a call against its budgets from its start to its answer, so arrivals fit
/// the budgets exactly, whatever the jitter: the checks use no tolerance.
enum BudgetCheck {
    static let tolerance = Duration.zero

    /// The largest number of calls inside any window of length `window`.
    static func maximumInWindow(_ times: [ContinuousClock.Instant], window: Duration) -> Int {
        let sorted = times.sorted()
        var best = 0
        var start = 0
        for end in sorted.indices {
            while sorted[end] - sorted[start] >= window { start += 1 }
            best = max(best, end - start + 1)
        }
        return best
    }

    /// Whether the calls fit a token bucket of `burst` tokens refilled at `rate` per second:
    /// for every run of calls from i to j, j - i + 1 <= burst + rate * (t_j - t_i + tolerance).
    static func fitsBucket(_ times: [ContinuousClock.Instant], burst: Int, rate: Double) -> Bool {
        let sorted = times.sorted()
        for i in sorted.indices {
            for j in i..<sorted.count {
                let seconds = (sorted[j] - sorted[i] + tolerance) / .seconds(1)
                if Double(j - i + 1) > Double(burst) + rate * seconds + 1e-9 { return false }
            }
        }
        return true
    }
}

@Suite("Sender: pacing and flood control", .serialized)
struct SenderPacingTests {
    @Test("a chat-bound 429: nothing more to that chat before retry_after, other chats go on, then the retry succeeds")
    func chatBoundRetryAfter() async throws {
        let fake = FakeBotAPI()
        fake.script("sendMessage", chat: 1, .tooManyRequests(retryAfter: 2))
        try await withSender(fake: fake) { harness in
            try await harness.incidents.send(sendIntent(1, chat: 1))
            try await harness.fake.waitFor("the 429") { $0.contains { $0.status == 429 } }
            try await harness.incidents.send(sendIntent(2, chat: 1))
            try await harness.incidents.send(sendIntent(3, chat: 2))
            try await harness.incidents.send(sendIntent(4, chat: 2))
            let results = try await harness.incidents.waitForResults(of: [1, 2, 3, 4])
            #expect(results.allSatisfy { if case .delivered = $0.outcome { true } else { false } })
            let calls = harness.fake.calls("sendMessage")
            let limited = try #require(calls.first { $0.status == 429 }?.answered)
            let chat1 = calls.filter { $0.chatID == 1 }
            #expect(chat1.map(\.text) == ["message 1", "message 1", "message 2"])
            for call in chat1.dropFirst() {
                #expect(call.arrived - limited >= .seconds(2), "a call to the limited chat came \(call.arrived - limited) after the 429")
            }
            let chat2 = calls.filter { $0.chatID == 2 }
            #expect(chat2.count == 2)
            #expect(chat2.allSatisfy { $0.arrived < chat1[1].arrived }, "the other chat waited for the limited one")
        }
    }

    @Test("a 429 on a call bound to no chat holds back every call until retry_after has passed")
    func globalRetryAfter() async throws {
        let fake = FakeBotAPI()
        fake.script("answerCallbackQuery", .tooManyRequests(retryAfter: 1))
        try await withSender(fake: fake) { harness in
            try await harness.incidents.send(callbackIntent(1, chat: 5, query: "q1"))
            try await harness.fake.waitFor("the 429") { $0.contains { $0.status == 429 } }
            // The fake has answered; give the sender time to read that answer, so the next
            // intents arrive after it knows (calls it started before then are not the point).
            try await Task.sleep(for: .milliseconds(400))
            try await harness.incidents.send(sendIntent(2, chat: 6))
            try await harness.incidents.send(sendIntent(3, chat: 7))
            try await harness.incidents.waitForResults(of: [1, 2, 3])
            let calls = harness.fake.calls
            let limited = try #require(calls.first { $0.status == 429 }?.answered)
            for call in calls where call.index > 0 {
                #expect(call.arrived - limited >= .seconds(1), "\(call.method) came \(call.arrived - limited) after the 429")
            }
            #expect(calls.count == 4)
        }
    }

    @Test("a callback answer overtakes the messages waiting for their chat's budget")
    func callbacksOvertakeMessages() async throws {
        // One message per second to the chat: messages 2 to 5 have to wait.
        try await withSender(configuration: quickConfiguration(chatPerSecond: 1, chatBurst: 1)) { harness in
            for id in Int64(1)...5 { try await harness.incidents.send(sendIntent(id, chat: 9)) }
            try await harness.fake.waitFor("the first message") { $0.count >= 1 }
            try await harness.incidents.send(callbackIntent(6, chat: 9, query: "q6", text: "Claimed"))
            try await harness.incidents.waitForResults(of: [6])
            try await harness.incidents.waitForResults(of: [2])
            let methods = harness.fake.calls.map(\.method)
            #expect(Array(methods.prefix(3)) == ["sendMessage", "answerCallbackQuery", "sendMessage"])
            let answer = try #require(harness.fake.calls("answerCallbackQuery").first)
            #expect(answer.body?["callback_query_id"]?.string == "q6")
            #expect(answer.body?["text"]?.string == "Claimed")
        }
    }

    @Test("messages leave part of the global budget free, so a callback answer does not wait for the next window")
    func callbackReserve() async throws {
        // 5 calls per second overall; messages may use 4 of them, all at once.
        var configuration = quickConfiguration(global: .init(calls: 5, per: .seconds(1)))
        configuration.callbackReserve = 1
        configuration.evenPacing = false
        try await withSender(configuration: configuration) { harness in
            for id in Int64(1)...12 { try await harness.incidents.send(sendIntent(id, chat: id)) }
            try await harness.fake.waitFor("the first window's messages") { $0.count >= 4 }
            try await harness.incidents.send(callbackIntent(13, chat: 1, query: "q13"))
            try await harness.incidents.waitForResults(of: Array(1...13))
            let calls = harness.fake.calls
            let answer = try #require(calls.firstIndex { $0.method == "answerCallbackQuery" })
            #expect(answer == 4, "the callback answer was call \(answer + 1): \(calls.map(\.method))")
            #expect(BudgetCheck.maximumInWindow(calls.map(\.arrived), window: .seconds(1) - BudgetCheck.tolerance) <= 5)
        }
    }

    @Test("a 10-second burst across 50 chats stays inside every budget and uses at least 90% of the global one")
    func burstAcrossFiftyChats() async throws {
        let configuration = SenderConfiguration(capacity: 1000, heartbeatInterval: .milliseconds(500))
        #expect(configuration.global == .init(calls: 30, per: .seconds(1)))
        try await withSender(configuration: configuration) { harness in
            var id: Int64 = 0
            for round in 0..<8 {
                for chat in Int64(1)...50 {
                    id += 1
                    try await harness.incidents.send(sendIntent(id, chat: chat, text: "round \(round)"))
                }
            }
            let calls = try await harness.fake.waitFor("10 seconds of calls", timeout: .seconds(40)) { calls in
                guard let first = calls.first?.arrived else { return false }
                return ContinuousClock.now - first >= .seconds(10.2)
            }
            let first = try #require(calls.first?.arrived)
            let burst = calls.filter { $0.arrived - first < .seconds(10) }
            let times = burst.map(\.arrived)
            let busiest = BudgetCheck.maximumInWindow(times, window: .seconds(1) - BudgetCheck.tolerance)
            #expect(busiest <= 30, "\(busiest) calls in one second")
            #expect(burst.count >= 270, "only \(burst.count) calls in 10 s: less than 90% of 30/s")
            for chat in Int64(1)...50 {
                let chatTimes = burst.filter { $0.chatID == chat }.map(\.arrived)
                #expect(BudgetCheck.fitsBucket(chatTimes, burst: 3, rate: 1), "chat \(chat) went over 1/s with a burst of 3")
            }
            #expect(burst.allSatisfy { $0.status == 200 })
        }
    }

    @Test("a group's budget (scaled down: 4 per 2 s) is respected and used")
    func groupBudget() async throws {
        let configuration = quickConfiguration(group: .init(calls: 4, per: .seconds(2)))
        try await withSender(configuration: configuration) { harness in
            var ids: [Int64] = []
            for index in Int64(1)...20 {
                let chat: Int64 = index % 2 == 0 ? -100 : -1_001_000_000_200
                try await harness.incidents.send(sendIntent(index, chat: chat))
                ids.append(index)
            }
            // A private chat is not held back by the groups' budgets.
            try await harness.incidents.send(sendIntent(21, chat: 55))
            try await harness.incidents.waitForResults(of: [21])
            #expect(harness.incidents.results.count < 20)
            try await harness.incidents.waitForResults(of: ids, timeout: .seconds(30))
            for chat: Int64 in [-100, -1_001_000_000_200] {
                let times = harness.fake.calls.filter { $0.chatID == chat }.map(\.arrived)
                #expect(times.count == 10)
                #expect(BudgetCheck.maximumInWindow(times, window: .seconds(2) - BudgetCheck.tolerance) <= 4)
                // Used: the 10 calls fit in three windows.
                if let first = times.min(), let last = times.max() {
                    #expect(last - first < .seconds(6))
                }
            }
        }
    }
}
