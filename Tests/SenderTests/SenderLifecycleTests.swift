import BotAPITestSupport
import Foundation
import Sender
import Testing
import WireProtocol

@Suite("Sender: sessions, credit and shutdown")
struct SenderLifecycleTests {
    @Test("sender_ready: a session per run, the full credit at start, repeated as a heartbeat, lower while intents are held")
    func readyAndCredit() async throws {
        let fake = FakeBotAPI()
        fake.delay("sendMessage", by: .seconds(1))
        var sessions: [String] = []
        try await withSender(configuration: quickConfiguration(capacity: 50), fake: fake) { harness in
            let first = try #require(harness.incidents.readies.first)
            #expect(first.credit == 50)
            #expect(UUID(uuidString: first.session) != nil)
            try await waitUntil("three heartbeats") { harness.incidents.readies.count >= 3 }
            #expect(Set(harness.incidents.readies.map(\.session)) == [first.session])
            for id in Int64(1)...5 { try await harness.incidents.send(sendIntent(id, chat: id)) }
            try await waitUntil("a lower credit") { harness.incidents.readies.last?.credit == 45 }
            try await harness.incidents.waitForResults(of: [1, 2, 3, 4, 5])
            try await waitUntil("the credit back") { harness.incidents.readies.last?.credit == 50 }
            sessions.append(first.session)
        }
        try await withSender(configuration: quickConfiguration(capacity: 50)) { harness in
            sessions.append(try #require(harness.incidents.readies.first).session)
        }
        #expect(Set(sessions).count == 2)
    }

    @Test("graceful shutdown: calls in flight finish and are reported, queued intents are not sent, credit drops to 0")
    func gracefulShutdown() async throws {
        let fake = FakeBotAPI()
        fake.delay("sendMessage", by: .milliseconds(800))
        try await withSender(configuration: quickConfiguration(chatPerSecond: 1, chatBurst: 1), fake: fake) { harness in
            for id in Int64(1)...4 { try await harness.incidents.send(sendIntent(id, chat: 1)) }
            try await harness.fake.waitFor("the first call") { $0.count == 1 }
            let started = ContinuousClock.now
            await harness.shutdown()
            #expect(try await harness.waitForEnd(timeout: .seconds(10)) == .finished)
            // Within the 3 s grace, with slack for a loaded machine; that the queued intents
            // were not sent is shown by the single call below, not by the clock.
            #expect(ContinuousClock.now - started < .seconds(5))
            #expect(harness.incidents.results.map(\.result) == [IntentResult(intentID: 1, chatID: 1, outcome: .delivered(messageID: 1000))])
            #expect(harness.fake.calls.count == 1)
            #expect(harness.incidents.readies.last?.credit == 0)
        }
    }

    @Test("graceful shutdown gives calls in flight the grace period, then stops without them")
    func shutdownGraceRunsOut() async throws {
        let fake = FakeBotAPI()
        fake.delay("sendMessage", by: .seconds(10))
        try await withSender(configuration: quickConfiguration(shutdownGrace: .milliseconds(500)), fake: fake) { harness in
            try await harness.incidents.send(sendIntent(1, chat: 1))
            try await harness.fake.waitFor("the call") { $0.count == 1 }
            let started = ContinuousClock.now
            await harness.shutdown()
            #expect(try await harness.waitForEnd(timeout: .seconds(10)) == .finished)
            // It did not wait for the 10 s call (grace 0.5 s; the bound leaves slack for load).
            #expect(ContinuousClock.now - started < .seconds(8))
            #expect(harness.incidents.results.isEmpty)
            #expect(harness.logs.contains("abandoning calls in flight"))
        }
    }
}
