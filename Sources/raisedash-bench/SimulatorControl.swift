import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// JSON over HTTP to the simulator's control API and the incident service's admin API.
struct JSONClient: Sendable {
    let session: URLSession

    /// `connections`: how many requests may be in flight to one host at once (every group's
    /// driver has at most one, plus the call watch's long poll).
    init(connections: Int) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = max(8, connections)
        configuration.timeoutIntervalForRequest = 60
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        session = URLSession(configuration: configuration)
    }

    /// The status of a GET, or nil when nothing answered.
    func status(_ url: URL) async -> Int? {
        var request = URLRequest(url: url)
        request.timeoutInterval = 5
        guard let (_, response) = try? await session.data(for: request) else { return nil }
        return (response as? HTTPURLResponse)?.statusCode
    }

    /// Sends `body` as JSON and returns the answer's bytes; any status outside `accept` is an
    /// error naming the method, path, status and the start of the answer (never a token:
    /// the admin token travels in a header, which is never shown).
    func send(
        _ method: String, _ url: URL, _ body: [String: any Sendable]? = nil, bearer: String? = nil,
        accept: Set<Int> = [200, 201, 204], timeout: TimeInterval = 30
    ) async throws -> Data {
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.timeoutInterval = timeout
        if let bearer { request.setValue("Bearer \(bearer)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(for: request)
        } catch {
            throw LoadFailure("\(method) \(url.path) failed: \(error.localizedDescription)")
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard accept.contains(status) else {
            throw LoadFailure("\(method) \(url.path) answered \(status): \(String(decoding: data.prefix(300), as: UTF8.self))")
        }
        return data
    }
}

/// The simulator's control API (docs/simulator.md), the calls the benchmark makes.
struct SimulatorControl: Sendable {
    let base: URL
    let http: JSONClient

    private func url(_ path: String, query: [URLQueryItem] = []) -> URL {
        var components = URLComponents(url: base.appendingPathComponent("control/" + path), resolvingAgainstBaseURL: false)
        if !query.isEmpty { components?.queryItems = query }
        return components?.url ?? base
    }

    /// Answers are `{"ok": true, "result": ...}`.
    private struct Answer<Result: Decodable>: Decodable {
        let ok: Bool
        let result: Result?
        let error: String?
    }

    private func call<Result: Decodable>(
        _ method: String, _ path: String, _ body: [String: any Sendable]? = nil, query: [URLQueryItem] = [],
        as type: Result.Type, timeout: TimeInterval = 30
    ) async throws -> Result {
        let data = try await http.send(method, url(path, query: query), body, timeout: timeout)
        let answer: Answer<Result>
        do {
            answer = try JSONDecoder().decode(Answer<Result>.self, from: data)
        } catch {
            throw LoadFailure("the simulator's answer to \(method) /control/\(path) is not what the benchmark expects: \(error)")
        }
        guard answer.ok, let result = answer.result else {
            throw LoadFailure("\(method) /control/\(path) refused: \(answer.error ?? "no result")")
        }
        return result
    }

    struct Ignored: Decodable {}

    func addUser(id: Int64, firstName: String, username: String) async throws {
        _ = try await call("POST", "users", ["id": id, "first_name": firstName, "username": username], as: Ignored.self)
    }

    func addSupergroup(id: Int64, title: String, creator: Int64, members: [Int64]) async throws {
        _ = try await call("POST", "chats", [
            "type": "supergroup", "id": id, "title": title, "creator": creator, "members": members,
            "bot": ["status": "administrator", "can_pin_messages": true, "can_delete_messages": true] as [String: any Sendable],
        ], as: Ignored.self)
    }

    func setLimits(enabled: Bool) async throws {
        _ = try await call("PUT", "limits", ["enabled": enabled], as: Ignored.self)
    }

    struct Posted: Decodable {
        let message_id: Int
    }

    /// A person writes in a chat, as a reply to `replyTo` when given; returns the message id.
    func post(chat: Int64, from: Int64, text: String, replyTo: Int? = nil) async throws -> Int {
        var body: [String: any Sendable] = ["from": from, "text": text]
        if let replyTo { body["reply_to_message_id"] = replyTo }
        return try await call("POST", "chats/\(chat)/messages", body, as: Posted.self).message_id
    }

    /// A person sends `/command` as a reply to `replyTo` when given; returns the message id.
    func command(chat: Int64, from: Int64, _ command: String, replyTo: Int? = nil) async throws -> Int {
        var body: [String: any Sendable] = ["from": from, "command": command]
        if let replyTo { body["reply_to_message_id"] = replyTo }
        return try await call("POST", "chats/\(chat)/commands", body, as: Posted.self).message_id
    }

    struct CallbackQuery: Decodable {
        struct AnswerBody: Decodable {
            let text: String?
            let show_alert: Bool?
        }

        let id: String
        let answered: Bool
        let answer: AnswerBody?
    }

    /// A person presses the button labelled `button` on a message; returns the callback query.
    func press(chat: Int64, message: Int, button: String, as user: Int64) async throws -> CallbackQuery {
        try await call("POST", "chats/\(chat)/messages/\(message)/press", ["from": user, "button_text": button], as: CallbackQuery.self)
    }

    func callback(_ id: String) async throws -> CallbackQuery {
        try await call("GET", "callbacks/\(id)", as: CallbackQuery.self)
    }

    struct Transcript: Decodable {
        let messages: [Message]
    }

    struct Message: Decodable {
        struct Sender: Decodable {
            let id: Int64
            let is_bot: Bool?
        }

        struct Button: Decodable {
            let text: String
        }

        struct ForceReplyMarkup: Decodable {}

        let message_id: Int
        let from: Sender?
        let text: String?
        let buttons: [[Button]]?
        let reply_to_message_id: Int?
        let force_reply: ForceReplyMarkup?
        let pinned: Bool?

        var isBot: Bool { from?.is_bot == true }
        var buttonLabels: [String] { (buttons ?? []).flatMap { $0.map(\.text) } }
    }

    func transcript(_ chat: Int64) async throws -> Transcript {
        try await call("GET", "chats/\(chat)", as: Transcript.self)
    }

    struct Version: Decodable {
        let version: Int
    }

    /// Returns as soon as the simulator's state version differs from `version`, or after
    /// `timeout` seconds.
    func waitForChange(after version: Int, timeout: Double) async throws -> Int {
        try await call(
            "GET", "wait",
            query: [URLQueryItem(name: "version", value: "\(version)"), URLQueryItem(name: "timeout", value: "\(timeout)")],
            as: Version.self, timeout: timeout + 30
        ).version
    }

    struct Call: Decodable {
        let sequence: Int
        let method: String
        let chat_id: Int64?
        let ok: Bool
        let error_code: Int?
    }

    /// Bot API calls after `since` (the log keeps the last 10 000).
    func calls(since: Int) async throws -> [Call] {
        try await call("GET", "calls", query: [URLQueryItem(name: "since", value: "\(since)")], as: [Call].self)
    }
}

/// The incident service's admin API, as an administrator sets up a company.
struct AdminClient: Sendable {
    let base: URL
    let token: String
    let http: JSONClient

    private struct Created: Decodable {
        let id: Int64
    }

    private func post(_ path: String, _ body: [String: any Sendable]) async throws -> Int64 {
        let data = try await http.send("POST", base.appendingPathComponent("api/v1/" + path), body, bearer: token)
        guard let created = try? JSONDecoder().decode(Created.self, from: data) else {
            throw LoadFailure("POST /api/v1/\(path) answered without an id")
        }
        return created.id
    }

    func createCompany(name: String) async throws -> Int64 {
        try await post("companies", ["name": name])
    }

    func createDepartment(company: Int64, name: String) async throws -> Int64 {
        try await post("companies/\(company)/departments", ["name": name, "restricted": false])
    }

    func addMember(department: Int64, user: Int64) async throws {
        _ = try await http.send("POST", base.appendingPathComponent("api/v1/departments/\(department)/members"), ["user_id": user], bearer: token)
    }

    func activateGroup(chat: Int64, company: Int64, managers: [Int64]) async throws {
        _ = try await http.send(
            "PUT", base.appendingPathComponent("api/v1/groups/\(chat)"), ["company_id": company, "manager_user_ids": managers],
            bearer: token)
    }
}
