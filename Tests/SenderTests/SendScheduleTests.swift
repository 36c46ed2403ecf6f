import Foundation
@testable import Sender
import TelegramBotAPI
import Testing
import WireProtocol

/// The schedule and its budgets on their own, with made-up instants.
@Suite("Sender: the schedule as a pure state machine")
struct SendScheduleTests {
    let t0 = ContinuousClock.now

    /// `t0` plus whole milliseconds, so sums of instants and durations compare exactly.
    func at(_ seconds: Double) -> ContinuousClock.Instant { t0 + .milliseconds(Int((seconds * 1000).rounded())) }

    @Test("a window budget counts a call from its start until a window after its answer")
    func windowBudget() {
        var budget = WindowBudget(limit: 3, window: .seconds(1))
        for call in UInt64(1)...3 { budget.start(call, now: at(0)) }
        #expect(budget.earliest(now: at(0)) == nil, "all three in flight: only an answer frees a slot")
        budget.answer(2, now: at(0.2))
        #expect(budget.earliest(now: at(0.3)) == at(1.2))
        #expect(!budget.allows(now: at(1.1)))
        #expect(budget.allows(now: at(1.2)))
        // A reserve of one keeps one slot free: with one call live, two more are allowed...
        budget.answer(1, now: at(0.5))
        budget.answer(3, now: at(0.5))
        #expect(budget.earliest(now: at(1.3), reserve: 1) == at(1.5))
        #expect(budget.isUnused(now: at(1.5)))
    }

    @Test("a generous window forgets answered calls a window later, answers out of order included")
    func windowBudgetForgets() {
        var budget = WindowBudget(limit: 1_000_000, window: .seconds(1))
        // 10,000 calls 1 ms apart, each answered 5 ms after its start; every fifth answer
        // comes before the answer of the call started before it.
        var pending: [(call: UInt64, at: Double)] = []
        for call in UInt64(1)...10_000 {
            let now = at(Double(call) / 1000)
            #expect(budget.allows(now: now))
            budget.start(call, now: now)
            pending.append((call, Double(call) / 1000 + (call % 5 == 0 ? 0.004 : 0.005)))
            pending.sort { $0.at < $1.at }
            while let first = pending.first, first.at <= Double(call) / 1000 {
                budget.answer(first.call, now: at(first.at))
                pending.removeFirst()
            }
        }
        // About one window's worth is kept (a call counts until a window after its answer).
        #expect(budget.slots.count <= 1_100, "\(budget.slots.count) slots kept")
        #expect(budget.slots.filter { $0.answered == nil }.count == pending.count)
        for (call, time) in pending { budget.answer(call, now: at(time)) }
        let usedAtTen = !budget.isUnused(now: at(10))
        let unusedAfter = budget.isUnused(now: at(11.006))
        #expect(usedAtTen)
        #expect(unusedAfter, "a window after the last answer nothing counts")
        // A small window still says exactly when a slot frees.
        var small = WindowBudget(limit: 2, window: .seconds(1))
        small.start(1, now: at(0))
        small.start(2, now: at(0.1))
        small.answer(2, now: at(0.2))
        small.answer(1, now: at(0.3))
        #expect(small.earliest(now: at(0.4)) == at(1.2))
    }

    @Test("a token bucket allows a burst, then one call per interval counted from each answer")
    func tokenBucket() {
        var bucket = TokenBucket(capacity: 3, interval: .seconds(1))
        for step in 0..<3 {
            #expect(bucket.earliest(now: at(Double(step) * 0.01)) == at(Double(step) * 0.01))
            bucket.take(at(Double(step) * 0.01))
            bucket.settle(at(Double(step) * 0.01 + 0.005))
        }
        let next = bucket.earliest(now: at(0.03))
        #expect(next > at(0.9) && next <= at(1.03))
        #expect(bucket.isFull(at: at(4)))
    }

