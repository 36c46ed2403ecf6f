import Synchronization
#if canImport(Glibc)
import Glibc
/// `RUSAGE_SELF` as the type `getrusage` takes on Glibc.
let RUSAGE_SELF_WHO = __rusage_who_t(RUSAGE_SELF.rawValue)
#elseif canImport(Darwin)
import Darwin
let RUSAGE_SELF_WHO = RUSAGE_SELF
#endif
import ArgumentParser
import Foundation
import IncidentCore
import Storage

/// `raisedash-bench core`: full incident lifecycles through the store on a WAL file.
///
/// Each lifecycle is seven actions, each one `apply` (one write transaction): /new_issue,
/// choose department, claim, join, leave, resolve, and the summary as a reply to the prompt
/// (whose delivery is reported to the store first, as the sender would). A drain task claims
/// and completes outbox items meanwhile, as the sender does.
struct CoreBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "core", abstract: "Full lifecycles through the state machine and the SQLite store.")

    @Option(help: "How many incidents to take through their lifecycle.") var incidents = 2000
    @Option(help: "Lifecycles running at once.") var concurrency = 4
    @Option(help: "Groups the incidents are spread over.") var groups = 4
    @Option(help: "SQLite synchronous mode: normal (survives a crash) or full (survives power loss).")
    var synchronous: String = "normal"
    @Flag(inversion: .prefixedNo, help: "Deliver outbox items during the run, as the sender would (completions batched per poll).")
    var drain = true
    @Option(help: "Milliseconds between outbox polls of the drain.") var pollMilliseconds = 5
    @Option(help: "WAL pages between automatic checkpoints.") var checkpointPages = 4000
    @Option(help: "Database file (default: a new file in a temporary directory, removed afterwards).")
    var database: String?

    /// User and system CPU time of this process so far: on a shared machine, wall-clock rates
    /// depend on the neighbours; CPU per action does not.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF_WHO, &usage) == 0 else { return 0 }
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    func validate() throws {
        guard incidents > 0, concurrency > 0, groups > 0 else {
            throw ValidationError("--incidents, --concurrency and --groups must be positive")
        }
        guard ["normal", "full"].contains(synchronous) else { throw ValidationError("--synchronous is normal or full") }
    }

    func run() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("raisedash-bench-\(UUID().uuidString)")
        let path: String
        if let database {
            path = database
        } else {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            path = directory.appendingPathComponent("bench.sqlite").path
        }
        defer { if database == nil { try? FileManager.default.removeItem(at: directory) } }

        let policy = SLAPolicy.standard
        let store = try IncidentStore(
            path: path, policy: policy,
            configuration: StoreConfiguration(
                synchronous: synchronous == "full" ? .full : .normal, walAutocheckpointPages: checkpointPages))
        let world = try await World.make(store: store, groups: groups)

        print("raisedash-bench core: \(incidents) lifecycles x \(Lifecycle.actions.count) actions, concurrency \(concurrency), \(groups) groups, WAL, synchronous=\(synchronous.uppercased()), outbox drain \(drain ? "every \(pollMilliseconds) ms" : "off")")
        print("database: \(path) (journal_mode=\(try await store.journalMode()))")

        let clock = ContinuousClock()
        let started = clock.now
        let cpuStart = Self.cpuSeconds()
        let drained = DrainCounter()
        let drainEnabled = drain
        let poll = Duration.milliseconds(pollMilliseconds)
        let samples = try await withThrowingTaskGroup(of: [Sample].self) { group in
            let perWorker = (0..<concurrency).map { worker in
                stride(from: worker, to: incidents, by: concurrency).map { $0 }
            }
            for (worker, indices) in perWorker.enumerated() {
                group.addTask {
                    var samples: [Sample] = []
                    for index in indices {
                        samples += try await Lifecycle.run(index: index, worker: worker, world: world, store: store)
                    }
                    return samples
                }
            }
            group.addTask {
                // The sender's side: claim and complete outbox items until the lifecycles end.
                while drainEnabled && !drained.isFinished {
                    drained.add(try await Lifecycle.drain(store))
                    try await Task.sleep(for: poll)
                }
                return []
            }
            var all: [Sample] = []
            var finishedWorkers = 0
            for try await batch in group {
                all += batch
                finishedWorkers += 1
                if finishedWorkers == concurrency { drained.finish() }
            }
            return all
        }
        let elapsed = started.duration(to: clock.now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let cpu = Self.cpuSeconds() - cpuStart
        var remaining = 0
        while case let delivered = try await Lifecycle.drain(store), delivered > 0 { remaining += delivered }

        let actions = samples.filter { $0.name != "lifecycle" }
        print(String(format: "actions/s:     %.0f  (%d actions in %.2f s)", Double(actions.count) / seconds, actions.count, seconds))
        print(String(format: "lifecycles/s:  %.0f", Double(incidents) / seconds))
        print(String(format: "cpu:           %.2f s user+sys (%.0f%% of one core), %.0f us per action; at one full core: %.0f actions/s",
                     cpu, cpu / seconds * 100, cpu / Double(actions.count) * 1e6, Double(actions.count) / cpu))
        print(String(format: "outbox:        %d items delivered during the run (%.0f/s), %d after", drained.total, Double(drained.total) / seconds, remaining))
        print("latency in ms        p50      p99      max   count")
        for name in Lifecycle.actions + ["all actions", "lifecycle"] {
            let values = name == "all actions" ? actions.map(\.milliseconds) : samples.filter { $0.name == name }.map(\.milliseconds)
            print(Report.row(name, values))
        }
        let resolved = try await store.incidents(status: .resolved, limit: incidents + 1).count
        print("check: \(resolved) of \(incidents) incidents resolved")
        if resolved != incidents { throw ExitCode.failure }
    }
}

