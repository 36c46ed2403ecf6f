import Foundation
import IncidentCore
@testable import IncidentService
import Logging
import RaiseDashConfig
import RoleSupport
import Storage
import Testing
import WireProtocol
import ZeroMQ

/// The incident service run in-process on a real SQLite file with real ZeroMQ sockets; the
/// test plays the gateway and a sender.
final class ServiceHarness: Sendable {

    /// A fresh temporary directory holding the service's database and ipc endpoints, and the
    /// settings that point there.
    static func settingsInTemporaryDirectory(prefix: String) throws -> (URL, Settings) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let dir = directory.path
        let settings = try Settings(lookup: [
            "DATABASE_PATH": "\(dir)/incidents.db",
            "RAISEDASH_INBOUND_ENDPOINT": "ipc://\(dir)/inbound",
            "RAISEDASH_INTENTS_ENDPOINT": "ipc://\(dir)/intents",
            "RAISEDASH_TICKS_ENDPOINT": "ipc://\(dir)/ticks",
        ].lookup)
        return (directory, settings)
    }
    let directory: URL
    let settings: Settings
    let role: IncidentsRole
    let context: ZMQContext
    let task: Task<Void, any Error>

    init() async throws {
        (directory, settings) = try Self.settingsInTemporaryDirectory(prefix: "rd-svc")
        var logger = Logger(label: "test.incidents")
        logger.logLevel = .warning
        let readiness = Readiness(parts: IncidentsRole.readinessParts)
        role = try IncidentsRole(settings: settings, logger: logger, readiness: readiness)
        let role = self.role
        task = Task { try await role.run() }
        context = try ZMQContext()
        for _ in 0..<200 where !readiness.isReady { try await Task.sleep(for: .milliseconds(20)) }
    }

    /// A company with a Dispatch department, an active group, and a registered driver.
    func seed(chat: Int64, driver: Int64) async throws -> (company: CompanyID, department: DepartmentID) {
        let store = role.store
        let company = try await store.createCompany(name: "Acme \(chat)", now: .now)
        let department = try await store.createDepartment(company: company.id, name: "Dispatch", now: .now)
        try await store.activateGroup(chat: ChatID(chat), company: company.id, managers: [], now: .now)
        try await store.registerDriver(UserID(driver), chat: ChatID(chat), now: .now)
        return (company.id, department.id)
    }

    func gateway() async throws -> ZMQSocket {
        let socket = try context.socket(.dealer)
        try await socket.connect(settings.inboundEndpoint.value)
        return socket
    }

    func sender(session: String = UUID().uuidString, credit: Int = 50) async throws -> ZMQSocket {
        let socket = try context.socket(.dealer)
        try await socket.connect(settings.intentsEndpoint.value)
        try await socket.send(WireFormat.encode(Envelope(type: .senderReady, sender: .sender, time: .now, payload: SenderReady(session: session, credit: credit))))
        return socket
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
        await context.terminate()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Receives the next message of type `P`, or fails after `timeout`.
func next<P>(_ type: P.Type, on socket: ZMQSocket, timeout: Duration = .seconds(10)) async throws -> Envelope<P> {
    try await withThrowingTaskGroup(of: Envelope<P>?.self) { group in
        group.addTask {
            for try await frames in socket.messages {
                if let envelope = try? WireFormat.decode(frames, as: P.self) { return envelope }
            }
            return nil
        }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let envelope = first else {
            throw TestTimeout(what: "\(P.self)")
        }
        return envelope
    }
}

struct TestTimeout: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}

extension Dictionary where Key == String, Value == String {
    var lookup: (String) -> String? { { self[$0] } }
}

@Suite("Incident service over real sockets and a real database", .serialized)
struct IncidentsRoleTests {
    static let chat = WireChat(id: -100_500, kind: .supergroup, title: "Night shift")
    static let driver = UserRef(id: 700, username: "driver_ann", firstName: "Ann")

    static func newIssue(update: Int64) -> Envelope<InboundEvent> {
        Envelope(type: .inboundEvent, sender: .gateway, time: .now, payload: InboundEvent(
            updateID: update, chat: chat, from: driver,
            kind: .command(name: "new_issue", arguments: "", messageID: 31,
                           replyTo: ReferencedMessage(messageID: 30, text: "Trailer door <broken> & stuck", from: driver))))
    }

