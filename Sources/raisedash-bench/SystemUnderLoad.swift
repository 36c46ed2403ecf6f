import Foundation
import ProcessLauncher
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// One child process of the system under load: the built `raisedash` binary running one role
/// (or the simulator), its output going to a log file.
///
/// Each child is started through `ProcessLauncher`, with `RAISEDASH_SUPERVISED=1` and
/// standard input on a pipe this process holds: should the benchmark die without stopping it
/// (even by SIGKILL), the kernel kills it (parent-death signal) and the pipe closes, so
/// nothing is left running.
final class RoleProcess: Sendable {
    let name: String
    let logPath: String
    let pid: pid_t
    private let process: LaunchedProcess

    init(name: String, binary: String, arguments: [String], environment: [String: String], directory: URL) throws {
        self.name = name
        let log = directory.appendingPathComponent("\(name).log")
        logPath = log.path
        // The working directory is the run's own: settings also come from a `.env` there,
        // and there is none.
        do {
            process = try ProcessLauncher.start(Launch(
                executable: binary, arguments: arguments, environment: environment, directory: directory.path,
                input: .lifeline, output: .file(log.path), error: .sameAsOutput))
        } catch {
            throw LoadFailure("cannot start \(binary) \(arguments.joined(separator: " ")): \(error)")
        }
        pid = process.pid
    }

    /// The exit status once the process has ended.
    var exitStatus: Int32? { process.exitStatus }

    /// The last `characters` of the child's output, for error messages.
    func logTail(_ characters: Int = 3000) -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return String(text.suffix(characters))
    }

    /// `VmHWM` (peak resident set) and `VmRSS` from /proc/<pid>/status, in kB.
    func memory() -> (peakKB: Int, residentKB: Int)? {
        guard exitStatus == nil, let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        return ProcFS.memory(status: status)
    }

    /// What the resident set is made of now (/proc/<pid>/smaps_rollup).
    func memoryBreakdown() -> ProcFS.Breakdown? {
        guard exitStatus == nil else { return nil }
        return ProcFS.breakdown(pid: pid)
    }

    /// User + system CPU seconds so far (from /proc/<pid>/stat).
    func cpuSeconds() -> Double? {
        guard exitStatus == nil else { return nil }
        return ProcFS.cpuSeconds(pid: pid)
    }

    func signal(_ signal: Int32) { process.signal(signal) }

    /// SIGTERM, then SIGKILL if it has not ended after `grace`; returns the exit status.
    @discardableResult
    func stop(grace: Duration = .seconds(10)) async -> Int32? {
        signal(SIGTERM)
        if let status = await waitForExit(timeout: grace) { return closeLifeline(status) }
        signal(SIGKILL)
        return closeLifeline(await waitForExit(timeout: .seconds(5)))
    }

    private func closeLifeline(_ status: Int32?) -> Int32? {
        process.closeLifeline()
        return status
    }

    func waitForExit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let status = exitStatus { return status }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return exitStatus
    }
}


/// Reading /proc.
enum ProcFS {
    /// The number of a `Name:   1234 kB` line of a /proc file.
    static func field(_ name: String, in text: String) -> Int? {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return nil }
        return line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) }
    }

    static func memory(status: String) -> (peakKB: Int, residentKB: Int)? {
        guard let peak = field("VmHWM", in: status), let resident = field("VmRSS", in: status) else { return nil }
        return (peak, resident)
    }

    /// A resident set split by what it is made of, in kB: `anonymous` is the process's own
    /// heap and stacks; the rest of `resident` is pages of files (the executable and shared
    /// libraries), which every process running the same binary shares; `proportional` (PSS)
    /// counts each shared page divided by the number of processes that map it, so the PSS of
    /// all processes adds up to the memory they really take together.
    struct Breakdown: Sendable {
        var resident: Int
        var anonymous: Int
        var proportional: Int
    }

    static func breakdown(pid: pid_t) -> Breakdown? {
        guard let rollup = try? String(contentsOfFile: "/proc/\(pid)/smaps_rollup", encoding: .utf8) else { return nil }
        return breakdown(rollup: rollup)
    }

    static func breakdown(rollup: String) -> Breakdown? {
        guard let resident = field("Rss", in: rollup), let anonymous = field("Anonymous", in: rollup),
            let proportional = field("Pss", in: rollup)
        else { return nil }
        return Breakdown(resident: resident, anonymous: anonymous, proportional: proportional)
    }

    static func cpuSeconds(pid: pid_t) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name: state is field 3, utime 14 and stime 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return (user + system) / (ticks > 0 ? ticks : 100)
    }

    /// This process's own peak and current resident set.
    static func ownMemory() -> (peakKB: Int, residentKB: Int)? {
        (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)).flatMap(memory(status:))
    }
}

