import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import SimulatorClient
import Testing
@testable import TelegramSimulator

/// A simulator started in-process on a free port, a plain HTTP client for its Bot API and raw
/// access to its control API (these tests check the simulator's own answers, malformed
/// requests included); the people and groups of a test are made with `SimulatorClient`.
/// Everything goes over real HTTP, as a bot would.
struct RunningSimulator: Sendable {
    let server: SimulatorServer
    let port: Int
    let clock: ManualClock
    let session: URLSession

    var token: String { server.configuration.token }
    var base: URL { URL(string: "http://127.0.0.1:\(port)")! }
    var botID: Int { server.botID }
    /// The typed control API client the demo, benchmarks and end-to-end tests use.
    var client: SimulatorClient { SimulatorClient(base: base, session: session) }

    /// A Bot API answer: the HTTP status and the decoded body.
    struct Reply: Sendable, CustomStringConvertible {
        var status: Int
        var body: JSONValue
        var rawBody: String
        var contentType: String

        var ok: Bool { body["ok"] == .bool(true) }
        var result: JSONValue? { body["result"] }
        var errorCode: Int? { body["error_code"]?.intValue }
        var errorDescription: String? { body["description"]?.stringValue }
        var parameters: JSONValue? { body["parameters"] }
        var description: String { "HTTP \(status): \(rawBody.prefix(500))" }
    }

    /// Calls a Bot API method with a JSON body.
    func bot(_ method: String, _ parameters: JSONValue = [:], token: String? = nil) async throws -> Reply {
        var request = URLRequest(url: base.appendingPathComponent("bot\(token ?? self.token)/\(method)"))
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = parameters.serialized
        return try await send(request)
    }

    /// Calls a Bot API method with a form-encoded body.
    func botForm(_ method: String, _ fields: [(String, String)]) async throws -> Reply {
        var request = URLRequest(url: base.appendingPathComponent("bot\(token)/\(method)"))
        request.httpMethod = "POST"
        request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(Self.formEncode(fields).utf8)
        return try await send(request)
    }

    /// Calls a Bot API method with GET and a query string.
    func botQuery(_ method: String, _ fields: [(String, String)]) async throws -> Reply {
        var components = URLComponents(url: base.appendingPathComponent("bot\(token)/\(method)"), resolvingAgainstBaseURL: false)!
        components.percentEncodedQuery = Self.formEncode(fields)
        return try await send(URLRequest(url: components.url!))
    }

    static func formEncode(_ fields: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return fields.map { name, value in
            "\(name.addingPercentEncoding(withAllowedCharacters: allowed) ?? name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
        }.joined(separator: "&")
    }

    /// Calls a Bot API method and requires success; returns `result`.
    @discardableResult
    func botOK(_ method: String, _ parameters: JSONValue = [:], sourceLocation: SourceLocation = #_sourceLocation) async throws -> JSONValue {
        let reply = try await bot(method, parameters)
        #expect(reply.ok, "\(method) failed: \(reply)", sourceLocation: sourceLocation)
        return try #require(reply.result, "\(method) answered no result: \(reply)", sourceLocation: sourceLocation)
    }

    /// Calls the control API; returns the raw reply.
    func controlReply(_ httpMethod: String, _ path: String, _ body: JSONValue? = nil) async throws -> Reply {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/control/\(path)")!)
        request.httpMethod = httpMethod
        if let body {
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = body.serialized
        }
        return try await send(request)
    }

    /// Calls the control API and requires success; returns `result`.
    @discardableResult
    func control(_ httpMethod: String, _ path: String, _ body: JSONValue? = nil,
                 sourceLocation: SourceLocation = #_sourceLocation) async throws -> JSONValue {
        let reply = try await controlReply(httpMethod, path, body)
        #expect(reply.status == 200 && reply.ok, "control \(httpMethod) \(path) failed: \(reply)", sourceLocation: sourceLocation)
        return try #require(reply.result, "control answered no result: \(reply)", sourceLocation: sourceLocation)
    }

    func send(_ request: URLRequest) async throws -> Reply {
        let (data, response) = try await session.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        let text = String(decoding: data, as: UTF8.self)
        return Reply(
            status: http.statusCode,
            body: JSONValue.parse(data) ?? .null,
            rawBody: text,
            contentType: http.value(forHTTPHeaderField: "Content-Type") ?? ""
        )
    }

    // MARK: Fixtures

    /// Creates a user and returns its id.
    func user(_ firstName: String, username: String? = nil, id: Int? = nil) async throws -> Int {
        Int(try await client.addUser(NewUser(id: id.map(Int64.init), firstName: firstName, username: username)).id)
    }

    /// Creates a group with these members and the bot in it; returns the chat id.
    func group(
        _ title: String = "Dispatch", type: ChatType = .group, members: [Int],
        bot: BotRights = BotRights(status: .administrator, canPinMessages: true)
    ) async throws -> Int {
        Int(try await client.createChat(NewChat(title: title, type: type, members: members.map(Int64.init), bot: bot)).id)
    }

    /// Fetches and confirms everything pending, so a test starts from a quiet queue.
    @discardableResult
    func drainUpdates() async throws -> [JSONValue] {
        let updates = try await botOK("getUpdates", ["timeout": 0])
        let list = updates.arrayValue ?? []
        if let last = list.last?["update_id"]?.intValue {
            _ = try await botOK("getUpdates", ["offset": .int(last + 1), "timeout": 0])
        }
        return list
    }

    /// A bot message with an inline keyboard; returns its message id.
    func sendCard(_ chatID: Int, text: String, buttons: [(String, String)]) async throws -> Int {
        let row = JSONValue.array(buttons.map { ["text": .string($0.0), "callback_data": .string($0.1)] })
        let message = try await botOK("sendMessage", [
            "chat_id": .int(chatID), "text": .string(text), "parse_mode": "HTML",
            "reply_markup": ["inline_keyboard": [row]],
        ])
        return try #require(message["message_id"]?.intValue)
    }

    func transcript(_ chatID: Int) async throws -> JSONValue {
        try await control("GET", "chats/\(chatID)")
    }

    func message(_ chatID: Int, _ messageID: Int) async throws -> JSONValue {
        let messages = try await transcript(chatID)["messages"]?.arrayValue ?? []
        return try #require(messages.first { $0["message_id"]?.intValue == messageID }, "no message \(messageID)")
    }
}

/// Starts a simulator on port 0 with a manual clock, runs `body`, and stops the simulator.
func withSimulator<T: Sendable>(
    configure: (inout SimulatorConfiguration) -> Void = { _ in },
    _ body: (RunningSimulator) async throws -> T
) async throws -> T {
    let clock = ManualClock()
    var configuration = SimulatorConfiguration(port: 0, clock: clock)
    configure(&configuration)
    var logger = Logger(label: "simulator-test")
    logger.logLevel = .warning
    let server = try SimulatorServer(configuration: configuration, logger: logger)
    let sessionConfiguration = URLSessionConfiguration.ephemeral
    sessionConfiguration.timeoutIntervalForRequest = 120
    sessionConfiguration.httpMaximumConnectionsPerHost = 16
    let session = URLSession(configuration: sessionConfiguration)
    defer { session.finishTasksAndInvalidate() }
    return try await withThrowingTaskGroup(of: Void.self, returning: T.self) { group in
        group.addTask { try await server.run() }
        do {
            let port = try await server.listeningPort()
            let running = RunningSimulator(server: server, port: port, clock: clock, session: session)
            let result = try await body(running)
            group.cancelAll()
            return result
        } catch {
            group.cancelAll()
            throw error
        }
    }
}
