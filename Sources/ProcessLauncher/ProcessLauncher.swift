/// Starting child processes: one launcher for the whole process (supervisor, tests,
/// benchmarks, demo), serialized on one long-lived thread.
///
/// Why not Foundation's `Process`: its `run()` is not safe to call from several threads at
/// once (a test run crashed with signal 11 inside it while two unsynchronised copies of a test
/// helper started processes), and it offers no way to tie a child's life to its parent's.
/// Every child started here:
/// - gets `deathSignal` from the kernel when this process dies, even by SIGKILL
///   (prctl(PR_SET_PDEATHSIG)); the kernel sends it when the *thread* that forked ends, so all
///   forks happen on one thread that lives as long as the process;
/// - inherits no descriptor above 2: every pipe and file this module opens is close-on-exec,
///   and the child closes everything above 2 before exec, so one child's lifeline pipe never
///   leaks into another child (which would keep that lifeline open after its owner died);
/// - starts with default signal dispositions and an empty signal mask.
import CProcessLauncher
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// What a child gets as standard input.
public enum LaunchInput: Sendable {
    /// /dev/null.
    case null
    /// A pipe whose writing end this process holds (`LaunchedProcess.closeLifeline()`): a
    /// supervised role stops when it reads end-of-file there (`ParentWatch`).
    case lifeline
}

/// Where a child's standard output or error goes.
public enum LaunchOutput: Sendable {
    /// /dev/null.
    case null
    /// This process's own stream.
    case inherit
    /// A pipe this process reads (`LaunchedProcess.standardOutput` / `standardError`).
    case pipe
    /// A file, created or truncated.
    case file(String)
    /// Standard error only: the same destination as standard output.
    case sameAsOutput
}

/// What to start.
public struct Launch: Sendable {
    public var executable: String
    public var arguments: [String]
    /// The child's whole environment (nothing is inherited unless it is in here).
    public var environment: [String: String]
    public var directory: String?
    public var input: LaunchInput
    public var output: LaunchOutput
    public var error: LaunchOutput
    /// Sent to the child by the kernel when this process dies; nil for none.
    public var deathSignal: Int32?

    public init(
        executable: String, arguments: [String] = [], environment: [String: String] = ProcessInfo.processInfo.environment,
        directory: String? = nil, input: LaunchInput = .null, output: LaunchOutput = .inherit,
        error: LaunchOutput = .sameAsOutput, deathSignal: Int32? = SIGKILL
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.directory = directory
        self.input = input
        self.output = output
        self.error = error
        self.deathSignal = deathSignal
    }
}

/// Why a child could not be started.
public struct LaunchError: Error, CustomStringConvertible {
    public let executable: String
    public let code: Int32
    public var description: String {
        "cannot start \(executable): \(String(cString: strerror(code)))"
    }
}

/// A started child. Its exit is collected by a thread of its own; `signal` never reaches a
/// recycled pid, because the child is reaped only after it is marked as exited under the same
/// lock `signal` takes.
public final class LaunchedProcess: Sendable {
    public let pid: pid_t
    /// The reading end of the child's standard output when `.pipe` was asked for; the caller
    /// reads it (e.g. `PipeReading.readChunks`) and closes it.
    public let standardOutput: Int32?
    /// The reading end of the child's standard error when `.pipe` was asked for.
    public let standardError: Int32?

    private struct State {
        var status: Int32?
        var lifeline: Int32?
        var waiters: [CheckedContinuation<Int32, Never>] = []
        var onExit: [@Sendable (Int32) -> Void] = []
    }
    private let state: Mutex<State>

    fileprivate init(pid: pid_t, standardOutput: Int32?, standardError: Int32?, lifeline: Int32?) {
        self.pid = pid
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.state = Mutex(State(lifeline: lifeline))
    }

    /// The exit status once the child has ended: its exit code, or 128 + the signal that
    /// ended it (as a shell reports it). Nil while it runs.
    public var exitStatus: Int32? { state.withLock { $0.status } }

    public var isRunning: Bool { exitStatus == nil }

    /// Sends `signal` unless the child has already ended.
    public func signal(_ signal: Int32) {
        state.withLock { state in
            if state.status == nil { kill(pid, signal) }
        }
    }

    /// Closes this process's end of the child's lifeline (standard input); a supervised role
    /// then shuts down. Also done when the child ends.
    public func closeLifeline() {
        state.withLock { state in
            if let fd = state.lifeline { close(fd) }
            state.lifeline = nil
        }
    }

    /// Calls `body` with the exit status when the child ends (at once if it has).
    public func onExit(_ body: @escaping @Sendable (Int32) -> Void) {
        let ended: Int32? = state.withLock { state in
            if state.status == nil { state.onExit.append(body) }
            return state.status
        }
        if let ended { body(ended) }
    }

    /// Waits for the child to end; its exit status.
    public func wait() async -> Int32 {
        await withCheckedContinuation { continuation in
            let ended: Int32? = state.withLock { state in
                if state.status == nil { state.waiters.append(continuation) }
                return state.status
            }
            if let ended { continuation.resume(returning: ended) }
        }
    }

    /// Waits up to `timeout` for the child to end; its status, or nil if it still runs.
    public func waitForExit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let status = exitStatus { return status }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return exitStatus
    }

    /// Blocks until the child has ended, then records its status. Runs on its own thread.
    fileprivate func collectExit() {
        var info = siginfo_t()
        // Wait without reaping, so the pid stays ours until it is marked as exited.
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0, errno == EINTR {}
        let code = info.si_code
        let value = info._sifields._sigchld.si_status
        let status: Int32 = code == CLD_EXITED ? value : 128 + value
        let (waiters, handlers) = state.withLock { state in
            state.status = status
            if let fd = state.lifeline { close(fd) }
            state.lifeline = nil
            var reaped: Int32 = 0
            while waitpid(pid, &reaped, 0) < 0, errno == EINTR {}
            defer { state.waiters = []; state.onExit = [] }
            return (state.waiters, state.onExit)
        }
        for waiter in waiters { waiter.resume(returning: status) }
        for handler in handlers { handler(status) }
    }
}

