import Foundation
import GRDB
import IncidentCore
@testable import IncidentService
import Logging
import RaiseDashConfig
import RoleSupport
import Storage
import Testing
import WireProtocol
import ZeroMQ

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
            // Counters reach the registry `/metrics` renders, as in a role's process.
            Observability.bootstrapMetrics()
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

    static let chat = WireChat(id: -100_777, kind: .supergroup, title: "Yard")
    static let person = UserRef(id: 901, username: "dora_d", firstName: "Dora")

    static func help(update: Int64) -> Envelope<InboundEvent> {
        Envelope(type: .inboundEvent, sender: .gateway, time: .now, payload: InboundEvent(
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

    /// The value of `raisedash_dead_letters_total{reason}` in the text `/metrics` serves.
    static func deadLetterMetric(reason: String) -> Double {
        let series = "raisedash_dead_letters_total{reason=\"\(reason)\"} "
        let line = Observability.registry.emitToString().split(separator: "\n").first { $0.hasPrefix(series) }
        return line.flatMap { Double($0.dropFirst(series.count)) } ?? 0
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
        let counted = Self.deadLetterMetric(reason: "invalid_input")
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
        #expect(Self.deadLetterMetric(reason: "invalid_input") == counted + 1)

        // A redelivery is now a duplicate; the update behind it is applied as usual.
        try await Bus.send(Self.help(update: 666), on: gateway)
        #expect(try await Self.ack(of: 666, on: gateway, timeout: .seconds(10))?.outcome == .duplicate)
        try await Bus.send(Self.help(update: 667), on: gateway)
        #expect(try await Self.ack(of: 667, on: gateway, timeout: .seconds(10))?.outcome == .applied)
        #expect(try await running.role.store.deadLetterCount() == 1)
    }

    @Test("a deferral that never resolves (a reply while the summary prompt's id never comes) ends as a dead letter; the next update flows")
    func deferralThatNeverResolves() async throws {
        let running = try await Running(policy: DeadLetterPolicy(maximumAttempts: 3, minimumAge: .zero))
        defer { Task { await running.stop() } }
        let store = running.role.store
        let company = try await store.createCompany(name: "Yard Co", now: .now)
        let dispatch = try await store.createDepartment(company: company.id, name: "Dispatch", now: .now)
        try await store.activateGroup(chat: ChatID(Self.chat.id), company: company.id, managers: [], now: .now)
        try await store.registerDriver(UserID(Self.person.id), chat: ChatID(Self.chat.id), now: .now)
        let mechanic = UserRef(id: 902, username: "mo_m", firstName: "Mo")
        try await store.addMember(.user(UserID(mechanic.id)), to: dispatch.id, now: .now)
        let gateway = try await running.gateway()

        func send(
            _ update: Int64, from person: UserRef, _ kind: InboundEvent.Kind, wait: Duration = .seconds(10)
        ) async throws -> Acknowledgement? {
            try await Bus.send(Envelope(type: .inboundEvent, sender: .gateway, time: .now, payload: InboundEvent(
                updateID: update, chat: Self.chat, from: person, kind: kind)), on: gateway)
            return try await Self.ack(of: update, on: gateway, timeout: wait)
        }
        func press(_ update: Int64, _ action: ButtonAction, on incident: IncidentID, by person: UserRef) async throws -> Acknowledgement? {
            let version = try #require(await store.incident(incident)).cardVersion
            let data = CallbackData(incidentID: incident, cardVersion: version, action: action).encoded
            return try await send(update, from: person, .buttonPress(callbackQueryID: "q\(update)", messageID: nil, data: data))
        }
        let reported = ReferencedMessage(messageID: 10, text: "Flat tyre at gate 4", from: Self.person)
        #expect(try await send(1, from: Self.person, .command(name: "new_issue", arguments: "", messageID: 11, replyTo: reported))?.outcome == .applied)
        let incident = try #require(try await store.incidents(chat: ChatID(Self.chat.id)).first).id
        #expect(try await press(2, .chooseDepartment(dispatch.id), on: incident, by: Self.person)?.outcome == .applied)
        #expect(try await press(3, .claim, on: incident, by: mechanic)?.outcome == .applied)
        #expect(try await press(4, .resolve, on: incident, by: mechanic)?.outcome == .applied)
        #expect(try await store.incident(incident)?.status == .awaitingSummary)

        // No sender runs, so the summary prompt's message id never becomes known: a reply in
        // the group may be the summary and is deferred, every time it comes.
        let counted = Self.deadLetterMetric(reason: "deferred")
        let reply = InboundEvent.Kind.reply(
            messageID: 40, text: "Changed the tyre", replyTo: ReferencedMessage(messageID: 39, text: "Write a summary", from: nil))
        for _ in 0..<2 {
            #expect(try await send(5, from: mechanic, reply, wait: .milliseconds(700)) == nil, "a deferred update was acknowledged")
        }
        #expect(try await send(5, from: mechanic, reply)?.outcome == .rejected)
        let letters = try await store.deadLetters()
        #expect(letters.map(\.updateID) == [5])
        #expect(letters.first?.reason == "deferred")
        #expect(letters.first?.attempts == 3)
        #expect(Self.deadLetterMetric(reason: "deferred") == counted + 1)
        #expect(try await store.incident(incident)?.status == .awaitingSummary, "the dead letter changed the incident")

        // The gateway's redelivery is a duplicate now, and the group's next update is applied.
        #expect(try await send(5, from: mechanic, reply)?.outcome == .duplicate)
        #expect(try await send(6, from: Self.person, .command(name: "help", arguments: "", messageID: 41, replyTo: nil))?.outcome == .applied)
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