/// The whole system as separate processes of the built binary: the simulator and the four
/// roles, on free ports, with a database in a temporary directory.
final class SystemUnderLoad: Sendable {
    static let botToken = "123456:TEST-TOKEN-raisedash-simulator"
    static let roles = ["incidents", "gateway", "sender", "scheduler"]

    let directory: URL
    let environment: [String: String]
    let simulatorPort: Int
    /// The HTTP port of each role (/healthz, /metrics; the incident service's admin API).
    let httpPorts: [String: Int]
    let adminToken: String
    private let children = Mutex<[RoleProcess]>([])

    var simulatorURL: URL { URL(string: "http://127.0.0.1:\(simulatorPort)")! }
    var adminURL: URL { URL(string: "http://127.0.0.1:\(httpPorts["incidents"] ?? 0)")! }

    /// Prepares the environment; starts nothing yet.
    init(budgets: SenderBudgets, logLevel: String) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("raisedash-lifecycle-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var ports = Set<Int>()
        func port() throws -> Int {
            for _ in 0..<20 {
                let candidate = freePort()
                if candidate > 0, ports.insert(candidate).inserted { return candidate }
            }
            throw LoadFailure("no free TCP port on 127.0.0.1")
        }
        simulatorPort = try port()
        var httpPorts: [String: Int] = [:]
        for role in Self.roles { httpPorts[role] = try port() }
        self.httpPorts = httpPorts
        let inbound = try port()
        let intents = try port()
        let ticks = try port()
        // Random per run; never printed.
        adminToken = "bench-" + UUID().uuidString
        environment = [
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "HOME": directory.path,
            "RAISEDASH_SUPERVISED": "1",
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:\(simulatorPort)",
            "TELEGRAM_BOT_TOKEN": Self.botToken,
            "ADMIN_API_TOKEN": adminToken,
            "DATABASE_PATH": directory.appendingPathComponent("incidents.db").path,
            "LOG_LEVEL": logLevel,
            "RAISEDASH_HTTP_HOST": "127.0.0.1",
            "HTTP_PORT": "\(httpPorts["incidents"] ?? 0)",
            "RAISEDASH_GATEWAY_HTTP_PORT": "\(httpPorts["gateway"] ?? 0)",
            "RAISEDASH_SENDER_HTTP_PORT": "\(httpPorts["sender"] ?? 0)",
            "RAISEDASH_SCHEDULER_HTTP_PORT": "\(httpPorts["scheduler"] ?? 0)",
            "RAISEDASH_INBOUND_ENDPOINT": "tcp://127.0.0.1:\(inbound)",
            "RAISEDASH_INTENTS_ENDPOINT": "tcp://127.0.0.1:\(intents)",
            "RAISEDASH_TICKS_ENDPOINT": "tcp://127.0.0.1:\(ticks)",
            "RAISEDASH_SIMULATOR_PORT": "\(simulatorPort)",
            "SENDER_GLOBAL_PER_SECOND": budgets.globalPerSecond.formatted,
            "SENDER_GROUP_PER_MINUTE": budgets.groupPerMinute.formatted,
            "SENDER_CHAT_PER_SECOND": budgets.chatPerSecond.formatted,
            "SENDER_CHAT_BURST": "\(budgets.chatBurst)",
        ]
    }