    @Test("a sender that may have had a predecessor starts with every chat's burst spent, refilling from its start")
    func startsWithSpentBursts() throws {
        var schedule = SendSchedule(configuration: quickConfiguration(), seed: 1, startedAt: at(0))
        for id in Int64(1)...3 {
            _ = schedule.receive(sendIntent(id, chat: -5), envelopeID: "e\(id)", now: at(0))
        }
        #expect(schedule.takeCalls(now: at(0)).calls.isEmpty, "no burst right after the start")
        var fresh = SendSchedule(configuration: quickConfiguration(), seed: 1)
        _ = fresh.receive(sendIntent(1, chat: -5), envelopeID: "e1", now: at(0))
        #expect(fresh.takeCalls(now: at(0)).calls.map(\.intentID) == [1], "without a start instant the bucket is full")
        // Long after the start the bucket is full again.
        var later = SendSchedule(configuration: quickConfiguration(), seed: 1, startedAt: at(0))
        _ = later.receive(sendIntent(1, chat: -5), envelopeID: "e1", now: at(60))
        #expect(later.takeCalls(now: at(60)).calls.map(\.intentID) == [1])
    }

    /// Runs the schedule as the role does: calls start when `takeCalls` gives them, each is
    /// answered ok `latency` after its start, and time jumps to the next answer or wake-up.
    /// Returns each call's start, in order, as seconds after `t0`.
    func run(_ schedule: inout SendSchedule, latency: Duration = .milliseconds(10), until end: Double) -> [(id: Int64, at: Double)] {
        var started: [(id: Int64, at: Double)] = []
        var answers: [(call: PlannedCall, at: ContinuousClock.Instant)] = []
        var now = at(0)
        while now <= at(end) {
            for call in schedule.takeCalls(now: now).calls {
                started.append((call.intentID, (now - t0) / .seconds(1)))
                answers.append((call, now + latency))
            }
            let answer = answers.indices.min { answers[$0].at < answers[$1].at }
            let wake = schedule.nextWake(now: now)
            if let answer, wake.map({ answers[answer].at <= $0 }) ?? true {
                let (call, answeredAt) = answers.remove(at: answer)
                now = answeredAt
                let messageID: Int64? = call.request.method == .sendMessage ? 1000 + call.intentID : nil
                _ = schedule.finish(call, outcome: .succeeded(messageID: messageID), now: now)
            } else if let wake {
                now = max(wake, now + .nanoseconds(1))
            } else {
                break
            }
        }
        return started
    }

    @Test("a quiet group gets a lifecycle's messages at the global pacing, not one a second")
    func quietGroupBursts() {
        // 10/s evenly paced (one call per 100 ms, one spacing early allowed), 20 a minute per
        // group, 1/s with bursts of 3 per private chat: the defaults with a round spacing.
        let configuration = SenderConfiguration(global: .init(calls: 10, per: .seconds(1)))
        #expect(configuration.groupBurst == 20)
        var schedule = SendSchedule(configuration: configuration, seed: 1)
        // Card, pin, department call, then four edits of the card: each waits for the previous
        // call in the chat (one in flight per chat), as a lifecycle's messages do.
        let intents = [sendIntent(1, chat: -7), pinIntent(2, chat: -7, target: .sentBy(intentID: 1)), sendIntent(3, chat: -7)]
            + (4...7).map { editIntent(Int64($0), chat: -7, target: .sentBy(intentID: 1)) }
        for intent in intents { _ = schedule.receive(intent, envelopeID: "e\(intent.id)", now: at(0)) }
        let started = run(&schedule, until: 10)
        #expect(started.map(\.id) == Array(1...7))
        // Before: the fourth message waited for the chat's 1/s token (about 1.01 s).
        #expect(started.map(\.at) == [0, 0.01, 0.1, 0.2, 0.3, 0.4, 0.5])
    }

    @Test("a group spends its 20 a minute at once, then waits a window after the first answer; a private chat keeps 1/s with bursts of 3")
    func groupBudgetInBursts() {
        // The global budget out of the way, so only the chat's budgets shape the schedule.
        let configuration = SenderConfiguration(global: .init(calls: 1000, per: .seconds(1)), evenPacing: false)
        var schedule = SendSchedule(configuration: configuration, seed: 1)
        for id in Int64(1)...25 { _ = schedule.receive(sendIntent(id, chat: -7), envelopeID: "e\(id)", now: at(0)) }
        for id in Int64(101)...105 { _ = schedule.receive(sendIntent(id, chat: 5), envelopeID: "e\(id)", now: at(0)) }
        let started = run(&schedule, until: 70)
        let group = started.filter { $0.id < 100 }
        #expect(group.map(\.id) == Array(1...25))
        // One call in flight at a time, each answered after 10 ms: 20 in 0.2 s. The 21st waits
        // for the first call's slot, a minute after its answer (0.01 s); and so on.
        let expected = (0..<20).map { Double($0) / 100 } + (1...5).map { 60 + Double($0) / 100 }
        #expect(zip(group.map(\.at), expected).allSatisfy { abs($0 - $1) < 1e-9 }, "\(group.map(\.at))")
        let chat = started.filter { $0.id > 100 }.map(\.at)
        #expect(chat.count == 5)
        // Three at once; then a token a second, counted from the answers.
        #expect(Array(chat.prefix(3)) == [0, 0.01, 0.02])
        #expect(chat[3] >= 1.0 && chat[3] <= 1.011, "\(chat)")
        #expect(chat[4] >= 2.0 && chat[4] <= 2.022, "\(chat)")
    }

