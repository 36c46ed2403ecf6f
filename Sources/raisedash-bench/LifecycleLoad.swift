import ArgumentParser
import Dispatch
import Foundation
import SimulatorClient
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `raisedash-bench lifecycle`: the real system (simulator + the four roles as separate
/// processes of the built binary) under N groups x M incidents taken through their whole
/// lifecycle by people acting through the simulator's control API.
struct LifecycleLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lifecycle",
        abstract: "Whole lifecycles through the running system on the simulator.",
        discussion: """
            Starts `raisedash simulator` and the four roles (incidents, gateway, sender, \
            scheduler) as child processes, seeds a company with N active groups, then in every \
            group at once takes M incidents one after another from report to resolved card: \
            /new_issue replying to a report, the Dispatch button, Claim, Resolve, the summary as \
            a reply to the prompt. Reports completed lifecycles per second, press -> answer and \
            /new_issue -> card percentiles, Bot API calls per lifecycle and each process's peak \
            memory. All children get SIGTERM at the end, on failure and on Ctrl-C.

            Telegram lets a bot send 20 messages a minute to one group, so with the real budgets \
            a lifecycle takes about half a minute per group. By default the sender's budgets are \
            set out of the way to measure the system itself; --telegram-limits runs with the \
            real ones (and the simulator enforcing them), and the --sender-* options set any.
            """)

    @Option(help: "Groups driven at once.") var groups = 10
    @Option(help: "Incidents per group, one after another.") var incidents = 10
    @Option(help: "The raisedash binary (default: the one next to this executable, same build).")
    var binary: String?
    @Flag(help: "Run with Telegram's limits: the sender's default budgets, and the simulator enforcing the limits.")
    var telegramLimits = false
    @Option(help: "SENDER_GLOBAL_PER_SECOND for the sender.") var senderGlobalPerSecond: Double?
    @Option(help: "SENDER_GROUP_PER_MINUTE for the sender.") var senderGroupPerMinute: Double?
    @Option(help: "SENDER_CHAT_PER_SECOND for the sender.") var senderChatPerSecond: Double?
    @Option(help: "SENDER_CHAT_BURST for the sender.") var senderChatBurst: Int?
    @Option(help: "Seconds one step (card, button, answer) may take before the run fails.") var stepTimeout: Double = 120
    @Option(help: "LOG_LEVEL of the children (their output goes to files in the run's directory).")
    var logLevel = "info"
    @Flag(help: "Keep the run's directory (database and logs) afterwards.") var keep = false
    @Option(help: "Start from a copy of this database (e.g. one `raisedash-bench reports --database` generated).")
    var seedDatabase: String?
    @Option(help: "While the lifecycles run, call this company's reports on the admin API in a loop.")
    var reportsCompany: Int64?
    @Option(help: "With --reports-company: run the lifecycles this many times quiet and as many times with the report loop, alternating (quiet first), each on a fresh system and copy of --seed-database, then compare press -> answer.")
    var pairs = 0

    func validate() throws {
        guard groups > 0, incidents > 0 else { throw ValidationError("--groups and --incidents must be positive") }
        guard groups <= 10_000 else { throw ValidationError("--groups is at most 10000") }
        for (name, value) in [
            ("--sender-global-per-second", senderGlobalPerSecond), ("--sender-group-per-minute", senderGroupPerMinute),
            ("--sender-chat-per-second", senderChatPerSecond),
        ] {
            if let value, !(value > 0 && value.isFinite) { throw ValidationError("\(name) must be a positive number") }
        }
        if let senderChatBurst, senderChatBurst < 1 { throw ValidationError("--sender-chat-burst must be 1 or more") }
        guard pairs >= 0 else { throw ValidationError("--pairs must be 0 or more") }
        if pairs > 0, reportsCompany == nil { throw ValidationError("--pairs needs --reports-company (and --seed-database)") }
        guard stepTimeout > 0, stepTimeout.isFinite else { throw ValidationError("--step-timeout must be positive") }
        guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(logLevel.lowercased()) else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    var budgets: SenderBudgets {
        var budgets = telegramLimits ? SenderBudgets.telegram : SenderBudgets.generous
        if let senderGlobalPerSecond { budgets.globalPerSecond = senderGlobalPerSecond }
        if let senderGroupPerMinute { budgets.groupPerMinute = senderGroupPerMinute }
        if let senderChatPerSecond { budgets.chatPerSecond = senderChatPerSecond }
        if let senderChatBurst { budgets.chatBurst = senderChatBurst }
        return budgets
    }

    /// The given binary, or `raisedash` in this executable's directory.
    func raisedashBinary() throws -> String {
        let path: String
        if let binary {
            path = binary
        } else {
            let own = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            path = own.deletingLastPathComponent().appendingPathComponent("raisedash").path
        }
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw ValidationError(
                "\(path) is not an executable: build it in the same configuration (`swift build [-c release] --product raisedash`) or name one with --binary")
        }
        return path
    }

    func run() async throws {
        guard pairs > 0 else {
            _ = try await once(reports: reportsCompany)
            return
        }
        var runs: [ComparedRun] = []
        for pair in 0..<pairs {
            for loaded in [false, true] {
                print("")
                print("=== pair \(pair + 1) of \(pairs): \(loaded ? "reports in a loop" : "quiet") ===")
                let load = MachineLoad.current
                let (result, loop) = try await once(reports: loaded ? reportsCompany : nil)
                runs.append(ComparedRun(loaded: loaded, load: load, result: result, loop: loop))
            }
        }
        print("")
        print(ComparedRun.table(runs))
    }

    /// One run: a fresh system (on a copy of --seed-database), the lifecycles, with the
    /// report loop when `reports` names a company.
    func once(reports reportsCompany: Int64?) async throws -> (LoadResult, ReportLoop?) {
        let binary = try raisedashBinary()
        let budgets = self.budgets
        let system = try SystemUnderLoad(budgets: budgets, logLevel: logLevel.lowercased())
        let http = JSONClient(connections: groups * 2 + 8)
        let interruption = Interruption()
        defer { interruption.restore() }
        let plan = LoadPlan(
            groups: groups, incidents: incidents, stepTimeout: .milliseconds(Int(stepTimeout * 1000)),
            enforceLimits: telegramLimits, logLevel: logLevel.lowercased())

        print("raisedash-bench lifecycle: \(groups) groups x \(incidents) incidents = \(groups * incidents) lifecycles; groups at once, incidents one after another within a group")
        print("binary: \(binary)")
        print("sender budgets: \(budgets)\(budgetNote(budgets))")
        print("simulator rate limits: \(telegramLimits ? "enforced (Telegram's)" : "off")")
        print("run directory: \(system.directory.path)")
        if let seedDatabase {
            try FileManager.default.copyItem(
                atPath: seedDatabase, toPath: system.directory.appendingPathComponent("incidents.db").path)
            print("database: a copy of \(seedDatabase)")
        }
        let reportLoop = reportsCompany.map { ReportLoop(base: system.adminURL, token: system.adminToken, company: $0) }
        print("before: \(MachineLoad.current)")

        let result: LoadResult
        do {
            result = try await withThrowingTaskGroup(of: LoadResult?.self) { group in
                group.addTask { try await Self.measure(plan, system: system, binary: binary, http: http) }
                if let reportLoop {
                    group.addTask {
                        await reportLoop.run()
                        return nil
                    }
                }
                group.addTask {
                    for await signal in interruption.signals {
                        throw LoadFailure("interrupted (signal \(signal)); stopped every child process")
                    }
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let result = first else {
                    throw LoadFailure("the run ended without a result")
                }
                return result
            }
        } catch {
            await system.stop()
            let logs = system.processes.map { "  \($0.name): \($0.logPath)" }.joined(separator: "\n")
            print("the run failed; the children's logs (kept):\n\(logs)")
            throw error
        }
        print(result.description)
        if let reportLoop { print(reportLoop.summary) }
        print("after: \(MachineLoad.current)")
        if keep {
            print("kept: \(system.directory.path)")
        } else {
            system.removeFiles()
        }
        return (result, reportLoop)
    }

    func budgetNote(_ budgets: SenderBudgets) -> String {
        if telegramLimits && budgets.description == SenderBudgets.telegram.description { return " (Telegram's limits)" }
        if budgets.description == SenderBudgets.generous.description {
            return "\n  (generous: out of the way, to measure the system itself; Telegram allows 30/s per bot, 20/min per group, 1/s per chat with bursts of 3: --telegram-limits)"
        }
        return " (set with --sender-*)"
    }

    /// Starts the system, seeds the world, drives the lifecycles, reads memory and CPU, and
    /// stops the system.
    static func measure(_ plan: LoadPlan, system: SystemUnderLoad, binary: String, http: JSONClient) async throws -> LoadResult {
        try await system.start(binary: binary, enforceLimits: plan.enforceLimits, logLevel: plan.logLevel, http: http)
        let control = http.simulator(system.simulatorURL)
        let admin = AdminClient(base: system.adminURL, token: system.adminToken, http: http)
        let watch = CallWatch()
        let driver = LifecycleDriver(control: control, admin: admin, watch: watch, stepTimeout: plan.stepTimeout)
        let casts = (0..<plan.groups).map(GroupCast.init(index:))
        let perGroup = plan.incidents

        let result = try await withThrowingTaskGroup(of: LoadResult?.self) { group in
            group.addTask {
                try await watch.follow(control)
                return nil
            }
            group.addTask {
                // A child that ends on its own ends the run, rather than a long timeout.
                while !Task.isCancelled {
                    if let gone = system.exited().first {
                        throw LoadFailure("\(gone.name) exited with status \(gone.exitStatus ?? -1) during the run; its output:\n\(gone.logTail())")
                    }
                    try await Task.sleep(for: .milliseconds(250))
                }
                return nil
            }
            group.addTask {
                let seeding = ContinuousClock.now
                try await LoadWorld.seed(casts, control: control, admin: admin, driver: driver)
                print(String(format: "seeded %d groups in %.1f s", casts.count, (ContinuousClock.now - seeding) / .seconds(1)))
                await watch.settle()
                // Idle: the system started and the groups seeded, nothing in flight.
                let idleMemory = Dictionary(
                    system.processes.compactMap { process in process.memoryBreakdown().map { (process.name, $0) } },
                    uniquingKeysWith: { $1 })
                let tallyBefore = watch.tally
                let cpuBefore = system.processes.map { ($0.name, $0.cpuSeconds() ?? 0) }
                let benchCPUBefore = ProcFS.cpuSeconds(pid: getpid()) ?? 0
                let requestsBefore = http.requests.now
                let started = ContinuousClock.now
                let timings = try await withThrowingTaskGroup(of: [LifecycleTimings].self) { lifecycles in
                    for cast in casts {
                        lifecycles.addTask {
                            var timings: [LifecycleTimings] = []
                            for number in 0..<perGroup { timings.append(try await driver.lifecycle(cast, number: number)) }
                            return timings
                        }
                    }
                    var all: [LifecycleTimings] = []
                    for try await group in lifecycles { all += group }
                    return all
                }
                let seconds = (ContinuousClock.now - started) / .seconds(1)
                await watch.settle()
                let calls = watch.tally.since(tallyBefore)
                let cpuAfter = Dictionary(system.processes.map { ($0.name, $0.cpuSeconds() ?? 0) }, uniquingKeysWith: { $1 })
                let processes = system.processes.map { process in
                    ProcessFigures(
                        name: process.name, memory: process.memory(), idle: idleMemory[process.name],
                        loaded: process.memoryBreakdown(),
                        cpuSeconds: (cpuAfter[process.name] ?? 0) - (cpuBefore.first { $0.0 == process.name }?.1 ?? 0))
                }
                return LoadResult(
                    lifecycles: timings, seconds: seconds, calls: calls, processes: processes, bench: ProcFS.ownMemory(),
                    benchCPUSeconds: (ProcFS.cpuSeconds(pid: getpid()) ?? 0) - benchCPUBefore,
                    requests: http.requests.now.since(requestsBefore))
            }
            defer { group.cancelAll() }
            while let next = try await group.next() {
                if let result = next { return result }
            }
            throw LoadFailure("the run ended without a result")
        }
        var stopped = result
        stopped.exits = await system.stop()
        return stopped
    }
}

/// The companies and groups the run plays in, built as an administrator and the people would:
/// users and supergroups in the simulator (the bot an administrator that may pin), and per
/// group a company with the departments Dispatch and Maintenance through the admin API, the
/// group's dispatcher in Dispatch, the group activated, its driver registered with
/// /register_driver. One company per group keeps a lifecycle's work the same whatever the
/// number of groups (a department call mentions every member of the department, five to a
/// message).
enum LoadWorld {
    static func seed(_ casts: [GroupCast], control: SimulatorClient, admin: AdminClient, driver: LifecycleDriver) async throws {
        try await control.addUser(NewUser(id: GroupCast.manager, firstName: "Olivia", username: "olivia_ops"))
        // A few groups at a time: setting up is not what is measured.
        let width = 8
        for start in stride(from: 0, to: casts.count, by: width) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for cast in casts[start..<min(start + width, casts.count)] {
                    group.addTask {
                        try await control.addUser(NewUser(id: cast.driver, firstName: "Driver \(cast.index + 1)", username: "driver_\(cast.index + 1)"))
                        try await control.addUser(NewUser(
                            id: cast.dispatcher, firstName: "Dispatcher \(cast.index + 1)", username: "dispatch_\(cast.index + 1)"))
                        try await control.createChat(NewChat(
                            title: "Fleet \(cast.index + 1)", type: .supergroup, id: cast.chat,
                            members: [GroupCast.manager, cast.driver, cast.dispatcher], creator: GroupCast.manager, bot: .administrator))
                        let company = try await admin.createCompany(name: "Fleet \(cast.index + 1) Freight")
                        let dispatch = try await admin.createDepartment(company: company, name: "Dispatch")
                        _ = try await admin.createDepartment(company: company, name: "Maintenance")
                        try await admin.addMember(department: dispatch, user: cast.dispatcher)
                        try await admin.activateGroup(chat: cast.chat, company: company, managers: [GroupCast.manager])
                        try await driver.registerDriver(cast)
                    }
                }
                try await group.waitForAll()
            }
        }
    }
}