    /// Starts the simulator, then the four roles, and waits until each answers its health
    /// check. On failure, stops what it started.
    func start(binary: String, enforceLimits: Bool, logLevel: String, http: JSONClient) async throws {
        do {
            var simulatorArguments = ["simulator", "--port", "\(simulatorPort)", "--log-level", logLevel]
            if enforceLimits { simulatorArguments.append("--enforce-limits") }
            let simulator = try launch("simulator", binary: binary, arguments: simulatorArguments)
            try await waitUntilHealthy(simulator, simulatorURL.appendingPathComponent("control/state"), http: http)
            var started: [(RoleProcess, URL)] = []
            for role in Self.roles {
                let process = try launch(role, binary: binary, arguments: [role])
                started.append((process, URL(string: "http://127.0.0.1:\(httpPorts[role] ?? 0)/healthz")!))
            }
            for (process, url) in started { try await waitUntilHealthy(process, url, http: http) }
        } catch {
            await stop()
            throw error
        }
    }

    private func launch(_ name: String, binary: String, arguments: [String]) throws -> RoleProcess {
        let process = try RoleProcess(name: name, binary: binary, arguments: arguments, environment: environment, directory: directory)
        children.withLock { $0.append(process) }
        return process
    }

    private func waitUntilHealthy(_ process: RoleProcess, _ url: URL, http: JSONClient) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let status = process.exitStatus {
                throw LoadFailure("\(process.name) exited with status \(status) while starting; its output:\n\(process.logTail())")
            }
            if await http.status(url) == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw LoadFailure("\(process.name) did not answer 200 at \(url.path) within 60 s; its output:\n\(process.logTail())")
    }

    var processes: [RoleProcess] { children.withLock { $0 } }

    /// Children that have ended although nobody stopped them.
    func exited() -> [RoleProcess] { processes.filter { $0.exitStatus != nil } }

    /// SIGTERM to every child at once, then waits for each (SIGKILL after the grace period);
    /// returns each child's exit status (nil: still running even after SIGKILL).
    @discardableResult
    func stop() async -> [(name: String, status: Int32?)] {
        let all = processes
        for process in all { process.signal(SIGTERM) }
        var statuses: [(name: String, status: Int32?)] = []
        for process in all { statuses.append((process.name, await process.stop())) }
        return statuses
    }

    func removeFiles() {
        try? FileManager.default.removeItem(at: directory)
    }
}

/// The sender's pacing budgets for a run (SENDER_* variables).
struct SenderBudgets: CustomStringConvertible {
    var globalPerSecond: Double
    var groupPerMinute: Double
    var chatPerSecond: Double
    var chatBurst: Int

    /// Telegram's limits, the sender's defaults.
    static let telegram = SenderBudgets(globalPerSecond: 30, groupPerMinute: 20, chatPerSecond: 1, chatBurst: 3)
    /// Out of the way of a throughput run.
    static let generous = SenderBudgets(globalPerSecond: 10_000, groupPerMinute: 600_000, chatPerSecond: 10_000, chatBurst: 10_000)

    var description: String {
        "SENDER_GLOBAL_PER_SECOND=\(globalPerSecond.formatted) SENDER_GROUP_PER_MINUTE=\(groupPerMinute.formatted) SENDER_CHAT_PER_SECOND=\(chatPerSecond.formatted) SENDER_CHAT_BURST=\(chatBurst)"
    }
}

extension Double {
    /// Whole numbers without a fraction, others as they are.
    var formatted: String { self == rounded() && abs(self) < 1e15 ? String(Int64(self)) : String(self) }
}

/// A TCP port nobody listens on right now (bind port 0, read it, close). Another process may
/// take it before the child binds it; the children then fail to start, and say so.
func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return 0 }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
    guard bound == 0 else { return 0 }
    let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    guard named == 0 else { return 0 }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Why a load run could not go on: what happened, and what a person can do about it.
struct LoadFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
