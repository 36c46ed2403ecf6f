import Foundation
import HTTPTestSupport
import Hummingbird
import Logging
import Synchronization

/// A local stand-in for Telegram's Bot API over real HTTP. It records every call with the
/// times it arrived and was answered, answers scripted replies per method (optionally per
/// chat), and otherwise behaves like Telegram for what the roles use: `sendMessage` returns a
/// message with a new id, edits return the edited message, `getUpdates` keeps a queue of
/// updates with Telegram's offset semantics and long polling (a second poll ends the first
/// with 409), everything else answers `true`.
public final class FakeBotAPI: Sendable {
    public typealias Instant = ContinuousClock.Instant

    /// One call as the fake received it.
    public struct Call: Sendable {
        public let index: Int
        /// The raw request path, e.g. `/bot123:abc/sendMessage`.
        public let path: String
        public let method: String
        /// The path segment after `bot` (the token).
        public let token: String
        /// The HTTP verb and content type the client sent.
        public let httpMethod: String
        public let contentType: String?
        public let body: JSONValue?
        public let arrived: Instant
        public var answered: Instant?
        public var status: Int?

        public var chatID: Int64? { body?["chat_id"]?.int }
        public var text: String? { body?["text"]?.string }
        public var offset: Int64? { body?["offset"]?.int }
    }

