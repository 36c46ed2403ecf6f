import BotAPITestSupport
import Foundation
import Gateway
import ProcessTestSupport
import Testing
import WireProtocol
import ZeroMQ

@Suite("Gateway: polling, delivery and acknowledgements")
struct GatewayFlowTests {
    @Test("at start: getMe, deleteWebhook, the command menu, then long polling for the three update kinds")
    func startUp() async throws {
        try await withGateway { harness in
            try await harness.fake.waitFor("the first poll") { $0.contains { $0.method == "getUpdates" } }
            let calls = harness.fake.calls
            #expect(Array(calls.map(\.method).prefix(4)) == ["getMe", "deleteWebhook", "setMyCommands", "getUpdates"])
            let commands = calls[2].body?["commands"]?.array?.compactMap { $0["command"]?.string }
            #expect(commands == ["new_issue", "ticket", "register_driver", "help", "activate"])
            let poll = calls[3]
            #expect(poll.body?["timeout"]?.int == 1)
            #expect(poll.body?["allowed_updates"]?.array?.compactMap(\.string) == ["message", "callback_query", "my_chat_member"])
            #expect(poll.offset == nil)
            #expect(harness.logs.all.contains { $0.hasPrefix("info ready") && $0.contains("bot.username=RaiseDashBot") })
            #expect(calls.allSatisfy { $0.token == testToken })
        }
    }

    @Test("events go out, skipped updates do not, and the offset moves only after the acknowledgements")
    func offsetWaitsForAcknowledgement() async throws {
        let fake = FakeBotAPI()
        fake.push([
            (100, Fixture.command(100, "/new_issue")),
            (101, Fixture.update(101, "message", Fixture.message(11, chat: Fixture.privateChat, text: "hello"))),
            (102, Fixture.callback(102)),
        ])
        try await withGateway(fake: fake) { harness in
            let incidents = try harness.incidents()
            try await incidents.waitForEvents([100, 102])
            #expect(incidents.receivedUpdateIDs.sorted() == [100, 102])
            // Acknowledge the later one first: 100 still holds the offset back.
            try await incidents.ack(102)
            try await Task.sleep(for: .milliseconds(500))
            #expect(harness.polls.allSatisfy { ($0.offset ?? 0) <= 100 })
            #expect(fake.unconfirmed == [100, 101, 102])
            try await incidents.ack(100, outcome: .duplicate)
            try await harness.fake.waitFor("a poll past 102") { calls in calls.contains { $0.method == "getUpdates" && $0.offset == 103 } }
            #expect(fake.unconfirmed.isEmpty)
            // No poll ever passed an update before its acknowledgement.
            let acks = incidents.acks
            for poll in harness.polls {
                guard let offset = poll.offset else { continue }
                for update: Int64 in [100, 102] where offset > update {
                    let ack = try #require(acks.first { $0.updateID == update })
                    #expect(poll.at > ack.at, "offset \(offset) sent before update \(update) was acknowledged")
                }
            }
            let event = try #require(incidents.received.first { $0.event.updateID == 100 })
            #expect(event.envelope.sender == .gateway)
            #expect(event.event.kind == .command(name: "new_issue", arguments: "", messageID: 10, replyTo: nil))
        }
    }

    @Test("one batch at a time: no poll until the whole batch is acknowledged, then one poll takes everything that came meanwhile")
    func pollsOneBatchAtATime() async throws {
        let fake = FakeBotAPI()
        fake.push((1...3).map { (Int64($0), Fixture.command(Int64($0), "/help")) })
        try await withGateway(fake: fake) { harness in
            let incidents = try harness.incidents()
            try await incidents.waitForEvents([1, 2, 3])
            // Five more arrive while the batch is being committed.
            fake.push((4...8).map { (Int64($0), Fixture.command(Int64($0), "/help")) })
            try await incidents.ack(1)
            try await incidents.ack(2)
            try await Task.sleep(for: .milliseconds(400))
            #expect(harness.polls.map(\.offset) == [nil], "polled before the batch was settled")
            #expect(incidents.receivedUpdateIDs.sorted() == [1, 2, 3])
            #expect(fake.unconfirmed == Array(1...8))
            try await incidents.ack(3)
            try await incidents.waitForEvents(Set(4...8))
            // One call confirmed the first batch and fetched all five.
            #expect(harness.polls.map(\.offset) == [nil, 4])
            for id in Int64(4)...8 { try await incidents.ack(id) }
            try await harness.fake.waitFor("the poll confirming the second batch") { calls in calls.contains { $0.offset == 9 } }
            #expect(fake.unconfirmed.isEmpty)
            #expect(Array(harness.polls.map(\.offset).prefix(3)) == [nil, 4, 9])
            #expect(incidents.receivedUpdateIDs == Array(1...8), "an event was sent twice")
        }
    }