/// One timed step.
struct Sample: Sendable {
    var name: String
    var milliseconds: Double
}

/// The company, groups and people the lifecycles use.
struct World: Sendable {
    var chats: [ChatRef]
    var dispatch: DepartmentID
    var reporter: Person
    var members: [Person]

    static func make(store: IncidentStore, groups: Int) async throws -> World {
        let now = Date()
        let company = try await store.createCompany(name: "Bench \(UUID().uuidString.prefix(8))", now: now)
        var departments: [Department] = []
        for name in ["Dispatch", "Maintenance", "Safety", "Billing"] {
            departments.append(try await store.createDepartment(company: company.id, name: name, restricted: name == "Safety", now: now))
        }
        let members = (0..<5).map { Person(id: UserID(Int64(1000 + $0)), handle: Handle("member\($0)"), firstName: "Member \($0)") }
        for member in members {
            try await store.recordUserSeen(member, now: now)
            try await store.addMember(.user(member.id), to: departments[0].id, now: now)
        }
        let reporter = Person(id: 1, handle: Handle("driver"), firstName: "Driver")
        var chats: [ChatRef] = []
        for index in 0..<groups {
            let chat = ChatRef(id: ChatID(-1_001_000_000_000 - Int64(index)), kind: .supergroup, title: "Bench \(index)")
            try await store.activateGroup(chat: chat.id, company: company.id, managers: [2], now: now)
            try await store.registerDriver(reporter.id, chat: chat.id, now: now)
            chats.append(chat)
        }
        return World(chats: chats, dispatch: departments[0].id, reporter: reporter, members: members)
    }
}

enum Lifecycle {
    static let actions = ["new_issue", "choose", "claim", "join", "leave", "resolve", "summary"]

