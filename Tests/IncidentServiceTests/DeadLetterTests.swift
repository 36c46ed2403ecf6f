import Foundation
import GRDB
import IncidentCore
import IncidentStore
import Logging
import RaiseDashConfig
import RoleSupport
import Testing
import WireProtocol
import ZeroMQ
@testable import IncidentService

/// Nothing stalls quietly: an update that can never be applied is given up on and recorded,
/// and readiness follows whether the store can write.
@Suite("Dead letters and store readiness", .serialized)
struct DeadLetterTests {
    /// The incident service in-process with a quick dead-letter policy and store probe.
    struct Running {
        let directory: URL
        let settings: Settings
        let role: IncidentsRole
        let readiness: Readiness
        let context: ZMQContext
        let task: Task<Void, any Error>

        init(policy: DeadLetterPolicy, probe: Duration = .seconds(5)) async throws {
            (directory, settings) = try ServiceHarness.settingsInTemporaryDirectory(prefix: "rd-dead")
            var logger = Logger(label: "test.dead-letters")
            logger.logLevel = .critical
            readiness = Readiness(parts: IncidentsRole.readinessParts)
            role = try IncidentsRole(
                settings: settings, logger: logger, readiness: readiness, deadLetters: policy, storeProbeInterval: probe)
            let role = self.role
            task = Task { try await role.run() }
            context = try ZMQContext()
            for _ in 0..<200 where !readiness.isReady { try await Task.sleep(for: .milliseconds(20)) }
        }

        func gateway() async throws -> ZMQSocket {
            let socket = try context.socket(.dealer)
            try await socket.connect(settings.inboundEndpoint.value)
            return socket
        }

        func stop() async {
            task.cancel()
            _ = try? await task.value
            await context.terminate()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    static let chat = WireProtocol.ChatRef(id: -100_777, kind: .supergroup, title: "Yard")
    static let person = UserRef(id: 901, username: "dora_d", firstName: "Dora")

    static func help(update: Int64) -> Envelope<WireProtocol.InboundEvent> {
        Envelope(type: .inboundEvent, sender: .gateway, time: .now, payload: WireProtocol.InboundEvent(
            updateID: update, chat: chat, from: person, kind: .command(name: "help", arguments: "", messageID: update, replyTo: nil)))
    }

    /// Waits for an acknowledgement of `update`; nil if none comes within `timeout`.
    static func ack(of update: Int64, on socket: ZMQSocket, timeout: Duration) async throws -> Acknowledgement? {
        do {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                let ack = try await next(Acknowledgement.self, on: socket, timeout: deadline - ContinuousClock.now)
                if ack.payload.updateID == update { return ack.payload }
            }
        } catch is TestTimeout {}
        return nil
    }

    @Test("an update that fails every time is retried a bounded number of times, then recorded and acknowledged; the next one flows")
    func poisonUpdate() async throws {
        let running = try await Running(policy: DeadLetterPolicy(maximumAttempts: 3, minimumAge: .zero))
        defer { Task { await running.stop() } }
        // A deterministic failure of update 666 (as a corrupt row or a constraint would be):
        // its processed_updates row is refused, unless it is the dead letter's.
        let raw = try DatabaseQueue(path: running.settings.databasePath)
        try await raw.write { db in
            try db.execute(sql: """
                CREATE TRIGGER poison BEFORE INSERT ON processed_updates
                WHEN NEW.update_id = 666 AND NEW.outcome != 'dead_letter'
                BEGIN SELECT RAISE(ABORT, 'poison'); END
                """)
        }
        let gateway = try await running.gateway()
        // The gateway redelivers an unacknowledged update; the first two tries get no ack.
        for _ in 0..<2 {
            try await Bus.send(Self.help(update: 666), on: gateway)
            #expect(try await Self.ack(of: 666, on: gateway, timeout: .milliseconds(700)) == nil)
        }
        try await Bus.send(Self.help(update: 666), on: gateway)
        let given = try await Self.ack(of: 666, on: gateway, timeout: .seconds(10))
        #expect(given?.outcome == .rejected)

        let letters = try await running.role.store.deadLetters()
        #expect(letters.map(\.updateID) == [666])
        #expect(letters.first?.attempts == 3)
        #expect(letters.first?.reason == "invalid_input")
        #expect(letters.first?.update?.chat.id == ChatID(Self.chat.id))

        // A redelivery is now a duplicate; the update behind it is applied as usual.
        try await Bus.send(Self.help(update: 666), on: gateway)
        #expect(try await Self.ack(of: 666, on: gateway, timeout: .seconds(10))?.outcome == .duplicate)
        try await Bus.send(Self.help(update: 667), on: gateway)
        #expect(try await Self.ack(of: 667, on: gateway, timeout: .seconds(10))?.outcome == .applied)
        #expect(try await running.role.store.deadLetterCount() == 1)
    }

    @Test("readiness turns red while the store cannot write, and green again when it can")
    func storeReadiness() async throws {
        let running = try await Running(policy: DeadLetterPolicy(), probe: .milliseconds(100))
        defer { Task { await running.stop() } }
        #expect(running.readiness.isPartReady("store"))
        // Another connection holds the write lock: every write of the service times out.
        var configuration = Configuration()
        configuration.busyMode = .timeout(1)
        let holder = try DatabaseQueue(path: running.settings.databasePath, configuration: configuration)
        let (releases, release) = AsyncStream<Void>.makeStream()
        let (locked, lockTaken) = AsyncStream<Void>.makeStream()
        let holding = Task {
            try await holder.writeWithoutTransaction { db in
                try db.execute(sql: "BEGIN EXCLUSIVE")
                lockTaken.yield()
                // Block this connection's queue until the test releases it.
                let semaphore = DispatchSemaphore(value: 0)
                Task { for await _ in releases { break }; semaphore.signal() }
                semaphore.wait()
                try db.execute(sql: "ROLLBACK")
            }
        }
        for await _ in locked { break }
        var red = false
        for _ in 0..<300 {
            if !running.readiness.isPartReady("store") { red = true; break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(red, "readiness stayed green while the store could not write")
        #expect(!running.readiness.isReady)
        release.yield()
        try await holding.value
        var green = false
        for _ in 0..<300 {
            if running.readiness.isPartReady("store") { green = true; break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(green, "readiness did not recover")
    }
}
