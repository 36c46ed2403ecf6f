/// `raisedash up`: runs each role as a child process of the same binary, forwards their
/// output with a prefix, restarts a child that dies (with backoff), and on graceful shutdown
/// stops them all.
///
/// No orphan is left even if the supervisor itself is killed with SIGKILL: each child is
/// started with `RAISEDASH_SUPERVISED=1` and its standard input on a pipe the supervisor
/// holds; a supervised role stops when that pipe reaches end-of-file (see `ParentWatch`).
import Foundation
import Logging
import RoleSupport
import ServiceLifecycle

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

    public init(initialDelay: Duration = .milliseconds(500), maximumDelay: Duration = .seconds(30), stableAfter: Duration = .seconds(60)) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.stableAfter = stableAfter
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
            failures = ContinuousClock.now - started >= policy.stableAfter ? 1 : failures + 1
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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: spec.executable)
        process.arguments = spec.arguments
        var environment = ProcessInfo.processInfo.environment
        environment.merge(spec.environment) { _, new in new }
        environment["RAISEDASH_SUPERVISED"] = "1"
        process.environment = environment
        let lifeline = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = lifeline
        process.standardOutput = stdout
        process.standardError = stderr
        output.forward(stdout.fileHandleForReading, prefix: spec.name)
        output.forward(stderr.fileHandleForReading, prefix: spec.name)
        return try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { process in
                registry.remove(process)
                try? lifeline.fileHandleForWriting.close()
                continuation.resume(returning: process.terminationStatus)
            }
            do {
                try registry.start(process)
                logger.info("child started", metadata: ["child": "\(spec.name)", "pid": "\(process.processIdentifier)"])
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }
}

/// The children that are running now. Guarded by a lock because process termination
/// handlers run on Foundation's own threads.
final class RunningChildren: Sendable {
    private struct State {
        var processes: [ObjectIdentifier: Process] = [:]
        var stopping = false
    }
    // A mutex-protected box: Process is not Sendable, but it is only touched under the lock.
    private let state = LockedBox(State())

    var isStopping: Bool { state.withLock { $0.stopping } }

    struct Stopping: Error, CustomStringConvertible { var description: String { "supervisor is stopping" } }

    func start(_ process: Process) throws {
        try state.withLock { state in
            if state.stopping { throw Stopping() }
            try process.run()
            state.processes[ObjectIdentifier(process)] = process
        }
    }

    func remove(_ process: Process) {
        state.withLock { _ = $0.processes.removeValue(forKey: ObjectIdentifier(process)) }
    }

    /// SIGTERM to every child, then SIGKILL to any still alive after the grace period.
    func stopAll(gracePeriod: Duration, logger: Logger) {
        let pids: [pid_t] = state.withLock { state in
            state.stopping = true
            return state.processes.values.map(\.processIdentifier)
        }
        logger.info("stopping children", metadata: ["count": "\(pids.count)"])
        for pid in pids { kill(pid, SIGTERM) }
        let state = self.state
        let thread = Thread {
            let deadline = ContinuousClock.now + gracePeriod
            while ContinuousClock.now < deadline {
                if state.withLock({ $0.processes.isEmpty }) { return }
                Thread.sleep(forTimeInterval: 0.05)
            }
            let left: [pid_t] = state.withLock { $0.processes.values.map(\.processIdentifier) }
            for pid in left {
                logger.warning("child ignored SIGTERM; killing", metadata: ["pid": "\(pid)"])
                kill(pid, SIGKILL)
            }
        }
        thread.start()
    }
}

/// Writes children's output lines to our stdout, each prefixed with the child's name.
final class PrefixedOutput: Sendable {
    private let width: Int
    private let lock = NSLock()

    init(width: Int) { self.width = width }

    func forward(_ handle: FileHandle, prefix: String) {
        let padded = prefix.padding(toLength: max(width, prefix.count), withPad: " ", startingAt: 0)
        let lock = self.lock
        let thread = Thread {
            var pending = Data()
            PipeReading.readChunks(from: handle.fileDescriptor) { chunk in
                pending.append(chunk)
                while let newline = pending.firstIndex(of: 0x0A) {
                    let line = pending[pending.startIndex..<newline]
                    pending = Data(pending[(newline + 1)...])
                    Self.write(Data("\(padded) | ".utf8) + line + Data([0x0A]), lock: lock)
                }
            }
            if !pending.isEmpty { Self.write(Data("\(padded) | ".utf8) + pending + Data([0x0A]), lock: lock) }
            try? handle.close()
        }
        thread.start()
    }

    private static func write(_ data: Data, lock: NSLock) {
        lock.lock()
        defer { lock.unlock() }
        FileHandle.standardOutput.write(data)
    }
}

/// A value guarded by a lock.
final class LockedBox<Value>: @unchecked Sendable {
    // Safe: every access to `value` goes through `withLock`, which holds `lock`.
    private var value: Value
    private let lock = NSLock()

    init(_ value: Value) { self.value = value }

    func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
