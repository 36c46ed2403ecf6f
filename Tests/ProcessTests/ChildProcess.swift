import Foundation
import RoleSupport
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The repository root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The `raisedash` binary the test command built (`swift build --product raisedash`).
func raisedashBinary() throws -> String {
    let path = repositoryRoot.appendingPathComponent(".build/debug/raisedash").path
    guard FileManager.default.isExecutableFile(atPath: path) else {
        throw TestFailure("\(path) is missing: run `swift build --product raisedash` first (scripts/test does)")
    }
    return path
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
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
func freePort() -> Int {
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

/// Settings for one isolated installation: free ports and endpoints, a temp database.
func isolatedEnvironment(extra: [String: String] = [:]) -> [String: String] {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rd-proc-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    var environment: [String: String] = [
        "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
        "HOME": dir.path,
        "DATABASE_PATH": dir.appendingPathComponent("incidents.db").path,
        "HTTP_PORT": "\(freePort())",
        "RAISEDASH_GATEWAY_HTTP_PORT": "\(freePort())",
        "RAISEDASH_SENDER_HTTP_PORT": "\(freePort())",
        "RAISEDASH_SCHEDULER_HTTP_PORT": "\(freePort())",
        "RAISEDASH_INBOUND_ENDPOINT": "tcp://127.0.0.1:\(freePort())",
        "RAISEDASH_INTENTS_ENDPOINT": "tcp://127.0.0.1:\(freePort())",
        "RAISEDASH_TICKS_ENDPOINT": "tcp://127.0.0.1:\(freePort())",
        "RAISEDASH_SIMULATOR_PORT": "\(freePort())",
        "LOG_LEVEL": "info",
        "RAISEDASH_TEST_DIR": dir.path,
    ]
    environment.merge(extra) { _, new in new }
    return environment
}

/// Serializes `Process.run()` across the test process.
let launchLock = NSLock()

/// A running `raisedash` process whose combined output the test can wait on.
final class ChildProcess: @unchecked Sendable {
    // Safe: `output` is only touched under `lock`; `process` is set up before `run()` and only
    // read afterwards.
    let process = Process()
    /// Held open for the child's life; see `init`.
    private let lifeline = Pipe()
    private let lock = NSLock()
    private var output = ""

    init(arguments: [String], environment: [String: String], directory: String? = nil) throws {
        process.executableURL = URL(fileURLWithPath: try raisedashBinary())
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: directory ?? environment["RAISEDASH_TEST_DIR"] ?? NSTemporaryDirectory())
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        // A lifeline, as `raisedash up` gives its children: if this test process dies, the
        // pipe closes and the child stops instead of lingering.
        var environment = environment
        environment["RAISEDASH_SUPERVISED"] = "1"
        process.environment = environment
        process.standardInput = lifeline
        let handle = pipe.fileHandleForReading
        Thread { [self] in
            PipeReading.readChunks(from: handle.fileDescriptor) { chunk in
                let text = String(decoding: chunk, as: UTF8.self)
                lock.lock(); output += text; lock.unlock()
            }
        }.start()
        // Foundation's Process.run is not safe to call from several threads at once.
        launchLock.lock()
        defer { launchLock.unlock() }
        try process.run()
    }

    var pid: pid_t { process.processIdentifier }

    var text: String {
        lock.lock(); defer { lock.unlock() }
        return output
    }

    /// Waits until the output satisfies `condition`; fails with the output so far otherwise.
    @discardableResult
    func waitFor(_ what: String, timeout: Duration = .seconds(30), _ condition: (String) -> Bool) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let text = self.text
            if condition(text) { return text }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("timed out waiting for \(what); output so far:\n\(text)")
    }

    func waitFor(line fragment: String, timeout: Duration = .seconds(30)) async throws {
        try await waitFor("\"\(fragment)\"", timeout: timeout) { $0.contains(fragment) }
    }

    /// Waits for the process to exit; returns its status, or nil if it was still running.
    func waitForExit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if !process.isRunning { return process.terminationStatus }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// Whether a process with this pid exists (and is not a zombie).
func isAlive(_ pid: pid_t) -> Bool {
    guard kill(pid, 0) == 0 else { return false }
    let status = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
    // Field 3 is the state; Z is a zombie (exited, not yet reaped).
    if let close = status.lastIndex(of: ")") {
        let state = status[status.index(after: close)...].trimmingCharacters(in: .whitespaces).prefix(1)
        return state != "Z"
    }
    return true
}

/// GET a URL and return the status code (nil if the connection failed).
func httpStatus(_ url: String) async -> Int? {
    guard let url = URL(string: url) else { return nil }
    var request = URLRequest(url: url)
    request.timeoutInterval = 5
    guard let (_, response) = try? await URLSession.shared.data(for: request) else { return nil }
    return (response as? HTTPURLResponse)?.statusCode
}
