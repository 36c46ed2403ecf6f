import Foundation
import ProcessTestSupport
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

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

/// GET a URL and return the status code (nil if the connection failed).
func httpStatus(_ url: String) async -> Int? {
    guard let url = URL(string: url) else { return nil }
    var request = URLRequest(url: url)
    request.timeoutInterval = 5
    guard let (_, response) = try? await URLSession.shared.data(for: request) else { return nil }
    return (response as? HTTPURLResponse)?.statusCode
}
