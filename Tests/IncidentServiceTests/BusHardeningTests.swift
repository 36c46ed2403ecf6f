import Foundation
import IncidentCore
@testable import IncidentService
import Logging
import RoleSupport
import Storage
import Testing
import WireProtocol
import ZeroMQ

/// What a peer on the bus can and cannot do to the incident service.
@Suite("Bus hardening", .serialized)
struct BusHardeningTests {
    static let chat = IncidentsRoleTests.chat

    /// Sends the card of a new incident to a sender with credit 1; returns the intent.
    static func cardInFlight(_ harness: ServiceHarness, to sender: ZMQSocket) async throws -> Envelope<OutboundIntent> {
        _ = try await harness.seed(chat: chat.id, driver: IncidentsRoleTests.driver.id)
        let gateway = try await harness.gateway()
        try await Bus.send(IncidentsRoleTests.newIssue(update: 4100), on: gateway)
        _ = try await next(Acknowledgement.self, on: gateway)
        return try await next(OutboundIntent.self, on: sender)
    }

    static func result(_ intent: Envelope<OutboundIntent>, chat: Int64, message: Int64) throws -> [Data] {
        try WireFormat.encode(Envelope(
            type: .intentResult, causationID: intent.id, sender: .sender, time: .now,
            payload: IntentResult(intentID: intent.payload.id, chatID: chat, outcome: .delivered(messageID: message))))
    }

    static func state(of intent: Envelope<OutboundIntent>, in store: IncidentStore) async throws -> String? {
        let outbox = IntentID(rawValue: intent.payload.id).outbox
        return try await store.openOutbox().first { $0.id == outbox }?.state
    }

    @Test("a result from another sender, or naming another chat, does not complete the intent in flight")
    func resultsAreChecked() async throws {
        let harness = try await ServiceHarness()
        defer { Task { await harness.stop() } }
        let sender = try await harness.sender(session: "real", credit: 1)
        let impostor = try await harness.sender(session: "impostor", credit: 0)
        // Live senders heartbeat; without it a slow run would see them as silent.
        let heartbeat = Task {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(1))
                for (socket, session, credit) in [(sender, "real", 1), (impostor, "impostor", 0)] {
                    try await socket.send(WireFormat.encode(Envelope(
                        type: .senderReady, sender: .sender, time: .now, payload: SenderReady(session: session, credit: credit))))
                }
            }
        }
        defer { heartbeat.cancel() }
        let card = try await Self.cardInFlight(harness, to: sender)
        #expect(try await Self.state(of: card, in: harness.role.store) == "sent")

        // Another peer (announced, but not the one holding it) reports it delivered.
        try await impostor.send(Self.result(card, chat: Self.chat.id, message: 66))
        // The holder reports it for another chat.
        try await sender.send(Self.result(card, chat: -999, message: 67))
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await Self.state(of: card, in: harness.role.store) != nil, "a mismatched result completed the intent")

        // The real result completes it: the pin follows, aimed at the real message id.
        try await sender.send(Self.result(card, chat: Self.chat.id, message: 77))
        let pin = try await next(OutboundIntent.self, on: sender)
        #expect(pin.payload.action == .pin(target: .message(id: 77), disableNotification: true))
        #expect(try await Self.state(of: card, in: harness.role.store) == nil, "the real result completed it")
    }

    @Test("credit announced by a sender is clamped: extreme numbers neither trap nor starve delivery", arguments: [Int.min, -1, Int.max])
    func creditIsClamped(credit: Int) async throws {
        let harness = try await ServiceHarness()
        defer { Task { await harness.stop() } }
        // Two senders with the same extreme credit: their sum used to overflow.
        let first = try await harness.sender(session: "a", credit: credit)
        let second = try await harness.sender(session: "b", credit: credit)
        _ = try await harness.seed(chat: Self.chat.id, driver: IncidentsRoleTests.driver.id)
        let gateway = try await harness.gateway()
        try await Bus.send(IncidentsRoleTests.newIssue(update: 4200), on: gateway)
        #expect(try await next(Acknowledgement.self, on: gateway).payload.updateID == 4200)
        if credit > 0 {
            // The card goes to one of them.
            let card: Envelope<OutboundIntent>? = try await withThrowingTaskGroup(of: Envelope<OutboundIntent>?.self) { group in
                for socket in [first, second] {
                    group.addTask { try? await next(OutboundIntent.self, on: socket) }
                }
                defer { group.cancelAll() }
                for try await intent in group { if let intent { return intent } }
                return nil
            }
            #expect(card != nil)
        } else {
            // No credit: nothing is handed out, it waits in the outbox.
            try await Task.sleep(for: .milliseconds(500))
            #expect(try await harness.role.store.openOutbox().allSatisfy { $0.state == "pending" })
            #expect(try await !harness.role.store.openOutbox().isEmpty)
        }
        // Still serving.
        try await Bus.send(IncidentsRoleTests.newIssue(update: 4201), on: gateway)
        #expect(try await next(Acknowledgement.self, on: gateway).payload.updateID == 4201)
    }

    @Test("a frame above the bus's maximum message size never reaches the role; the next one does")
    func oversizedFrame() async throws {
        let context = try ZMQContext()
        let endpoint = "ipc://\(FileManager.default.temporaryDirectory.path)/rd-bus-\(UUID().uuidString)"
        let router = try context.socket(.router, options: Bus.socketOptions())
        _ = try await router.bind(endpoint)
        let dealer = try context.socket(.dealer, options: ZMQSocketOptions(linger: .zero))
        try await dealer.connect(endpoint)
        try await dealer.send([Data(repeating: 0x41, count: Bus.maximumMessageBytes + 1)])
        // libzmq drops the connection of a peer that exceeds the size; the dealer reconnects.
        let small = Data("small".utf8)
        let received = try await withThrowingTaskGroup(of: [Data]?.self) { group in
            group.addTask {
                for try await message in router.messages { return message }
                return nil
            }
            group.addTask {
                for _ in 0..<100 {
                    try await dealer.send([small])
                    try await Task.sleep(for: .milliseconds(100))
                }
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
        #expect(received?.last == small)
        #expect(received?.allSatisfy { $0.count <= Bus.maximumMessageBytes } == true)
        await context.terminate()
    }

    @Test("a binding bus socket caps message size and receive queue: one peer can make libzmq buffer at most 256 MiB")
    func boundedBuffering() async throws {
        let context = try ZMQContext()
        // The incident service's ROUTERs and the scheduler's PUB: what any peer can reach.
        let socket = try context.socket(.router, options: Bus.socketOptions())
        let size = try await socket.option(.maxMessageSize)
        let queue = try await socket.option(.receiveHighWaterMark)
        #expect(size == Bus.maximumMessageBytes)
        #expect(queue > 0, "ZMQ_RCVHWM unlimited")
        #expect(size * queue <= 256 << 20, "\(size) bytes x \(queue) messages")
        // A connecting socket reads only from its (authenticated) server, and still has a cap.
        let dealer = try context.socket(.dealer, options: Bus.socketOptions(connects: true))
        #expect(try await dealer.option(.maxMessageSize) > 0)
        await context.terminate()
    }
}
