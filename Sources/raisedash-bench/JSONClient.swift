import Foundation
import SimulatorClient
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// JSON over HTTP to the incident service's admin API, and the session the simulator's
/// control API client shares.
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

    /// The simulator's control API client on this session, its requests counted.
    func simulator(_ base: URL) -> SimulatorClient {
        SimulatorClient(base: base, session: session) { [requests] path in requests.add(path) }
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