/// The one launcher of this process. All forks happen on its thread, one at a time.
public enum ProcessLauncher {
    /// Starts `launch`; throws `LaunchError` when the executable cannot be started (missing,
    /// not executable, bad directory). Blocks briefly (fork + exec) on the launcher thread.
    public static func start(_ launch: Launch) throws -> LaunchedProcess {
        try LauncherThread.shared.perform { try spawn(launch) }
    }

    /// `start` for async code: the caller's task is suspended, not its thread, while the
    /// launcher thread forks.
    public static func launch(_ launch: Launch) async throws -> LaunchedProcess {
        try await LauncherThread.shared.performAsync { try spawn(launch) }
    }

    private static func spawn(_ launch: Launch) throws -> LaunchedProcess {
        var toClose: [Int32] = []  // this process's copies of the child's ends
        var ours: [Int32] = []  // this process's ends, closed again if the start fails
        var succeeded = false
        defer {
            for fd in toClose { close(fd) }
            if !succeeded { for fd in ours { close(fd) } }
        }
        func pipe() throws -> (read: Int32, write: Int32) {
            var fds: [Int32] = [0, 0]
            let result = raisedash_pipe_cloexec(&fds)
            guard result == 0 else { throw LaunchError(executable: launch.executable, code: -result) }
            return (fds[0], fds[1])
        }
        var lifeline: Int32?
        let stdinFD: Int32
        switch launch.input {
        case .null: stdinFD = RAISEDASH_STREAM_NULL
        case .lifeline:
            let (read, write) = try pipe()
            toClose.append(read); ours.append(write)
            stdinFD = read
            lifeline = write
        }
        func destination(_ output: LaunchOutput, sameAs: (fd: Int32, read: Int32?)?) throws -> (fd: Int32, read: Int32?) {
            switch output {
            case .null: return (RAISEDASH_STREAM_NULL, nil)
            case .inherit: return (RAISEDASH_STREAM_INHERIT, nil)
            case .sameAsOutput: return (sameAs?.fd ?? RAISEDASH_STREAM_INHERIT, nil)
            case .pipe:
                let (read, write) = try pipe()
                toClose.append(write); ours.append(read)
                return (write, read)
            case .file(let path):
                let fd = raisedash_open_output_cloexec(path)
                guard fd >= 0 else { throw LaunchError(executable: launch.executable, code: -fd) }
                toClose.append(fd)
                return (fd, nil)
            }
        }
        let stdout = try destination(launch.output, sameAs: nil)
        let stderr = try destination(launch.error, sameAs: stdout)

        let arguments = [launch.executable] + launch.arguments
        let environment = launch.environment.map { "\($0.key)=\($0.value)" }
        let argv = cStrings(arguments)
        let envp = cStrings(environment)
        defer { freeCStrings(argv); freeCStrings(envp) }
        let pid: pid_t = launch.executable.withCString { path in
            func run(_ directory: UnsafePointer<CChar>?) -> pid_t {
                raisedash_spawn(path, argv, envp, directory, stdinFD, stdout.fd, stderr.fd, launch.deathSignal ?? 0)
            }
            if let directory = launch.directory { return directory.withCString { run($0) } }
            return run(nil)
        }
        guard pid > 0 else { throw LaunchError(executable: launch.executable, code: -pid) }
        succeeded = true
        let child = LaunchedProcess(pid: pid, standardOutput: stdout.read, standardError: stderr.read, lifeline: lifeline)
        let collector = Thread { child.collectExit() }
        collector.name = "exit of \(pid)"
        collector.start()
        return child
    }

    private static func cStrings(_ strings: [String]) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> {
        let array = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: strings.count + 1)
        for (index, string) in strings.enumerated() { array[index] = strdup(string) }
        array[strings.count] = nil
        return array
    }

    private static func freeCStrings(_ array: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) {
        var index = 0
        while let string = array[index] { free(string); index += 1 }
        array.deallocate()
    }
}

/// The thread every fork happens on. It never ends: a child's PR_SET_PDEATHSIG fires when
/// the thread that forked it ends, so forking from a pool thread that the system may retire
/// would kill children at random.
private final class LauncherThread: Sendable {
    static let shared = LauncherThread()

    private typealias Job = @Sendable () -> Void
    // NSCondition is documented as thread-safe; `jobs` is only touched while it is locked.
    private let condition = NSCondition()
    private let jobs = Mutex<[Job]>([])

    private init() {
        let thread = Thread { [self] in
            while true { nextJob()() }
        }
        thread.name = "process launcher"
        thread.start()
    }

    /// Waits for the next job.
    private func nextJob() -> Job {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let job = jobs.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { return job }
            condition.wait()
        }
    }

    /// Runs `body` on the launcher thread; suspends the caller until it is done.
    func performAsync<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            enqueue { continuation.resume(with: Result { try body() }) }
        }
    }

    private func enqueue(_ job: @escaping Job) {
        condition.lock()
        jobs.withLock { $0.append(job) }
        condition.signal()
        condition.unlock()
    }

    /// Runs `body` on the launcher thread and returns its result; the caller waits.
    func perform<T: Sendable>(_ body: @escaping @Sendable () throws -> T) throws -> T {
        let result = Mutex<Result<T, Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        enqueue {
            let outcome = Result { try body() }
            result.withLock { $0 = outcome }
            done.signal()
        }
        done.wait()
        return try result.withLock { $0! }.get()
    }
}
