import Foundation
import ProcessLauncher
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

// The one way tests start a `raisedash` (or `raisedash-bench`) process: through
// `ProcessLauncher`, with its output captured on a reader thread.

/// The repository root, found from this file's path.
public let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The `raisedash` binary the test command built (`swift build --product raisedash`).
public func raisedashBinary() throws -> String {
    let path = repositoryRoot.appendingPathComponent(".build/debug/raisedash").path
    guard FileManager.default.isExecutableFile(atPath: path) else {
        throw TestFailure("\(path) is missing: run `swift build --product raisedash` first (scripts/test does)")
    }
    return path
}

public struct TestFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Ports already handed out in this test process. Suites run in parallel, each picks several
/// ports, and the kernel readily gives a just-closed port again: without this book two
/// installations could get the same port and one of them fail with "Address already in use".
private final class PortBook: @unchecked Sendable {
    // Safe: `ports` is only touched under `lock`.
    private let lock = NSLock()
    private var ports: Set<Int> = []

    /// Records `port`; false if it was handed out before.
    func claim(_ port: Int) -> Bool {
        lock.lock(); defer { lock.unlock() }
        return ports.insert(port).inserted
    }
}

private let portBook = PortBook()

/// A TCP port nobody listens on right now, and that no other caller in this process got.
public func freePort() -> Int {
    for _ in 0..<100 {
        let port = unusedPort()
        if port > 0, portBook.claim(port) { return port }
    }
    return unusedPort()
}

private func unusedPort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A running `raisedash` process whose combined output the test can wait on.
///
/// Started through `ProcessLauncher` (the one launcher of the test process): it dies with
/// the test process (SIGKILL as its parent-death signal), and as `raisedash up` gives its
/// children, it gets a lifeline on standard input and `RAISEDASH_SUPERVISED=1`.
public final class ChildProcess: Sendable {
    public let process: LaunchedProcess
    private let output = CapturedOutput()

    public init(arguments: [String], environment: [String: String], directory: String? = nil) throws {
        var environment = environment
        environment["RAISEDASH_SUPERVISED"] = "1"
        process = try ProcessLauncher.start(Launch(
            executable: try raisedashBinary(), arguments: arguments, environment: environment,
            directory: directory ?? environment["RAISEDASH_TEST_DIR"] ?? NSTemporaryDirectory(),
            input: .lifeline, output: .pipe, error: .sameAsOutput))
        let descriptor = process.standardOutput!
        let output = self.output
        Thread {
            ChildOutput.readChunks(from: descriptor) { chunk in
                let text = String(decoding: chunk, as: UTF8.self)
                output.text.withLock { $0 += text }
            }
            close(descriptor)
            output.finished.withLock { $0 = true }
        }.start()
    }

    public var pid: pid_t { process.pid }

    public var text: String { output.text.withLock { $0 } }

    /// Waits until the output satisfies `condition`; fails with the output so far otherwise.
    @discardableResult
    public func waitFor(_ what: String, timeout: Duration = .seconds(30), _ condition: (String) -> Bool) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let text = self.text
            if condition(text) { return text }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("timed out waiting for \(what); output so far:\n\(text)")
    }

    public func waitFor(line fragment: String, timeout: Duration = .seconds(30)) async throws {
        try await waitFor("\"\(fragment)\"", timeout: timeout) { $0.contains(fragment) }
    }

    /// Waits for the process to exit; returns its status, or nil if it was still running.
    /// After an exit it also waits (up to 5 s) for the reader to reach the end of the output, so
    /// `text` holds everything the process wrote: the exit can be seen before the last read.
    public func waitForExit(timeout: Duration) async -> Int32? {
        let status = await process.waitForExit(timeout: timeout)
        if status != nil {
            let deadline = ContinuousClock.now + .seconds(5)
            while !output.finished.withLock({ $0 }), ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
        return status
    }

    public func signal(_ signal: Int32) { process.signal(signal) }

    deinit {
        process.signal(SIGKILL)
    }
}

/// What a child process wrote, filled by its reader thread.
final class CapturedOutput: Sendable {
    let text = Mutex("")
    /// Set when the reader has seen the end of the output (every writer closed it).
    let finished = Mutex(false)
}

/// Whether a process with this pid exists (and is not a zombie).
public func isAlive(_ pid: pid_t) -> Bool {
    guard kill(pid, 0) == 0 else { return false }
    let status = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
    // Field 3 is the state; Z is a zombie (exited, not yet reaped).
    if let close = status.lastIndex(of: ")") {
        let state = status[status.index(after: close)...].trimmingCharacters(in: .whitespaces).prefix(1)
        return state != "Z"
    }
    return true
}