    @Test("a 403 in a chat answers what waits for that chat without calls; other chats go on")
    func forbiddenEndsTheLane() throws {
        var schedule = SendSchedule(configuration: quickConfiguration(), seed: 1)
        for (id, chat) in [(Int64(1), Int64(-5)), (2, -5), (3, -5), (4, -6)] {
            _ = schedule.receive(sendIntent(id, chat: chat), envelopeID: "e\(id)", now: at(0))
        }
        let first = schedule.takeCalls(now: at(0))
        #expect(first.calls.map(\.intentID) == [1, 4])
        let call1 = try #require(first.calls.first { $0.intentID == 1 })
        let kicked = BotAPIError(
            kind: .forbidden(.kicked), method: .sendMessage, httpStatus: 403,
            detail: "Forbidden: bot was kicked from the supergroup chat")
        let reports = schedule.finish(call1, outcome: .failed(kicked), now: at(0.01))
        let outcome = IntentResult.Outcome.forbidden(description: "Forbidden: bot was kicked from the supergroup chat")
        #expect(reports.map(\.result) == [1, 2, 3].map { IntentResult(intentID: $0, chatID: -5, outcome: outcome) })
        #expect(reports.map(\.causationID) == ["e1", "e2", "e3"])
        #expect(schedule.takeCalls(now: at(5)).calls.isEmpty, "nothing more for chat -5; chat -6's call is still in flight")
        #expect(schedule.credit == 256 - 1)
    }

    @Test("lanes: one call in flight per chat, lowest intent id first, callbacks before messages")
    func laneOrder() throws {
        var schedule = SendSchedule(configuration: quickConfiguration(evenPacing: false), seed: 1)
        for (id, chat) in [(Int64(3), Int64(1)), (1, 2), (2, 1), (4, 2)] {
            _ = schedule.receive(sendIntent(id, chat: chat), envelopeID: "e\(id)", now: at(0))
        }
        _ = schedule.receive(callbackIntent(9, chat: 1, query: "q"), envelopeID: "e9", now: at(0))
        let first = schedule.takeCalls(now: at(0))
        #expect(first.calls.map(\.intentID) == [9, 1, 2])
        #expect(schedule.credit == 256 - 5)
        let second = schedule.takeCalls(now: at(0))
        #expect(second.calls.isEmpty)
        let call2 = try #require(first.calls.first { $0.intentID == 2 })
        let reports = schedule.finish(call2, outcome: .succeeded(messageID: 77), now: at(0.01))
        #expect(reports == [ResultReport(result: IntentResult(intentID: 2, chatID: 1, outcome: .delivered(messageID: 77)), causationID: "e2")])
        #expect(schedule.takeCalls(now: at(0.01)).calls.map(\.intentID) == [3])
    }

    @Test("even pacing: message calls on a regular schedule of window / calls, late calls catch up, callbacks not held back")
    func evenPacing() {
        var schedule = SendSchedule(configuration: quickConfiguration(global: .init(calls: 10, per: .seconds(1))), seed: 1)
        for id in Int64(1)...20 { _ = schedule.receive(sendIntent(id, chat: id), envelopeID: "e\(id)", now: at(0)) }
        // Up to one spacing early: two right away, then one per 100 ms.
        #expect(schedule.takeCalls(now: at(0)).calls.map(\.intentID) == [1, 2])
        _ = schedule.receive(callbackIntent(100, chat: 9, query: "q"), envelopeID: "e100", now: at(0.01))
        #expect(schedule.takeCalls(now: at(0.01)).calls.map(\.intentID) == [100])
        #expect(schedule.nextWake(now: at(0.01)) == at(0.1))
        #expect(schedule.takeCalls(now: at(0.099)).calls.isEmpty)
        #expect(schedule.takeCalls(now: at(0.1)).calls.map(\.intentID) == [3])
        // A wake-up 30 ms late: the next call is still due on the schedule, not 100 ms later.
        #expect(schedule.takeCalls(now: at(0.23)).calls.map(\.intentID) == [4])
        #expect(schedule.nextWake(now: at(0.23)) == at(0.3))
        // Over the first second no more than the window's worth (10, the callback answer among
        // them) start: no answer came, so the window is full although pacing would allow more.
        var started = 4
        var now = at(0.3)
        while now < at(1) {
            started += schedule.takeCalls(now: now).calls.count
            now = schedule.nextWake(now: now) ?? now + .milliseconds(10)
        }
        #expect(started == 9)
    }