/// What a run is asked to do.
struct LoadPlan: Sendable {
    var groups: Int
    var incidents: Int
    var stepTimeout: Duration
    var enforceLimits: Bool
    var logLevel: String
}

/// Peak memory and CPU of one child.
struct ProcessFigures: Sendable {
    var name: String
    var memory: (peakKB: Int, residentKB: Int)?
    /// What its resident set was made of at idle (before the lifecycles) and at the end.
    var idle: ProcFS.Breakdown?
    var loaded: ProcFS.Breakdown?
    /// CPU seconds (user + system) spent during the measured part.
    var cpuSeconds: Double
}

/// What a run measured.
struct LoadResult: Sendable, CustomStringConvertible {
    var lifecycles: [LifecycleTimings]
    var seconds: Double
    var calls: CallWatch.Tally
    var processes: [ProcessFigures]
    var bench: (peakKB: Int, residentKB: Int)?
    /// CPU seconds of this process (the people and the watch) during the measured part.
    var benchCPUSeconds: Double
    /// The benchmark's own requests during the measured part.
    var requests: RequestCount.Counts
    /// Each child's exit status after SIGTERM at the end.
    var exits: [(name: String, status: Int32?)] = []

    var description: String {
        let count = lifecycles.count
        func row(_ name: String, _ values: [Double]) -> String {
            let distribution = Distribution(values)
            return "  \(name): \(distribution)"
        }
        var lines: [String] = []
        lines.append(String(format: "completed: %d lifecycles in %.2f s = %.2f lifecycles/s", count, seconds, Double(count) / seconds))
        lines.append("latency (ms):")
        lines.append(row("/new_issue -> card           ", lifecycles.map(\.newIssueToCard)))
        lines.append(row("press -> answer, all buttons ", lifecycles.flatMap { [$0.chooseAnswer, $0.claimAnswer, $0.resolveAnswer] }))
        lines.append(row("  department button         ", lifecycles.map(\.chooseAnswer)))
        lines.append(row("  Claim                     ", lifecycles.map(\.claimAnswer)))
        lines.append(row("  Resolve                   ", lifecycles.map(\.resolveAnswer)))
        lines.append(row("summary reply -> card resolved", lifecycles.map(\.summaryToResolved)))
        lines.append(row("whole lifecycle (report -> resolved card)", lifecycles.map(\.whole)))
        let ignored = lifecycles.map(\.ignoredSummaries).reduce(0, +)
        let affected = lifecycles.filter { $0.ignoredSummaries > 0 }.count
        lines.append(ignored == 0
            ? "summary replies ignored: none"
            : "summary replies ignored: \(ignored) in \(affected) lifecycles (processed before the prompt's delivery was recorded; sent again after 1 s; the latency above is from the reply that took effect)")
        let total = calls.total
        let polls = calls.byMethod["getUpdates"] ?? 0
        lines.append(String(
            format: "Bot API calls: %d = %.2f per lifecycle (%.2f without getUpdates)",
            total, Double(total) / Double(max(1, count)), Double(total - polls) / Double(max(1, count))))
        let methods = calls.byMethod.sorted { $0.value == $1.value ? $0.key < $1.key : $0.value > $1.value }
        lines.append("  per lifecycle by method: " + methods.map { "\($0.key) \(fixed(Double($0.value) / Double(max(1, count)), 2))" }.joined(separator: ", "))
        if calls.refusals.isEmpty {
            lines.append("  refused calls: none")
        } else {
            lines.append("  refused calls: " + calls.refusals.sorted { $0.key < $1.key }.map { "\($0.value) x \($0.key)" }.joined(separator: ", "))
        }
        if calls.missed > 0 { lines.append("  (\(calls.missed) calls left the simulator's log before they were read: counts are low)") }
        lines.append("peak memory (VmHWM) and CPU during the run:")
        for process in processes {
            let memory = process.memory.map { String(format: "%.1f MiB peak, %.1f MiB at the end", Double($0.peakKB) / 1024, Double($0.residentKB) / 1024) } ?? "not readable"
            let name = process.name.padding(toLength: 9, withPad: " ", startingAt: 0)
            lines.append("  \(name) \(memory); CPU \(fixed(process.cpuSeconds, 2)) s = \(fixed(process.cpuSeconds * 1000 / Double(max(1, count)), 1)) ms per lifecycle")
        }
        lines.append("resident set made of (MiB; anonymous = the process's own heap and stacks, the rest is the executable's and libraries' pages, shared by every process of the binary; PSS divides shared pages among the processes that map them):")
        func split(_ memory: ProcFS.Breakdown?) -> String {
            guard let memory else { return "not readable" }
            return String(
                format: "resident %.1f = anonymous %.1f + files %.1f, PSS %.1f", Double(memory.resident) / 1024,
                Double(memory.anonymous) / 1024, Double(memory.resident - memory.anonymous) / 1024, Double(memory.proportional) / 1024)
        }
        for process in processes {
            lines.append("  \(process.name.padding(toLength: 9, withPad: " ", startingAt: 0)) idle: \(split(process.idle)); at the end: \(split(process.loaded))")
        }
        let rolePSS = processes.filter { SystemUnderLoad.roles.contains($0.name) }.compactMap { $0.loaded?.proportional }.reduce(0, +)
        lines.append(String(format: "  the four roles together at the end: PSS %.1f MiB", Double(rolePSS) / 1024))
        let roles = processes.filter { SystemUnderLoad.roles.contains($0.name) }.map(\.cpuSeconds).reduce(0, +)
        lines.append("  the four roles together: CPU \(fixed(roles * 1000 / Double(max(1, count)), 1)) ms per lifecycle")
        let benchMemory = bench.map { String(format: "%.1f MiB peak", Double($0.peakKB) / 1024) } ?? "memory not readable"
        lines.append(
            "  (this benchmark, playing the people: \(benchMemory); CPU \(fixed(benchCPUSeconds, 2)) s = \(fixed(benchCPUSeconds * 1000 / Double(max(1, count)), 1)) ms per lifecycle;"
                + " the simulator's CPU includes answering its control API)")
        let perLifecycle = { (value: Int) in fixed(Double(value) / Double(max(1, count)), 1) }
        lines.append(
            "  (its requests per lifecycle: \(perLifecycle(requests.transcripts)) transcript reads, \(perLifecycle(requests.control)) other control API calls, \(perLifecycle(requests.other)) admin API calls)")
        let unclean = exits.filter { $0.status != 0 }
        if !exits.isEmpty {
            lines.append(unclean.isEmpty
                ? "stopped: every child exited 0 after SIGTERM"
                : "stopped: " + unclean.map { "\($0.name) \($0.status.map { "exited \($0)" } ?? "still running")" }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }
}

/// `value` with `digits` decimals.
func fixed(_ value: Double, _ digits: Int) -> String {
    String(format: "%.\(digits)f", value)
}

/// Percentiles of a sample, nearest rank.
struct Distribution: CustomStringConvertible {
    let sorted: [Double]

    init(_ values: [Double]) { sorted = values.sorted() }

    func at(_ quantile: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let rank = Int((quantile * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count - 1, max(0, rank - 1))]
    }

    var description: String {
        String(format: "p50 %.1f, p99 %.1f, max %.1f (n=%d)", at(0.5), at(0.99), sorted.last ?? .nan, sorted.count)
    }
}

/// SIGINT and SIGTERM as a stream while a run lasts, so the run can stop its children
/// before it ends; `restore` gives the signals back their default action.
final class Interruption: Sendable {
    let signals: AsyncStream<Int32>
    private let continuation: AsyncStream<Int32>.Continuation
    private let sources: Mutex<[any DispatchSourceSignal]>
    static let handled: [Int32] = [SIGINT, SIGTERM]

    init() {
        let (signals, continuation) = AsyncStream<Int32>.makeStream()
        self.signals = signals
        self.continuation = continuation
        var sources: [any DispatchSourceSignal] = []
        for number in Self.handled {
            // The default action would end this process at once and leave the children
            // to their parent watch; the dispatch source hands the signal to the run instead.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            sources.append(source)
        }
        self.sources = Mutex(sources)
    }

    func restore() {
        sources.withLock { sources in
            for source in sources { source.cancel() }
            sources = []
        }
        for number in Self.handled { signal(number, SIG_DFL) }
        continuation.finish()
    }
}
