import Foundation
import Hummingbird
import IncidentCore
import Logging
import RaiseDashConfig
import Storage
import Timestamps

/// The admin API: JSON over HTTP under `/api/v1`, bearer-token protected, described by the
/// OpenAPI document at `/api/openapi.yaml`. Malformed input gets a 4xx with a JSON error body
/// and writes nothing.
public struct AdminAPI: Sendable {
    let store: IncidentStore
    let token: Secret?
    let logger: Logger
    let now: @Sendable () -> Date
    /// Slows down guessing: see `FailedAuthentications`.
    let throttle: FailedAuthentications

    public init(
        store: IncidentStore, token: Secret?, logger: Logger, now: @escaping @Sendable () -> Date = Date.init,
        throttle: FailedAuthentications = .init()
    ) {
        self.store = store
        self.token = token
        self.logger = logger
        self.now = now
        self.throttle = throttle
    }

    /// Adds the routes to `router`.
    public func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("api/openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(string: AdminAPI.openAPIDocument)))
        }
        addTableRoutes(to: router)
    }

    // MARK: Handlers

    func createCompany(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let body = try await decode(CompanyBody.self, from: request)
        let company = try await store.createCompany(name: body.name, now: now())
        logger.info("company created", metadata: ["company.id": "\(company.id)"])
        return try json(CompanyJSON(id: company.id.rawValue, name: company.name), status: .created)
    }

    func listCompanies(scope: AccessScope) async throws -> Response {
        let companies = try await store.companies().filter { scope.covers(company: $0.id.rawValue) }
        return try json(["companies": companies.map { CompanyJSON(id: $0.id.rawValue, name: $0.name) }])
    }

    func createDepartment(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let company = CompanyID(try pathID("id", context))
        let body = try await decode(DepartmentBody.self, from: request)
        let department = try await store.createDepartment(company: company, name: body.name, restricted: body.restricted ?? false, now: now())
        logger.info("department created", metadata: ["company.id": "\(company)", "department.id": "\(department.id)"])
        return try json(DepartmentJSON(department), status: .created)
    }

    func listDepartments(_ context: BasicRequestContext) async throws -> Response {
        let company = CompanyID(try pathID("id", context))
        guard try await store.company(company) != nil else { throw APIError(.notFound, "no company \(company)") }
        return try json(["departments": try await store.departments(company: company).map(DepartmentJSON.init)])
    }

    func addMember(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let department = DepartmentID(try pathID("id", context))
        let body = try await decode(MemberBody.self, from: request)
        let member: MemberRef
        switch (body.user_id, body.telegram_handle) {
        case (let id?, nil):
            guard id > 0 else { throw APIError(.badRequest, "user_id must be a positive Telegram user id") }
            member = .user(UserID(id))
        case (nil, let text?):
            guard let handle = Handle(text) else {
                throw APIError(.badRequest, "telegram_handle must look like @name (5-32 letters, digits or _)")
            }
            member = .handle(handle)
        default:
            throw APIError(.badRequest, "give exactly one of user_id or telegram_handle")
        }
        let membership = try await store.addMember(member, to: department, now: now())
        return try json(MemberJSON(membership), status: .created)
    }

    func listMembers(_ context: BasicRequestContext) async throws -> Response {
        let department = DepartmentID(try pathID("id", context))
        return try json(["members": try await store.members(of: department).map(MemberJSON.init)])
    }

    func removeMember(_ context: BasicRequestContext) async throws -> Response {
        let department = DepartmentID(try pathID("id", context))
        let text = context.parameters.get("member") ?? ""
        let member: MemberRef
        if let id = Int64(text), id > 0 {
            member = .user(UserID(id))
        } else if let handle = Handle(text.removingPercentEncoding ?? text) {
            member = .handle(handle)
        } else {
            throw APIError(.badRequest, "name the member by user id or @handle, got \"\(text.prefix(40))\"")
        }
        try await store.removeMember(member, from: department)
        return Response(status: .noContent)
    }

    func putGroup(_ request: Request, _ context: BasicRequestContext, scope: AccessScope = .platform) async throws -> Response {
        guard let text = context.parameters.get("chat_id"), let chat = Int64(text), chat != 0 else {
            throw APIError(.badRequest, "chat_id must be a Telegram chat id (an integer, negative for groups)")
        }
        let body = try await decode(GroupBody.self, from: request)
        guard scope.covers(company: body.company_id) else {
            throw APIError(.forbidden, "a company key attaches groups to its own company only")
        }
        if let managers = body.manager_user_ids, managers.contains(where: { $0 <= 0 }) {
            throw APIError(.badRequest, "manager_user_ids must be positive Telegram user ids")
        }
        let group = try await store.activateGroup(
            chat: ChatID(chat), company: CompanyID(body.company_id),
            managers: body.manager_user_ids.map { $0.map(UserID.init) }, now: now())
        logger.info("group activated", metadata: ["chat.id": "\(chat)", "company.id": "\(body.company_id)"])
        return try json(GroupJSON(
            chat_id: group.chatID.rawValue, company_id: group.companyID?.rawValue, status: group.status.rawValue,
            manager_user_ids: group.managerIDs.map(\.rawValue).sorted(), title: group.title))
    }

    func listIncidents(_ request: Request, scope: AccessScope = .platform) async throws -> Response {
        let query = request.uri.queryParameters
        var chat: ChatID?
        if let text = query.get("chat_id") {
            guard let id = Int64(text) else { throw APIError(.badRequest, "chat_id must be an integer") }
            chat = ChatID(id)
        }
        var status: IncidentStatus?
        if let text = query.get("status") {
            guard let parsed = IncidentStatus(rawValue: text) else {
                throw APIError(.badRequest, "status must be one of \(IncidentStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            status = parsed
        }
        let records = try await store.incidents(chat: chat, status: status, company: scope.companyID.map(CompanyID.init))
        return try json(["incidents": records.map { IncidentJSON($0) }])
    }

    func incidentDetail(_ context: BasicRequestContext) async throws -> Response {
        let id = IncidentID(try pathID("id", context))
        guard let detail = try await store.incidentDetail(id) else { throw APIError(.notFound, "no incident \(id)") }
        return try json(IncidentJSON(detail.incident, timeline: detail.timeline))
    }

    // MARK: Plumbing

    /// Runs a handler, turning every failure into a JSON error response.
    func handle(_ body: () async throws -> Response) async throws -> Response {
        do {
            return try await body()
        } catch let error as APIError {
            return errorResponse(error.status, error.message)
        } catch let error as StoreError {
            let status: HTTPResponse.Status = switch error.code {
            case .notFound: .notFound
            case .duplicate, .conflict: .conflict
            case .invalidInput: .badRequest
            default: .serviceUnavailable
            }
            if status == .serviceUnavailable { logger.error("admin API store failure", metadata: ["error": "\(error)"]) }
            return errorResponse(status, error.code == .notFound ? "not found: \(error.message)" : error.message)
        }
    }

    func pathID(_ name: String, _ context: BasicRequestContext) throws -> Int64 {
        guard let text = context.parameters.get(name), let id = Int64(text), id > 0 else {
            throw APIError(.badRequest, "\(name) must be a positive integer")
        }
        return id
    }

    /// Decodes a JSON body. With `fields`, a body naming any other field, or none of them, is
    /// refused: a misspelt setting must not be answered with success while nothing changes.
    func decode<T: Decodable>(_ type: T.Type, from request: Request, fields: Set<String>? = nil) async throws -> T {
        try decode(type, from: try await body(of: request), fields: fields)
    }

    /// The request's body, at most 64 KiB.
    func body(of request: Request) async throws -> Data {
        do {
            return Data(buffer: try await request.body.collect(upTo: 64 * 1024))
        } catch {
            throw APIError(.contentTooLarge, "the request body is larger than 64 KiB")
        }
    }

    /// ``decode(_:from:fields:)`` of a body already read.
    func decode<T: Decodable>(_ type: T.Type, from data: Data, fields: Set<String>? = nil) throws -> T {
        guard !data.isEmpty else { throw APIError(.badRequest, "a JSON body is required") }
        if let fields, let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            let expected = fields.sorted().joined(separator: ", ")
            if let unknown = object.keys.sorted().first(where: { !fields.contains($0) }) {
                throw APIError(.badRequest, "unknown field \(unknown); expected one or more of \(expected)")
            }
            if object.isEmpty { throw APIError(.badRequest, "the body names no field; expected one or more of \(expected)") }
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw APIError(.badRequest, Self.describe(error))
        } catch {
            throw APIError(.badRequest, "the body is not valid JSON")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context, _ key: CodingKey? = nil) -> String {
            (context.codingPath + (key.map { [$0] } ?? [])).map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing field \(path(context, key))"
        case .typeMismatch(_, let context) where context.codingPath.isEmpty: return "the body must be a JSON object"
        case .typeMismatch(let type, let context): return "field \(path(context)) must be \(Self.typeName(type))"
        case .valueNotFound(let type, let context): return "field \(path(context)) must be \(Self.typeName(type)), not null"
        case .dataCorrupted(let context): return context.codingPath.isEmpty ? "the body is not valid JSON" : "field \(path(context)) is invalid"
        @unknown default: return "the body does not match the expected shape"
        }
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int64.Type, is Int.Type: "an integer"
        case is Bool.Type: "true or false"
        case is [Int64].Type: "an array of integers"
        default: "of another type"
        }
    }

    func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(data: try encoder.encode(value))))
    }
}

/// An admin API refusal: a status and a message for the caller.
struct APIError: Error {
    var status: HTTPResponse.Status
    var message: String
    init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }
}

func errorResponse(_ status: HTTPResponse.Status, _ message: String) -> Response {
    let body = (try? JSONEncoder().encode(["error": message])) ?? Data(#"{"error":"error"}"#.utf8)
    return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: body)))
}

/// RFC 3339 in UTC with milliseconds (``Timestamp``, the format of the bus and the store).
func rfc3339(_ date: Date) -> String { Timestamp.format(date) }