    @Test("an event is acknowledged after it is durably applied; its card goes to a sender; a redelivery changes nothing")
    func newIssueFlow() async throws {
        let harness = try await ServiceHarness()
        defer { Task { await harness.stop() } }
        _ = try await harness.seed(chat: Self.chat.id, driver: Self.driver.id)
        let gateway = try await harness.gateway()

        try await Bus.send(Self.newIssue(update: 9001), on: gateway)
        let ack = try await next(Acknowledgement.self, on: gateway)
        #expect(ack.payload == Acknowledgement(updateID: 9001, outcome: .applied))
        // Durable before the ack: a second connection to the file sees the incident.
        let reader = try IncidentStore(path: harness.settings.databasePath, policy: .standard)
        let incidents = try await reader.incidents(chat: ChatID(Self.chat.id))
        #expect(incidents.count == 1)
        #expect(incidents.first?.status == .awaitingDepartment)

        // No sender yet: nothing is lost, it waits in the outbox.
        let sender = try await harness.sender()
        let intent = try await next(OutboundIntent.self, on: sender)
        #expect(intent.payload.chatID == Self.chat.id)
        guard case .sendMessage(let card) = intent.payload.action else {
            Issue.record("the first intent is not the card: \(intent.payload.action)"); return
        }
        #expect(card.text.contains("#0001"))
        #expect(card.text.contains("Trailer door &lt;broken&gt; &amp; stuck"))
        #expect(card.keyboard.flatMap { $0 }.map(\.text).contains { $0.contains("Dispatch") })
        try await sender.send(WireFormat.encode(Envelope(
            type: .intentResult, causationID: intent.id, sender: .sender, time: .now,
            payload: IntentResult(intentID: intent.payload.id, chatID: Self.chat.id, outcome: .delivered(messageID: 77)))))
        // The card's id is known now, so the pin follows, aimed at it.
        let pin = try await next(OutboundIntent.self, on: sender)
        #expect(pin.payload.action == .pin(target: .message(id: 77), disableNotification: true))

        try await Bus.send(Self.newIssue(update: 9001), on: gateway)
        #expect(try await next(Acknowledgement.self, on: gateway).payload == Acknowledgement(updateID: 9001, outcome: .duplicate))
        #expect(try await reader.incidents(chat: ChatID(Self.chat.id)).count == 1)
    }

    @Test("a restarted sender (new session) gets again what it held")
    func senderRestart() async throws {
        let harness = try await ServiceHarness()
        defer { Task { await harness.stop() } }
        _ = try await harness.seed(chat: Self.chat.id, driver: Self.driver.id)
        let gateway = try await harness.gateway()
        try await Bus.send(Self.newIssue(update: 1), on: gateway)
        _ = try await next(Acknowledgement.self, on: gateway)
        let first = try await harness.sender(session: "one")
        let held = try await next(OutboundIntent.self, on: first)
        await first.close()
        // Same routing is not guaranteed for a new socket, so announce a new session from a new one
        // and let the old one fall silent: the intent comes again.
        let second = try await harness.sender(session: "two")
        // A live sender heartbeats; the silent first one is given up after its silence limit.
        let heartbeat = Task {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(1))
                try await second.send(WireFormat.encode(Envelope(type: .senderReady, sender: .sender, time: .now, payload: SenderReady(session: "two", credit: 50))))
            }
        }
        defer { heartbeat.cancel() }
        let again = try await next(OutboundIntent.self, on: second, timeout: .seconds(30))
        #expect(again.payload.id == held.payload.id)
        #expect(again.payload.action == held.payload.action)
    }

    @Test("an unknown command is acknowledged as rejected and writes nothing")
    func unknownCommand() async throws {
        let harness = try await ServiceHarness()
        defer { Task { await harness.stop() } }
        let gateway = try await harness.gateway()
        let event = Envelope(type: .inboundEvent, sender: .gateway, time: .now, payload: InboundEvent(
            updateID: 5, chat: Self.chat, from: Self.driver, kind: .command(name: "selfdestruct", arguments: "", messageID: 1, replyTo: nil)))
        try await Bus.send(event, on: gateway)
        #expect(try await next(Acknowledgement.self, on: gateway).payload == Acknowledgement(updateID: 5, outcome: .rejected))
        #expect(try await harness.role.store.incidents().isEmpty)
    }

    @Test("a garbled frame on the inbound socket is dropped and the next event still processed")
    func garbledInbound() async throws {
        let harness = try await ServiceHarness()
        defer { Task { await harness.stop() } }
        _ = try await harness.seed(chat: Self.chat.id, driver: Self.driver.id)
        let gateway = try await harness.gateway()
        try await gateway.send([Data("{broken".utf8), Data()])
        try await gateway.send([Data([0xFF])])
        try await Bus.send(Self.newIssue(update: 2), on: gateway)
        #expect(try await next(Acknowledgement.self, on: gateway).payload.updateID == 2)
    }
}
