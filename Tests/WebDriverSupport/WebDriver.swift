import Foundation
import ProcessLauncher
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// A small W3C WebDriver client over plain HTTP and JSON, driving Debian's chromium through
/// chromedriver. Shared by the tests that drive a page in headless Chromium (the simulator's
/// chat page, the dashboard).
public struct WebDriverSession: Sendable {
    public let driverURL: URL
    public let sessionID: String

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    static let elementKey = "element-6066-11e4-a52e-4f735466cecf"

    /// A JSON value as JSONSerialization reads it (Sendable by construction: only JSON types).
    public struct JSON: @unchecked Sendable, CustomStringConvertible {
        // Safe: holds only the immutable Foundation JSON types JSONSerialization produces.
        public let value: Any?
        public init(_ value: Any?) { self.value = value }
        public subscript(_ key: String) -> JSON { JSON((value as? [String: Any])?[key]) }
        public var stringValue: String? { value as? String }
        public var boolValue: Bool? { value as? Bool }
        public var description: String {
            guard let value, JSONSerialization.isValidJSONObject(value),
                  let data = try? JSONSerialization.data(withJSONObject: value) else { return "\(value ?? "null")" }
            return String(decoding: data, as: UTF8.self)
        }
    }

    static func serialize(_ body: [String: Any]) -> Data {
        (try? JSONSerialization.data(withJSONObject: body)) ?? Data("{}".utf8)
    }

    /// One WebDriver command. chromedriver writes headers without a space after the colon
    /// ("Content-Length:250"), which FoundationNetworking's URLSession rejects ("Failed writing
    /// header"), so commands go over ``PlainHTTP`` instead.
    public static func command(_ url: URL, method: String, body: [String: Any]?) async throws -> (Int, JSON) {
        let response = try await PlainHTTP.send(
            method: method, host: url.host ?? "127.0.0.1", port: url.port ?? 80, path: url.path,
            body: body.map(serialize) ?? (method == "POST" ? Data("{}".utf8) : nil)
        )
        let parsed = try? JSONSerialization.jsonObject(with: response.body, options: [.fragmentsAllowed])
        return (response.status, JSON(parsed)["value"])
    }

    public static func start(driverURL: URL, browser: String) async throws -> WebDriverSession {
        let (status, value) = try await command(driverURL.appendingPathComponent("session"), method: "POST", body: [
            "capabilities": ["alwaysMatch": [
                "browserName": "chrome",
                "goog:chromeOptions": [
                    "binary": browser,
                    "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"],
                ] as [String: Any],
            ] as [String: Any]] as [String: Any],
        ])
        guard status == 200, let id = value["sessionId"].stringValue else {
            throw Failure(description: "chromedriver could not start a session (HTTP \(status)): \(value)")
        }
        return WebDriverSession(driverURL: driverURL, sessionID: id)
    }

    private func call(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> (Int, JSON) {
        try await Self.command(driverURL.appendingPathComponent("session/\(sessionID)/\(path)"), method: method, body: body)
    }

    public func navigate(to url: URL) async throws {
        let (status, value) = try await call("POST", "url", ["url": url.absoluteString])
        guard status == 200 else { throw Failure(description: "navigation failed: \(value)") }
    }

    /// The element matching a CSS selector, or nil if there is none yet.
    public func element(_ selector: String) async throws -> String? {
        let (status, value) = try await call("POST", "element", ["using": "css selector", "value": selector])
        guard status == 200 else { return nil }
        return value[Self.elementKey].stringValue
    }

    /// Waits (generously) for an element to appear.
    public func waitForElement(_ selector: String, timeout: Duration = .seconds(30)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let id = try await element(selector) { return id }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Failure(description: "no element \(selector) after \(timeout); page: \(try await pageText())")
    }

    public func click(_ element: String) async throws {
        let (status, value) = try await call("POST", "element/\(element)/click", [:])
        guard status == 200 else { throw Failure(description: "click failed: \(value)") }
    }

    public func type(_ text: String, into element: String) async throws {
        let (status, value) = try await call("POST", "element/\(element)/value", ["text": text])
        guard status == 200 else { throw Failure(description: "typing failed: \(value)") }
    }

    public func text(_ element: String) async throws -> String? {
        let (status, value) = try await call("GET", "element/\(element)/text")
        return status == 200 ? value.stringValue : nil
    }

    /// Waits until the element matching `selector` shows exactly `expected`.
    public func waitForText(_ selector: String, _ expected: String, timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        var last: String?
        while ContinuousClock.now < deadline {
            if let id = try await element(selector) {
                last = try await text(id)
                if last == expected { return }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Failure(description: "\(selector) shows \(last.map { "\"\($0)\"" } ?? "nothing"), not \"\(expected)\"")
    }

    public func script(_ source: String) async throws -> JSON {
        try await call("POST", "execute/sync", ["script": source, "args": [Any]()]).1
    }

    public func pageText() async throws -> String {
        try await script("return document.body ? document.body.innerText : ''").stringValue ?? ""
    }

    public func end() async {
        _ = try? await Self.command(driverURL.appendingPathComponent("session/\(sessionID)"), method: "DELETE", body: nil)
    }
}

