/// `raisedash up`: runs each role as a child process of the same binary, forwards their
/// output with a prefix, restarts a child that dies (with backoff), and on graceful shutdown
/// stops them all.
///
/// No orphan is left even if the supervisor itself is killed with SIGKILL: each child is
/// started through `ProcessLauncher` with `RAISEDASH_SUPERVISED=1`, its standard input on a
/// pipe the supervisor holds (a supervised role stops when that pipe reaches end-of-file, see
/// `ParentWatch`), and SIGTERM as its parent-death signal; no child inherits another's pipe.
import Foundation
import Logging
import ProcessLauncher
import RoleSupport
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One child to keep running.
public struct ChildSpec: Sendable {
    /// Shown as the prefix of the child's output, e.g. `gateway`.
    public var name: String
    public var executable: String
    public var arguments: [String]
    /// Added to the supervisor's own environment.
    public var environment: [String: String]

    public init(name: String, executable: String, arguments: [String], environment: [String: String] = [:]) {
        self.name = name
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
    }
}

/// How restarts back off: the delay doubles from `initialDelay` up to `maximumDelay`, and
/// starts again from `initialDelay` once a child has stayed up for `stableAfter`.
public struct RestartPolicy: Sendable {
    public var initialDelay: Duration
    public var maximumDelay: Duration
    public var stableAfter: Duration
    /// A child that exits this many times in a row with the same status, each time before
    /// `stableAfter`, is not restarted again: it is failing the same way (a bad setting, a
    /// missing file) and restarting cannot help.
    public var giveUpAfter: Int

    public init(
        initialDelay: Duration = .milliseconds(500), maximumDelay: Duration = .seconds(30), stableAfter: Duration = .seconds(60),
        giveUpAfter: Int = 5
    ) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.stableAfter = stableAfter
        self.giveUpAfter = max(1, giveUpAfter)
    }

    func delay(after failures: Int) -> Duration {
        var delay = initialDelay
        for _ in 1..<max(failures, 1) where delay < maximumDelay { delay *= 2 }
        return min(delay, maximumDelay)
    }
}

/// Keeps a set of child processes running until graceful shutdown.
public struct Supervisor: Service {
    public var children: [ChildSpec]
    public var policy: RestartPolicy
    /// How long children get between SIGTERM and SIGKILL.
    public var gracePeriod: Duration
    let logger: Logger
    let output: PrefixedOutput

    public init(children: [ChildSpec], policy: RestartPolicy = .init(), gracePeriod: Duration = .seconds(8), logger: Logger) {
        self.children = children
        self.policy = policy
        self.gracePeriod = gracePeriod
        self.logger = logger
        self.output = PrefixedOutput(width: children.map(\.name.count).max() ?? 0)
    }

    public func run() async throws {
        let registry = RunningChildren()
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                for child in children {
                    group.addTask { await keepRunning(child, registry: registry) }
                }
            }
        } onGracefulShutdown: {
            registry.stopAll(gracePeriod: gracePeriod, logger: logger)
        }
        logger.info("all children stopped")
    }

    private func keepRunning(_ spec: ChildSpec, registry: RunningChildren) async {
        var failures = 0
        var crashLoop = CrashLoop(limit: policy.giveUpAfter)
        while !registry.isStopping {
            let started = ContinuousClock.now
            let status: Int32
            do {
                status = try await runOnce(spec, registry: registry)
            } catch {
                logger.error("could not start child", metadata: ["child": "\(spec.name)", "error": "\(error)"])
                status = -1
            }
            if registry.isStopping { break }
            let stable = ContinuousClock.now - started >= policy.stableAfter
            if crashLoop.exited(status: status, stable: stable) {
                let last = output.lastLine(of: spec.name)
                logger.critical(
                    "child failed the same way \(crashLoop.count) times in a row; not restarting it",
                    metadata: ["child": "\(spec.name)", "status": "\(status)", "last.line": "\(last ?? "")"])
                return
            }
            failures = stable ? 1 : failures + 1
            let delay = policy.delay(after: failures)
            logger.warning(
                "child exited; restarting",
                metadata: ["child": "\(spec.name)", "status": "\(status)", "restart.in": "\(delay)"])
            // Sleep in small steps so a shutdown during the backoff ends it promptly.
            let until = ContinuousClock.now + delay
            while ContinuousClock.now < until, !registry.isStopping {
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// Starts the child, forwards its output, and returns its exit status when it ends.
    private func runOnce(_ spec: ChildSpec, registry: RunningChildren) async throws -> Int32 {
        var environment = ProcessInfo.processInfo.environment
        environment.merge(spec.environment) { _, new in new }
        environment["RAISEDASH_SUPERVISED"] = "1"
        // SIGTERM when the supervisor dies: the child shuts down gracefully, as it does when
        // its lifeline closes.
        let launch = Launch(
            executable: spec.executable, arguments: spec.arguments, environment: environment,
            input: .lifeline, output: .pipe, error: .pipe, deathSignal: SIGTERM)
        if registry.isStopping { throw RunningChildren.Stopping() }
        let process = try await ProcessLauncher.launch(launch)
        let (ended, reachedEnd) = AsyncStream<Void>.makeStream()
        if let fd = process.standardOutput { output.forward(fd, prefix: spec.name) { reachedEnd.yield() } }
        if let fd = process.standardError { output.forward(fd, prefix: spec.name) { reachedEnd.yield() } }
        guard registry.add(process) else {
            // Shutdown began while it started: stop it like the others.
            process.signal(SIGTERM)
            return await process.wait()
        }
        logger.info("child started", metadata: ["child": "\(spec.name)", "pid": "\(process.pid)"])
        let status = await process.wait()
        registry.remove(process)
        // Let the readers forward what the child wrote last (it says why it failed) before
        // the exit is acted on; a grandchild holding the pipes cannot hold this up for long.
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                var count = 0
                for await _ in ended {
                    count += 1
                    if count == 2 { break }
                }
            }
            group.addTask { try? await Task.sleep(for: .seconds(1)) }
            await group.next()
            group.cancelAll()
        }
        reachedEnd.finish()
        return status
    }
}

