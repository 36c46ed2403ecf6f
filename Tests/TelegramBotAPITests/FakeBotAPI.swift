import Foundation
import HTTPTestSupport
import Hummingbird
import Logging
import Synchronization

/// A local stand-in for Telegram's Bot API over real HTTP: records every request and answers
/// with scripted replies, per method, in order.
final class FakeBotAPI: Sendable {
    /// One request as the server received it.
    struct Recorded: Sendable {
        /// The raw request path, e.g. `/bot123:abc/sendMessage`.
        let path: String
        /// The path segment after `bot`.
        let token: String
        let method: String
        let httpMethod: String
        let contentType: String?
        let body: JSONValue?
    }

    /// What to answer.
    indirect enum Reply: Sendable {
        case json(status: Int, String)
        case html(status: Int, String)
        /// Waits this long, then answers.
        case delayed(seconds: Double, Reply)

        /// `{"ok":true,"result":<result>}`.
        static func ok(_ result: String) -> Reply { .json(status: 200, #"{"ok":true,"result":\#(result)}"#) }

        /// Telegram's failure shape; `parameters` is a JSON object text or nil.
        static func failure(_ code: Int, _ description: String, parameters: String? = nil) -> Reply {
            var body = #"{"ok":false,"error_code":\#(code),"description":\#(jsonString(description))"#
            if let parameters { body += #","parameters":\#(parameters)"# }
            return .json(status: code, body + "}")
        }
    }

    private struct State {
        var recorded: [Recorded] = []
        var scripted: [String: [Reply]] = [:]
    }

    private let state = Mutex(State())

    /// Queues replies for `method`; each request takes the next one. Without a script a
    /// method is answered 404 like Telegram answers an unknown method.
    func script(_ method: String, _ replies: Reply...) {
        state.withLock { $0.scripted[method, default: []].append(contentsOf: replies) }
    }

    var requests: [Recorded] { state.withLock { $0.recorded } }

    /// Waits (up to `seconds`) until `count` requests have arrived.
    func waitForRequests(_ count: Int, seconds: Double = 20) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if requests.count >= count { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    fileprivate func respond(to request: Request) async throws -> Response {
        var request = request
        let buffer = try await request.collectBody(upTo: 1 << 20)
        let data = Data(buffer.readableBytesView)
        let path = request.uri.path
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        let token = segments.first.map { $0.hasPrefix("bot") ? String($0.dropFirst(3)) : "" } ?? ""
        let method = segments.count >= 2 ? String(segments[segments.count - 1]) : ""
        let recorded = Recorded(
            path: path, token: token, method: method, httpMethod: request.method.rawValue,
            contentType: request.headers[.contentType],
            body: try? JSONDecoder().decode(JSONValue.self, from: data))
        let reply = state.withLock { state -> Reply in
            state.recorded.append(recorded)
            guard var queue = state.scripted[method], !queue.isEmpty else {
                return .failure(404, "Not Found")
            }
            let next = queue.removeFirst()
            state.scripted[method] = queue
            return next
        }
        return try await Self.response(for: reply)
    }

    private static func response(for reply: Reply) async throws -> Response {
        switch reply {
        case .json(let status, let text):
            return Response(
                status: .init(code: status), headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: text)))
        case .html(let status, let text):
            return Response(
                status: .init(code: status), headers: [.contentType: "text/html"],
                body: .init(byteBuffer: ByteBuffer(string: text)))
        case .delayed(let seconds, let then):
            try await Task.sleep(for: .seconds(seconds))
            return try await response(for: then)
        }
    }
}

/// Runs `body` with a fake Bot API listening on 127.0.0.1 on a free port; stops it afterwards.
func withFakeBotAPI<R: Sendable>(_ body: (FakeBotAPI, URL) async throws -> R) async throws -> R {
    let fake = FakeBotAPI()
    do {
        return try await LocalHTTPServer.serve(
            port: 0, logger: Logger(label: "fake-bot-api"), respond: { request in try await fake.respond(to: request) }
        ) { url in try await body(fake, url) }
    } catch is LocalHTTPServer.DidNotStart {
        throw FakeServerDidNotStart()
    }
}


struct FakeServerDidNotStart: Error {}

/// `s` as a JSON string literal.
func jsonString(_ s: String) -> String {
    let data = (try? JSONEncoder().encode(s)) ?? Data("\"\"".utf8)
    return String(decoding: data, as: UTF8.self)
}
