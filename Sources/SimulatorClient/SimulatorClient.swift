import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A typed client for the Telegram simulator's control API (docs/simulator.md): one method per
/// route, used by the demo, the benchmarks and the end-to-end tests to act as the people in
/// the simulated chats and to steer the simulated Telegram.
///
/// Every answer is `{"ok": true, "result": ...}`; anything else throws a
/// `SimulatorClientError` with the HTTP status and the simulator's own explanation.
public struct SimulatorClient: Sendable {
    /// The simulator's root, e.g. `http://127.0.0.1:8081` (the control API is under `/control/`).
    public let base: URL
    let session: URLSession
    let requestTimeout: TimeInterval
    let onRequest: (@Sendable (_ path: String) -> Void)?

    /// - Parameters:
    ///   - session: the session requests go through (a benchmark passes one allowing many
    ///     connections per host).
    ///   - requestTimeout: how long one request may take, unless a method says otherwise
    ///     (`waitForChange` waits longer).
    ///   - onRequest: told the path of every request before it is sent (the benchmark counts
    ///     what it asks of the simulator).
    public init(
        base: URL, session: URLSession = .shared, requestTimeout: TimeInterval = 30,
        onRequest: (@Sendable (_ path: String) -> Void)? = nil
    ) {
        self.base = base
        self.session = session
        self.requestTimeout = requestTimeout
        self.onRequest = onRequest
    }

    /// The client for a simulator listening on 127.0.0.1 at `port`.
    public init(port: Int, session: URLSession = .shared, requestTimeout: TimeInterval = 30) {
        self.init(base: URL(string: "http://127.0.0.1:\(port)")!, session: session, requestTimeout: requestTimeout)
    }

    // MARK: Transport

    /// Answers are `{"ok": true, "result": ...}` or `{"ok": false, "error": "why"}`.
    private struct Envelope<Result: Decodable>: Decodable {
        let ok: Bool
        let result: Result?
        let error: String?
    }

    /// The body of routes that take none.
    struct NoBody: Encodable {}

    func call<Result: Decodable>(
        _ method: String, _ path: String, query: [URLQueryItem] = [], timeout: TimeInterval? = nil,
        as type: Result.Type = Result.self
    ) async throws -> Result {
        try await call(method, path, body: NoBody?.none, query: query, timeout: timeout, as: type)
    }

    func call<Body: Encodable, Result: Decodable>(
        _ method: String, _ path: String, body: Body?, query: [URLQueryItem] = [], timeout: TimeInterval? = nil,
        as type: Result.Type = Result.self
    ) async throws -> Result {
        let route = "\(method) /control/\(path)"
        var components = URLComponents(url: base.appendingPathComponent("control/" + path), resolvingAgainstBaseURL: false)
        if !query.isEmpty { components?.queryItems = query }
        guard let url = components?.url else { throw SimulatorClientError.unexpectedAnswer(route, "cannot make a URL of \(path)") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.timeoutInterval = timeout ?? requestTimeout
        if let body {
            request.httpBody = try JSONEncoder().encode(body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        onRequest?(url.path)
        let (data, status) = try await perform(request, route: route)
        let envelope: Envelope<Result>
        do {
            envelope = try JSONDecoder().decode(Envelope<Result>.self, from: data)
        } catch {
            guard status == 200 else {
                throw SimulatorClientError.refused(route, status: status, String(decoding: data.prefix(300), as: UTF8.self))
            }
            throw SimulatorClientError.unexpectedAnswer(route, "\(error)")
        }
        guard status == 200, envelope.ok else {
            throw SimulatorClientError.refused(route, status: status, envelope.error ?? "no reason given")
        }
        guard let result = envelope.result else { throw SimulatorClientError.unexpectedAnswer(route, "no result") }
        return result
    }

    /// One request, answered by its completion handler.
    ///
    /// Not `URLSession.data(for:)`: cancelling a task while that call is in flight can
    /// deadlock swift-corelibs-foundation (the task group's cancellation holds the task's
    /// status lock while `URLSessionTask.cancel` waits for the session's queue, and that
    /// queue, finishing the transfer, waits for the same lock to resume the task). Seen when a
    /// benchmark run ends and cancels its call watch, and at Ctrl-C during the demo's set-up.
    /// Requests are short and have timeouts, so letting one finish after its task was
    /// cancelled costs nothing.
    private func perform(_ request: URLRequest, route: String) async throws -> (data: Data, status: Int) {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<(data: Data, status: Int), any Error>) in
            session.dataTask(with: request) { data, response, error in
                if let error {
                    continuation.resume(throwing: SimulatorClientError.unreachable(route, error.localizedDescription))
                } else {
                    continuation.resume(returning: (data ?? Data(), (response as? HTTPURLResponse)?.statusCode ?? 0))
                }
            }.resume()
        }
    }
}