/// Finds an executable on the PATH (or at one of `absolute` paths).
public func findExecutable(_ names: [String], absolute: [String] = []) -> String? {
    let fileManager = FileManager.default
    for path in absolute where fileManager.isExecutableFile(atPath: path) { return path }
    let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":")
    for name in names {
        for directory in directories {
            let path = "\(directory)/\(name)"
            if fileManager.isExecutableFile(atPath: path) { return path }
        }
    }
    return nil
}

/// A TCP port nobody listens on right now (bound to port 0, read back, released).
public func freeTCPPort() throws -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw WebDriverSession.Failure(description: "socket() failed") }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw WebDriverSession.Failure(description: "bind() failed") }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
    }
    guard named == 0 else { throw WebDriverSession.Failure(description: "getsockname() failed") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Runs chromedriver on a free port for the duration of `body`.
public func withChromeDriver<T: Sendable>(
    driver: String, _ body: (URL) async throws -> T
) async throws -> T {
    let port = try freeTCPPort()
    let log = FileManager.default.temporaryDirectory.appendingPathComponent("chromedriver-\(port)-\(UUID().uuidString).log")
    FileManager.default.createFile(atPath: log.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: log) }
    // Through the test process's one launcher: chromedriver dies with the test process and
    // inherits no other child's pipe.
    let process = try await ProcessLauncher.launch(Launch(
        executable: driver, arguments: ["--port=\(port)", "--allowed-ips=127.0.0.1"],
        output: .file(log.path), error: .sameAsOutput))

    let url = URL(string: "http://127.0.0.1:\(port)")!

    // chromedriver started from the test process does not stop on SIGTERM, so it is asked to
    // shut down over WebDriver and killed only if it has not gone within a few seconds.
    func stop() async {
        _ = try? await WebDriverSession.command(url.appendingPathComponent("shutdown"), method: "GET", body: nil)
        let deadline = ContinuousClock.now + .seconds(5)
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        process.signal(SIGKILL)
        _ = await process.wait()
    }

    do {
        // chromedriver answers /status once it listens.
        let deadline = ContinuousClock.now + .seconds(30)
        var ready = false
        while !ready, ContinuousClock.now < deadline, process.isRunning {
            ready = (try? await WebDriverSession.command(url.appendingPathComponent("status"), method: "GET", body: nil))?.1["ready"].boolValue == true
            if !ready { try await Task.sleep(for: .milliseconds(100)) }
        }
        guard ready else {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw WebDriverSession.Failure(description: "chromedriver did not become ready: \(text.suffix(2000))")
        }
        let result = try await body(url)
        await stop()
        return result
    } catch {
        await stop()
        throw error
    }
}

/// A minimal HTTP/1.1 client over a POSIX socket (one request per connection), run on its own
/// thread so its blocking calls stay off Swift's cooperative pool.
public enum PlainHTTP {
    public struct Response: Sendable {
        public var status: Int
        public var body: Data
    }

    public static func send(method: String, host: String, port: Int, path: String, body: Data?, timeout: Int = 120) async throws -> Response {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Response, any Error>) in
            let thread = Thread {
                continuation.resume(with: Result {
                    try exchange(method: method, host: host, port: port, path: path, body: body, timeout: timeout)
                })
            }
            thread.start()
        }
    }

    private static func exchange(method: String, host: String, port: Int, path: String, body: Data?, timeout: Int) throws -> Response {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw WebDriverSession.Failure(description: "socket() failed") }
        defer { close(descriptor) }
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr(host)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw WebDriverSession.Failure(description: "cannot connect to \(host):\(port)") }

        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\nAccept: application/json\r\n"
        if let body { head += "Content-Type: application/json; charset=utf-8\r\nContent-Length: \(body.count)\r\n" }
        head += "\r\n"
        var request = Data(head.utf8)
        if let body { request.append(body) }
        try request.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < buffer.count {
                let sent = Glibc.send(descriptor, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
                guard sent > 0 else { throw WebDriverSession.Failure(description: "send() failed") }
                offset += sent
            }
        }

        // Read until the body announced by Content-Length is complete (chromedriver keeps the
        // connection open despite "Connection: close"), or until the server closes.
        var received = Data()
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var headerEnd: Range<Data.Index>?
        var expectedLength: Int?
        while true {
            if headerEnd == nil, let found = received.range(of: Data("\r\n\r\n".utf8)) {
                headerEnd = found
                let header = String(decoding: received[received.startIndex..<found.lowerBound], as: UTF8.self)
                for line in header.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
                    expectedLength = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces))
                }
            }
            if let headerEnd, let expectedLength, received.count - headerEnd.upperBound >= expectedLength { break }
            let count = recv(descriptor, &chunk, chunk.count, 0)
            if count == 0 { break }
            guard count > 0 else { throw WebDriverSession.Failure(description: "recv() failed or timed out") }
            received.append(contentsOf: chunk[0..<count])
        }
        guard let separator = headerEnd ?? received.range(of: Data("\r\n\r\n".utf8)) else {
            throw WebDriverSession.Failure(description: "no HTTP header in the answer")
        }
        let header = String(decoding: received[received.startIndex..<separator.lowerBound], as: UTF8.self)
        let statusLine = header.split(separator: "\r\n").first ?? ""
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else {
            throw WebDriverSession.Failure(description: "bad status line \(statusLine)")
        }
        return Response(status: status, body: Data(received[separator.upperBound...]))
    }
}
