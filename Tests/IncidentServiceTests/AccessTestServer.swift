import Foundation
import GRDB
import Hummingbird
import IncidentCore
@testable import IncidentService
import Logging
import RaiseDashConfig
import ServiceLifecycle
import Storage
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The admin API over real HTTP on a real SQLite file, for the access tests: also gives the
/// database's path (to compare everything stored before and after) and the route table.
struct AccessTestServer {
    static let platformToken = "platform-token-0123456789-abcdefghij"

    let base: String
    let store: IncidentStore
    let path: String
    let api: AdminAPI

    struct Answer {
        var status: Int
        var text: String
        var json: [String: Any]
    }

    func call(_ method: String, _ path: String, _ body: String? = nil, token: String? = Self.platformToken) async throws -> Answer {
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = method
        request.timeoutInterval = 20
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body { request.httpBody = Data(body.utf8) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return Answer(status: (response as? HTTPURLResponse)?.statusCode ?? 0, text: String(decoding: data, as: UTF8.self), json: json)
    }

    /// Every row of every table, as text, in a stable order; `access_keys.last_used_at` is
    /// left out (using a key moves it, and that is not a write on another company's data).
    func snapshot() throws -> [String] {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in
            var lines: [String] = []
            let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            for table in tables {
                var rows: [String] = []
                for row in try Row.fetchAll(db, sql: "SELECT * FROM \"\(table)\"") {
                    let cells = row.columnNames.filter { !(table == "access_keys" && $0 == "last_used_at") }
                        .map { "\($0)=\(row[$0] as DatabaseValue)" }
                    rows.append("\(table): " + cells.joined(separator: ", "))
                }
                lines += rows.sorted()
            }
            return lines
        }
    }

    static func run(throttle: FailedAuthentications = .init(limit: 10_000), _ body: (AccessTestServer) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rd-access-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("incidents.db").path
        let store = try IncidentStore(path: path, policy: .standard)
        var logger = Logger(label: "test.access")
        logger.logLevel = .critical
        let api = AdminAPI(store: store, token: Secret(platformToken), logger: logger, throttle: throttle)
        try await withAdminAPIServer(api, logger: logger) { base in
            try await body(AccessTestServer(base: base, store: store, path: path, api: api))
        }
    }
}

/// Serves `api` on a free port of 127.0.0.1 for the duration of `body`, which gets the base URL;
/// shut down gracefully afterwards, also when `body` throws.
func withAdminAPIServer(_ api: AdminAPI, logger: Logger, _ body: (String) async throws -> Void) async throws {
    let router = Router()
    api.addRoutes(to: router)
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    let app = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { continuation.yield($0.localAddress?.port ?? 0); continuation.finish() }, logger: logger)
    let services = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await services.run() }
        var iterator = ports.makeAsyncIterator()
        let port = await iterator.next() ?? 0
        do {
            try await body("http://127.0.0.1:\(port)")
        } catch {
            await services.triggerGracefulShutdown()
            throw error
        }
        await services.triggerGracefulShutdown()
        try await group.waitForAll()
    }
}

/// A test's own failure, with a message.
struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