    /// What to answer.
    public indirect enum Reply: Sendable {
        case json(status: Int, String)
        case html(status: Int, String)
        /// Waits, then answers.
        case delayed(Duration, Reply)
        /// What the fake does by default for the method.
        case standard

        public static func ok(_ result: String) -> Reply { .json(status: 200, #"{"ok":true,"result":\#(result)}"#) }

        /// Telegram's failure shape; `parameters` is a JSON object text or nil.
        public static func failure(_ code: Int, _ description: String, parameters: String? = nil) -> Reply {
            var body = #"{"ok":false,"error_code":\#(code),"description":\#(jsonString(description))"#
            if let parameters { body += #","parameters":\#(parameters)"# }
            return .json(status: code, body + "}")
        }

        public static func tooManyRequests(retryAfter seconds: Int) -> Reply {
            failure(429, "Too Many Requests: retry after \(seconds)", parameters: #"{"retry_after":\#(seconds)}"#)
        }

        public static let badGatewayHTML = Reply.html(
            status: 502, "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n")
    }

    private struct State {
        var calls: [Call] = []
        var scripted: [String: [Reply]] = [:]
        var delays: [String: Duration] = [:]
        var nextMessageID: Int64 = 1000
        // getUpdates
        var updates: [(id: Int64, json: String)] = []
        var pollGeneration = 0
    }

    private let state = Mutex(State())
    /// The bot `getMe` describes.
    public let botID: Int64
    public let botUsername: String

    public init(botID: Int64 = 123456, botUsername: String = "RaiseDashBot") {
        self.botID = botID
        self.botUsername = botUsername
    }

    // MARK: Scripting

    /// Queues replies for `method` (for calls to `chatID` only, when given); each matching
    /// call takes the next one, then the method is back to its standard behaviour.
    public func script(_ method: String, chat chatID: Int64? = nil, _ replies: Reply...) {
        state.withLock { $0.scripted[Self.key(method, chatID), default: []].append(contentsOf: replies) }
    }

    /// Delays every answer to `method` (standard or scripted) by `delay`.
    public func delay(_ method: String, by delay: Duration) {
        state.withLock { $0.delays[method] = delay }
    }

    /// Adds updates for `getUpdates` (the JSON of each whole update, with its `update_id`).
    public func push(_ updates: [(id: Int64, json: String)]) {
        state.withLock { $0.updates.append(contentsOf: updates) }
    }

    /// Updates not yet confirmed.
    public var unconfirmed: [Int64] { state.withLock { $0.updates.map(\.id) } }

    // MARK: Inspection

    public var calls: [Call] { state.withLock { $0.calls } }

    public func calls(_ method: String) -> [Call] { calls.filter { $0.method == method } }

    /// Waits until `condition` holds for the calls so far; returns them. Throws after `timeout`.
    @discardableResult
    public func waitFor(
        _ what: String, timeout: Duration = .seconds(20), _ condition: ([Call]) -> Bool
    ) async throws -> [Call] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let calls = self.calls
            if condition(calls) { return calls }
            guard ContinuousClock.now < deadline else { throw FakeTimeout(what: what, calls: calls) }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    // MARK: Serving

    fileprivate func respond(to request: Request) async throws -> Response {
        var request = request
        let buffer = try await request.collectBody(upTo: 1 << 20)
        let arrived = ContinuousClock.now
        let body = JSONValue.parse(Data(buffer.readableBytesView))
        let segments = request.uri.path.split(separator: "/", omittingEmptySubsequences: true)
        let token = segments.first.map { $0.hasPrefix("bot") ? String($0.dropFirst(3)) : "" } ?? ""
        let method = segments.count >= 2 ? String(segments[segments.count - 1]) : ""
        let chatID = body?["chat_id"]?.int
        let (index, reply, delay) = state.withLock { state -> (Int, Reply, Duration?) in
            let index = state.calls.count
            state.calls.append(
                Call(
                    index: index, path: request.uri.path, method: method, token: token, httpMethod: request.method.rawValue,
                    contentType: request.headers[.contentType], body: body, arrived: arrived))
            var reply = Reply.standard
            for key in [Self.key(method, chatID), Self.key(method, nil)] {
                if var queue = state.scripted[key], !queue.isEmpty {
                    reply = queue.removeFirst()
                    state.scripted[key] = queue
                    break
                }
            }
            return (index, reply, state.delays[method])
        }
        if let delay { try? await Task.sleep(for: delay) }
        let (status, contentType, text) = await answer(reply, method: method, body: body)
        state.withLock { state in
            state.calls[index].answered = ContinuousClock.now
            state.calls[index].status = status
        }
        return Response(
            status: .init(code: status), headers: [.contentType: contentType],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    private func answer(_ reply: Reply, method: String, body: JSONValue?) async -> (Int, String, String) {
        switch reply {
        case .json(let status, let text): return (status, "application/json", text)
        case .html(let status, let text): return (status, "text/html", text)
        case .delayed(let delay, let then):
            try? await Task.sleep(for: delay)
            return await answer(then, method: method, body: body)
        case .standard:
            return await answer(await standard(method: method, body: body), method: method, body: body)
        }
    }

    /// Telegram's behaviour for the methods the roles call.
    private func standard(method: String, body: JSONValue?) async -> Reply {
        let chatID = body?["chat_id"]?.int ?? 0
        switch method {
        case "getMe":
            return .ok(#"{"id":\#(botID),"is_bot":true,"first_name":"RaiseDash","username":"\#(botUsername)","can_join_groups":true}"#)
        case "sendMessage":
            let id = state.withLock { state in
                defer { state.nextMessageID += 1 }
                return state.nextMessageID
            }
            return .ok(Self.message(id: id, chatID: chatID, text: body?["text"]?.string ?? ""))
        case "editMessageText", "editMessageReplyMarkup":
            return .ok(Self.message(id: body?["message_id"]?.int ?? 0, chatID: chatID, text: body?["text"]?.string ?? "edited"))
        case "getUpdates":
            return await pollUpdates(body: body)
        case "":
            return .failure(404, "Not Found")
        default:
            return .ok("true")
        }
    }

    /// Telegram's getUpdates: confirms below `offset`, returns up to `limit` updates from
    /// there, waits up to `timeout` seconds for one; a newer poll ends this one with 409.
    private func pollUpdates(body: JSONValue?) async -> Reply {
        let offset = body?["offset"]?.int
        let limit = Int(body?["limit"]?.int ?? 100)
        let timeout = Double(body?["timeout"]?.int ?? 0)
        let generation = state.withLock { state in
            if let offset { state.updates.removeAll { $0.id < offset } }
            state.pollGeneration += 1
            return state.pollGeneration
        }
        let deadline = ContinuousClock.now + .seconds(timeout)
        while true {
            let (superseded, batch) = state.withLock { state in
                (state.pollGeneration != generation, Array(state.updates.prefix(max(1, limit))))
            }
            if superseded {
                return .failure(409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running")
            }
            if !batch.isEmpty || ContinuousClock.now >= deadline || Task.isCancelled {
                return .ok("[" + batch.map(\.json).joined(separator: ",") + "]")
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    public static func message(id: Int64, chatID: Int64, text: String) -> String {
        let type = chatID > 0 ? "private" : (chatID <= -1_000_000_000_000 ? "supergroup" : "group")
        return #"{"message_id":\#(id),"date":1767225600,"chat":{"id":\#(chatID),"type":"\#(type)"},"text":\#(jsonString(text))}"#
    }

    private static func key(_ method: String, _ chatID: Int64?) -> String {
        chatID.map { "\(method)#\($0)" } ?? method
    }
}

public struct FakeTimeout: Error, CustomStringConvertible {
    public let what: String
    public let calls: [FakeBotAPI.Call]
    public var description: String {
        "timed out waiting for \(what); calls so far: \(calls.map { "\($0.method)(\($0.body?.description.prefix(120) ?? ""))" })"
    }
}

public struct FakeServerDidNotStart: Error {}

/// Runs `body` with a fake Bot API listening on 127.0.0.1 on a free port; stops it afterwards.
public func withFakeBotAPI<R: Sendable>(
    _ fake: FakeBotAPI = FakeBotAPI(), port: Int = 0, _ body: (FakeBotAPI, URL) async throws -> R
) async throws -> R {
    do {
        return try await LocalHTTPServer.serve(
            port: port, logger: Logger(label: "fake-bot-api"), respond: { request in try await fake.respond(to: request) }
        ) { url in try await body(fake, url) }
    } catch is LocalHTTPServer.DidNotStart {
        throw FakeServerDidNotStart()
    }
}