    static func run(index: Int, worker: Int, world: World, store: IncidentStore) async throws -> [Sample] {
        let clock = ContinuousClock()
        let chat = world.chats[index % world.chats.count]
        var updateID = Int64(index) * 100
        var samples: [Sample] = []
        let lifecycleStart = clock.now

        func timed(_ name: String, _ event: InboundUpdate.Event, by person: Person) async throws -> ApplyResult {
            updateID += 1
            let start = clock.now
            let result = try await store.apply(updateID: updateID, chat: chat, sender: person, event: event, now: Date())
            samples.append(Sample(name: name, milliseconds: milliseconds(start.duration(to: clock.now))))
            guard result.outcome == .applied else {
                throw BenchFailure("\(name) of lifecycle \(index): \(result.outcome)")
            }
            return result
        }
        var version = 0
        func press(_ name: String, _ action: ButtonAction, on id: IncidentID, by person: Person) async throws -> ApplyResult {
            let data = CallbackData(incidentID: id, cardVersion: version, action: action).encoded
            let result = try await timed(name, .press(query: CallbackQueryID("b\(updateID)"), data: data), by: person)
            version = result.cardVersion ?? version
            return result
        }

        let claimer = world.members[index % world.members.count]
        let second = world.members[(index + 1) % world.members.count]
        let created = try await timed(
            "new_issue", .newIssue(command: MessageID(updateID * 2 + 1), reported: .init(messageID: MessageID(updateID * 2), text: "Truck \(index) broke down")),
            by: world.reporter)
        guard let id = created.incidentID, let first = created.cardVersion else { throw BenchFailure("no incident") }
        version = first
        _ = try await press("choose", .chooseDepartment(world.dispatch), on: id, by: world.reporter)
        _ = try await press("claim", .claim, on: id, by: claimer)
        _ = try await press("join", .join, on: id, by: second)
        _ = try await press("leave", .leave, on: id, by: second)
        let resolve = try await press("resolve", .resolve, on: id, by: claimer)
        // The sender reports the prompt as delivered; the resolver replies to it.
        let prompt = MessageID(5_000_000 + Int64(index))
        // The outbox ids follow the decision's effects; the prompt is Resolve's last effect.
        guard let promptItem = resolve.outboxIDs.last else { throw BenchFailure("no prompt") }
        try await store.completeOutbox(promptItem, result: .delivered(messageID: prompt), now: Date())
        _ = try await timed("summary", .reply(message: MessageID(updateID * 2 + 3), replyTo: prompt, text: "Fixed \(index)"), by: claimer)
        samples.append(Sample(name: "lifecycle", milliseconds: milliseconds(lifecycleStart.duration(to: clock.now))))
        return samples
    }

    /// Claims and completes one batch of outbox items; returns how many.
    static func drain(_ store: IncidentStore) async throws -> Int {
        let items = try await store.claimOutbox(limit: 200, now: Date())
        let results = items.map { item -> (id: Int64, result: DeliveryResult) in
            let message: MessageID? = switch item.effect {
            case .postCard, .sendMessage: MessageID(9_000_000 + item.id)
            case .updateCard: item.cardMessageID
            default: nil
            }
            return (item.id, .delivered(messageID: message))
        }
        try await store.completeOutbox(results, now: Date())
        return items.count
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }
}

enum Report {
    static func row(_ name: String, _ values: [Double]) -> String {
        guard !values.isEmpty else { return name }
        let sorted = values.sorted()
        func percentile(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)] }
        return name.padding(toLength: 16, withPad: " ", startingAt: 0)
            + String(format: "%9.3f%9.3f%9.3f%8d", percentile(0.50), percentile(0.99), sorted[sorted.count - 1], sorted.count)
    }
}

/// Counts what the drain delivered; shared by the drain task and the coordinator.
final class DrainCounter: Sendable {
    // A Mutex from the Synchronization module protects both values.
    private let state = Mutex<(total: Int, finished: Bool)>((0, false))
    func add(_ count: Int) { state.withLock { $0.total += count } }
    func finish() { state.withLock { $0.finished = true } }
    var isFinished: Bool { state.withLock { $0.finished } }
    var total: Int { state.withLock { $0.total } }
}

struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