    @Test("a 429 pauses the chat until retry_after has passed, never sooner")
    func retryAfterPause() throws {
        var schedule = SendSchedule(configuration: quickConfiguration(), seed: 1)
        _ = schedule.receive(sendIntent(1, chat: 5), envelopeID: "e1", now: at(0))
        let call = try #require(schedule.takeCalls(now: at(0)).calls.first)
        let error = BotAPIError(kind: .retryAfter(seconds: 3), method: .sendMessage, httpStatus: 429)
        #expect(schedule.finish(call, outcome: .failed(error), now: at(0.1)).isEmpty)
        #expect(schedule.takeCalls(now: at(3.09)).calls.isEmpty)
        #expect(schedule.nextWake(now: at(0.1)) == at(3.1))
        #expect(schedule.takeCalls(now: at(3.1)).calls.map(\.intentID) == [1])
    }

    @Test("an edit whose target send was never seen waits, then is reported messageNotFound")
    func unknownTargetTimesOut() {
        var configuration = quickConfiguration()
        configuration.unknownTargetTimeout = .seconds(5)
        var schedule = SendSchedule(configuration: configuration, seed: 1)
        _ = schedule.receive(editIntent(8, chat: 5, target: .sentBy(intentID: 7)), envelopeID: "e8", now: at(0))
        #expect(schedule.takeCalls(now: at(1)).calls.isEmpty)
        #expect(schedule.nextWake(now: at(1)) == at(5))
        let step = schedule.takeCalls(now: at(5))
        #expect(step.calls.isEmpty)
        #expect(step.reports.map(\.result.outcome) == [.messageNotFound])
    }

    @Test("draining takes no new intents and starts no calls; over capacity an intent is not taken")
    func drainingAndCapacity() {
        var schedule = SendSchedule(configuration: quickConfiguration(capacity: 1), seed: 1)
        #expect(schedule.receive(sendIntent(1, chat: 1), envelopeID: "e1", now: at(0)) == [])
        #expect(schedule.receive(sendIntent(2, chat: 1), envelopeID: "e2", now: at(0)) == [])
        #expect(schedule.credit == 0)
        #expect(schedule.receive(sendIntent(3, chat: 1), envelopeID: "e3", now: at(0)) == nil)
        schedule.beginDraining()
        #expect(schedule.takeCalls(now: at(0)).calls.isEmpty)
        #expect(schedule.receive(sendIntent(4, chat: 2), envelopeID: "e4", now: at(0)) == nil)
    }

    @Test("5xx retries wait with growing backoff and end in gaveUp after the attempt budget")
    func retriesThenGiveUp() throws {
        var schedule = SendSchedule(configuration: quickConfiguration(maxAttempts: 3), seed: 7)
        _ = schedule.receive(sendIntent(1, chat: 5), envelopeID: "e1", now: at(0))
        var now = at(0)
        for attempt in 1...3 {
            let call = try #require(schedule.takeCalls(now: now).calls.first, "attempt \(attempt)")
            let reports = schedule.finish(
                call, outcome: .failed(BotAPIError(kind: .server(status: 502), method: .sendMessage, httpStatus: 502)), now: now)
            if attempt < 3 {
                #expect(reports.isEmpty)
                let wake = try #require(schedule.nextWake(now: now))
                #expect(wake - now >= .milliseconds(10) * (1 << (attempt - 1)))
                now = wake
            } else {
                #expect(reports.map(\.result.outcome) == [.gaveUp(description: "3 attempts, last: server HTTP 502")])
            }
        }
    }
}
