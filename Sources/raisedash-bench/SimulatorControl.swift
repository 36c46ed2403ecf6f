import Foundation
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// JSON over HTTP to the simulator's control API and the incident service's admin API.
struct JSONClient: Sendable {
    let session: URLSession
    /// Requests made, by kind, for the report: what the benchmark itself asks of the system.
    let requests = RequestCount()

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
        return try? await perform(request).status
    }

    /// One request, answered by its completion handler.
    ///
    /// Not `URLSession.data(for:)`: cancelling a task while that call is in flight can
    /// deadlock swift-corelibs-foundation (the task group's cancellation holds the task's
    /// status lock while `URLSessionTask.cancel` waits for the session's queue, and that
    /// queue, finishing the transfer, waits for the same lock to resume the task). Seen here
    /// when a run ends and cancels its call watch. Requests are short and have timeouts, so
    /// letting a request finish after its task was cancelled costs nothing.
    func perform(_ request: URLRequest) async throws -> (data: Data, status: Int) {
        requests.add(request.url?.path ?? "")
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<(data: Data, status: Int), any Error>) in
            let task = session.dataTask(with: request) { data, response, error in
                if let error {
                    continuation.resume(throwing: error)
                } else {
                    continuation.resume(returning: (data ?? Data(), (response as? HTTPURLResponse)?.statusCode ?? 0))
                }
            }
            task.resume()
        }
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
        let status: Int
        do {
            (data, status) = try await perform(request)
        } catch {
            throw LoadFailure("\(method) \(url.path) failed: \(error.localizedDescription)")
        }
        guard accept.contains(status) else {
            throw LoadFailure("\(method) \(url.path) answered \(status): \(String(decoding: data.prefix(300), as: UTF8.self))")
        }
        return data
    }
}

/// Requests counted by kind: transcript reads, other control API calls, admin API calls.
final class RequestCount: Sendable {
    struct Counts: Sendable {
        var transcripts = 0
        var control = 0
        var other = 0
    }

    private let counts = Mutex(Counts())

    func add(_ path: String) {
        counts.withLock { counts in
            if path.hasPrefix("/control/chats/"), path.split(separator: "/").count == 3 {
                counts.transcripts += 1
            } else if path.hasPrefix("/control/") {
                counts.control += 1
            } else {
                counts.other += 1
            }
        }
    }

    var now: Counts { counts.withLock { $0 } }
}

extension RequestCount.Counts {
    func since(_ earlier: Self) -> Self {
        Self(transcripts: transcripts - earlier.transcripts, control: control - earlier.control, other: other - earlier.other)
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
        /// The update the bot gets for it (none when privacy mode keeps it from the bot).
        let update_id: Int?
    }

    /// A person writes in a chat, as a reply to `replyTo` when given.
    func post(chat: Int64, from: Int64, text: String, replyTo: Int? = nil) async throws -> Posted {
        var body: [String: any Sendable] = ["from": from, "text": text]
        if let replyTo { body["reply_to_message_id"] = replyTo }
        return try await call("POST", "chats/\(chat)/messages", body, as: Posted.self)
    }

    private struct PendingUpdate: Decodable {
        let update_id: Int
    }

    /// Updates the bot has not confirmed yet (the gateway confirms an update only once the
    /// incident service has durably processed it).
    func pendingUpdateIDs() async throws -> Set<Int> {
        Set(try await call("GET", "updates", as: [PendingUpdate].self).map(\.update_id))
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
        /// When the call arrived, in the simulator's time (the system clock in a fresh
        /// simulator whose clock nobody advanced), seconds since 1970.
        let at: Double
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

    private struct IncidentList: Decodable {
        struct Incident: Decodable {
            let status: String
        }

        let incidents: [Incident]
    }

    /// How many incidents of `chat` have `status`.
    func incidentCount(chat: Int64, status: String) async throws -> Int {
        var components = URLComponents(url: base.appendingPathComponent("api/v1/incidents"), resolvingAgainstBaseURL: false)
        components?.queryItems = [URLQueryItem(name: "chat_id", value: "\(chat)"), URLQueryItem(name: "status", value: status)]
        let data = try await http.send("GET", components?.url ?? base, bearer: token)
        guard let list = try? JSONDecoder().decode(IncidentList.self, from: data) else {
            throw LoadFailure("GET /api/v1/incidents answered something else than a list of incidents")
        }
        return list.incidents.count
    }

    func activateGroup(chat: Int64, company: Int64, managers: [Int64]) async throws {
        _ = try await http.send(
            "PUT", base.appendingPathComponent("api/v1/groups/\(chat)"), ["company_id": company, "manager_user_ids": managers],
            bearer: token)
    }
}