    @Test("an event not acknowledged in time is sent again with the same envelope id, until acknowledged")
    func resendsUnacknowledged() async throws {
        let fake = FakeBotAPI()
        fake.push([(7, Fixture.command(7, "/help"))])
        try await withGateway(configuration: quickConfiguration(ackTimeout: .milliseconds(300)), fake: fake) { harness in
            let incidents = try harness.incidents()
            try await waitUntil("two deliveries") { incidents.received.count >= 2 }
            let copies = incidents.received
            #expect(Set(copies.map(\.envelope.id)).count == 1)
            #expect(copies.allSatisfy { $0.event.updateID == 7 })
            // Received times carry delivery jitter; the gateway waits the 300 ms from its send.
            #expect(copies[1].at - copies[0].at >= .milliseconds(250))
            #expect(fake.unconfirmed == [7])
            try await incidents.ack(7)
            try await harness.fake.waitFor("the confirming poll") { calls in calls.contains { $0.offset == 8 } }
            let count = incidents.received.count
            try await Task.sleep(for: .milliseconds(800))
            #expect(incidents.received.count == count, "sent again after the acknowledgement")
        }
    }

    @Test("with the in-flight buffer full the gateway stops polling; Telegram keeps the rest, nothing is lost")
    func boundedBuffer() async throws {
        let fake = FakeBotAPI()
        fake.push((1...10).map { (Int64($0), Fixture.command(Int64($0), "/help")) })
        try await withGateway(configuration: quickConfiguration(maxInFlight: 3), fake: fake) { harness in
            let incidents = try harness.incidents()
            try await incidents.waitForEvents([1, 2, 3])
            let polls = harness.polls.count
            try await Task.sleep(for: .milliseconds(500))
            #expect(incidents.receivedUpdateIDs.sorted() == [1, 2, 3], "more than the buffer was taken")
            #expect(harness.polls.count == polls, "polled while the buffer was full")
            var acknowledged: Set<Int64> = []
            while acknowledged.count < 10 {
                let outstanding = Set(incidents.receivedUpdateIDs).subtracting(acknowledged)
                #expect(outstanding.count <= 3)
                for id in outstanding.sorted() {
                    try await incidents.ack(id)
                    acknowledged.insert(id)
                }
                if acknowledged.count < 10 {
                    try await waitUntil("more events") { !Set(incidents.receivedUpdateIDs).subtracting(acknowledged).isEmpty }
                }
            }
            try await harness.fake.waitFor("the final offset") { calls in calls.contains { $0.offset == 11 } }
            #expect(incidents.receivedUpdateIDs == Array(1...10))
        }
    }

    @Test("while the incident service is down the gateway waits; once it is up the held events arrive")
    func incidentServiceDown() async throws {
        let fake = FakeBotAPI()
        fake.push([(40, Fixture.command(40, "/new_issue")), (41, Fixture.command(41, "/help"))])
        let endpoint = "tcp://127.0.0.1:\(freePort())"
        try await withGateway(fake: fake, bindInbound: false, inboundEndpoint: endpoint) { harness in
            try await harness.fake.waitFor("the first poll") { $0.contains { $0.method == "getUpdates" } }
            try await Task.sleep(for: .seconds(1))
            #expect(harness.polls.count == 1, "polled again while holding unacknowledged updates")
            #expect(fake.unconfirmed == [40, 41])
            // The incident service comes up.
            let context = try ZMQContext()
            let incidents = try await InboundDouble(context: context, endpoint: endpoint)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { await incidents.receive(logger: harness.logs.logger()) }
                try await incidents.waitForEvents([40, 41])
                try await incidents.ack(40)
                try await incidents.ack(41)
                try await harness.fake.waitFor("the confirming poll") { calls in calls.contains { $0.offset == 42 } }
                tasks.cancelAll()
            }
            await context.terminate()
            #expect(harness.logs.contains("cannot hand events to the incident service"))
        }
    }
}
