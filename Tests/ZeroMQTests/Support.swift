import Foundation
import Synchronization
import Testing
import ZeroMQ

/// The transports every pattern is tested over.
enum Transport: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case inproc, ipc, tcp

    var testDescription: String { rawValue }
}

/// Fresh bind endpoints for one test: unique inproc names, ipc socket files in a private temp
/// directory, and `tcp://127.0.0.1:*` so the OS picks a free port. Call ``removeFiles()`` at
/// the end.
struct Endpoints: Sendable {
    let transport: Transport
    let directory: URL

    init(_ transport: Transport) throws {
        self.transport = transport
        // Short path: ipc socket paths must fit in sun_path (108 bytes).
        directory = URL(fileURLWithPath: "/tmp", isDirectory: true)
            .appendingPathComponent("zmqt-\(UUID().uuidString.prefix(8))", isDirectory: true)
        if transport == .ipc {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
    }

    func bindable(_ name: String = "s") -> String {
        switch transport {
        case .inproc: "inproc://\(name)-\(UUID().uuidString)"
        case .ipc: "ipc://\(directory.path)/\(name).sock"
        case .tcp: "tcp://127.0.0.1:*"
        }
    }

    func removeFiles() {
        if transport == .ipc { try? FileManager.default.removeItem(at: directory) }
    }
}

struct TimedOut: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out: \(what)" }
}

/// Runs `body` and fails with ``TimedOut`` if it has not finished within `limit`, even when
/// `body` is stuck in something that ignores cancellation (so a hang fails the test instead of
/// hanging the run). The limits are generous: they catch hangs, they do not measure speed.
func within<T: Sendable>(
    _ limit: Duration = .seconds(30),
    _ what: String,
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let outcome = Mutex<CheckedContinuation<T, any Error>?>(nil)
    let work = Task { try await body() }
    let timer = Task { try await Task.sleep(for: limit) }
    let finish: @Sendable (Result<T, any Error>) -> Void = { result in
        outcome.withLock { continuation in
            continuation?.resume(with: result)
            continuation = nil
        }
    }
    defer {
        timer.cancel()
    }
    return try await withCheckedThrowingContinuation { continuation in
        outcome.withLock { $0 = continuation }
        Task {
            finish(await work.result)
        }
        Task {
            if (try? await timer.value) != nil {
                work.cancel()
                finish(.failure(TimedOut(what: what)))
            }
        }
    }
}

/// The next message on `socket`, failing the test if none arrives in time.
func receive(_ socket: ZMQSocket, _ what: String = "a message") async throws -> [Data] {
    let message = try await within(.seconds(20), what) { try await socket.receive() }
    return try #require(message, "socket closed while waiting for \(what)")
}

/// A message of UTF-8 text frames.
func frames(_ texts: String...) -> [Data] {
    texts.map { Data($0.utf8) }
}

func text(_ data: Data) -> String {
    String(decoding: data, as: UTF8.self)
}

/// Binds, retrying while the address is still being released by a socket closed just before
/// (libzmq closes listeners asynchronously).
func bindRetrying(_ socket: ZMQSocket, _ endpoint: String) async throws -> String {
    try await within(.seconds(20), "bind \(endpoint)") {
        while true {
            do {
                return try await socket.bind(endpoint)
            } catch let error as ZMQError where error.code == .addressInUse {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }
}

/// A counter tasks can share.
final class Counter: Sendable {
    private let storage = Atomic<Int>(0)
    func increment() { storage.add(1, ordering: .relaxed) }
    var value: Int { storage.load(ordering: .relaxed) }
}