/// The children that are running now, guarded by a lock: exits are collected on the
/// launcher's own threads.
final class RunningChildren: Sendable {
    private struct State {
        var processes: [pid_t: LaunchedProcess] = [:]
        var stopping = false
    }
    private let state = Mutex(State())

    var isStopping: Bool { state.withLock { $0.stopping } }

    struct Stopping: Error, CustomStringConvertible { var description: String { "supervisor is stopping" } }

    /// Records a started child; false if the supervisor is stopping (then `stopAll` has not
    /// seen it, and the caller stops it).
    func add(_ process: LaunchedProcess) -> Bool {
        state.withLock { state in
            if state.stopping { return false }
            state.processes[process.pid] = process
            return true
        }
    }

    func remove(_ process: LaunchedProcess) {
        state.withLock { _ = $0.processes.removeValue(forKey: process.pid) }
    }

    /// SIGTERM to every child, then SIGKILL to any still alive after the grace period.
    func stopAll(gracePeriod: Duration, logger: Logger) {
        let children: [LaunchedProcess] = state.withLock { state in
            state.stopping = true
            return Array(state.processes.values)
        }
        logger.info("stopping children", metadata: ["count": "\(children.count)"])
        for child in children { child.signal(SIGTERM) }
        let thread = Thread {
            let deadline = ContinuousClock.now + gracePeriod
            while ContinuousClock.now < deadline {
                if children.allSatisfy({ !$0.isRunning }) { return }
                Thread.sleep(forTimeInterval: 0.05)
            }
            for child in children where child.isRunning {
                logger.warning("child ignored SIGTERM; killing", metadata: ["pid": "\(child.pid)"])
                child.signal(SIGKILL)
            }
        }
        thread.start()
    }
}

/// Writes children's output lines to our stdout, each prefixed with the child's name.
final class PrefixedOutput: Sendable {
    private let width: Int
    private let lock = NSLock()
    /// Each child's last complete output line, to say why it keeps failing.
    private let lastLines = Mutex<[String: String]>([:])

    init(width: Int) { self.width = width }

    func lastLine(of child: String) -> String? { lastLines.withLock { $0[child] } }

    /// Reads `descriptor` to its end on a thread of its own, then closes it.
    func forward(_ descriptor: Int32, prefix: String, atEnd: @escaping @Sendable () -> Void) {
        let padded = prefix.padding(toLength: max(width, prefix.count), withPad: " ", startingAt: 0)
        let lock = self.lock
        let thread = Thread { [self] in
            var pending = Data()
            PipeReading.readChunks(from: descriptor) { chunk in
                pending.append(chunk)
                while let newline = pending.firstIndex(of: 0x0A) {
                    let line = pending[pending.startIndex..<newline]
                    let text = String(decoding: line.prefix(500), as: UTF8.self)
                    lastLines.withLock { $0[prefix] = text }
                    pending = Data(pending[(newline + 1)...])
                    Self.write(Data("\(padded) | ".utf8) + line + Data([0x0A]), lock: lock)
                }
            }
            if !pending.isEmpty { Self.write(Data("\(padded) | ".utf8) + pending + Data([0x0A]), lock: lock) }
            close(descriptor)
            atEnd()
        }
        thread.start()
    }

    private static func write(_ data: Data, lock: NSLock) {
        lock.lock()
        defer { lock.unlock() }
        FileHandle.standardOutput.write(data)
    }
}
