import Foundation
import Hummingbird
import IncidentCore
import IncidentStore
import Logging
import RaiseDashConfig

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

    struct CompanyBody: Decodable { var name: String }
    struct CompanyJSON: Encodable { var id: Int64; var name: String }

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

    struct DepartmentBody: Decodable { var name: String; var restricted: Bool? }
    struct DepartmentJSON: Encodable {
        var id: Int64; var name: String; var company_id: Int64; var restricted: Bool
        init(_ department: Department) {
            id = department.id.rawValue; name = department.name
            company_id = department.companyID.rawValue; restricted = department.restricted
        }
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

    struct MemberBody: Decodable { var user_id: Int64?; var telegram_handle: String? }
    struct MemberJSON: Encodable {
        var department_id: Int64; var user_id: Int64?; var telegram_handle: String?; var name: String?
        init(_ membership: Membership) {
            department_id = membership.departmentID.rawValue
            switch membership.member {
            case .user(let id): user_id = id.rawValue; telegram_handle = membership.person?.handle?.description
            case .handle(let handle): telegram_handle = handle.description
            }
            name = membership.person?.displayName
        }
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

    struct GroupBody: Decodable { var company_id: Int64; var manager_user_ids: [Int64]? }
    struct GroupJSON: Encodable {
        var chat_id: Int64; var company_id: Int64?; var status: String; var manager_user_ids: [Int64]; var title: String?
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

    struct IncidentJSON: Encodable {
        struct DepartmentRef: Encodable { var id: Int64; var name: String }
        struct Entry: Encodable {
            var at: String; var actor_id: Int64?; var action: String; var detail: TimelineDetailJSON
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(at, forKey: .at)
                try container.encode(actor_id, forKey: .actor_id)
                try container.encode(action, forKey: .action)
                try container.encode(detail, forKey: .detail)
            }
            enum CodingKeys: String, CodingKey { case at, actor_id, action, detail }
        }
        var id: Int64; var number: String; var chat_id: Int64; var status: String; var department: DepartmentRef?
        var reporter_id: Int64; var claimer_ids: [Int64]; var participants: [ParticipantJSON]
        var description: String; var attachments: [AttachmentJSON]; var reported_message_link: String?
        var summary: String?
        var created_at: String; var claimed_at: String?; var resolved_at: String?; var closed_at: String?
        var timeline: [Entry]?

        enum CodingKeys: String, CodingKey {
            case id, number, chat_id, status, department, reporter_id, claimer_ids, participants, description, attachments, reported_message_link, summary
            case created_at, claimed_at, resolved_at, closed_at, timeline
        }

        /// Absent values are written as `null`, never left out: the fields are the contract.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(number, forKey: .number)
            try container.encode(chat_id, forKey: .chat_id)
            try container.encode(status, forKey: .status)
            try container.encode(department, forKey: .department)
            try container.encode(reporter_id, forKey: .reporter_id)
            try container.encode(claimer_ids, forKey: .claimer_ids)
            try container.encode(participants, forKey: .participants)
            try container.encode(description, forKey: .description)
            try container.encode(attachments, forKey: .attachments)
            try container.encode(reported_message_link, forKey: .reported_message_link)
            try container.encode(summary, forKey: .summary)
            try container.encode(created_at, forKey: .created_at)
            try container.encode(claimed_at, forKey: .claimed_at)
            try container.encode(resolved_at, forKey: .resolved_at)
            try container.encode(closed_at, forKey: .closed_at)
            try container.encodeIfPresent(timeline, forKey: .timeline)
        }

        init(_ record: IncidentRecord, timeline: [TimelineRecord]? = nil) {
            id = record.id.rawValue; number = record.number.padded; chat_id = record.chatID.rawValue
            status = record.status.rawValue
            department = record.department.map { DepartmentRef(id: $0.id.rawValue, name: $0.name) }
            reporter_id = record.reporterID.rawValue; claimer_ids = record.claimerIDs.map(\.rawValue)
            participants = record.participants.map(ParticipantJSON.init)
            description = record.reportedText
            attachments = record.attachments.map(AttachmentJSON.init)
            reported_message_link = record.reportedMessageLink
            summary = record.summary
            created_at = rfc3339(record.createdAt); claimed_at = record.claimedAt.map(rfc3339)
            resolved_at = record.resolvedAt.map(rfc3339); closed_at = record.closedAt.map(rfc3339)
            self.timeline = timeline?.map {
                Entry(at: rfc3339($0.at), actor_id: $0.actorID?.rawValue, action: $0.kind.rawValue, detail: TimelineDetailJSON($0.detail))
            }
        }
    }

    struct TimelineDetailJSON: Encodable {
        var number: String?; var department_id: Int64?; var previous_department_id: Int64?; var summary: String?; var reminder: String?
        init(_ detail: TimelineDetail) {
            number = detail.number?.padded; department_id = detail.departmentID?.rawValue
            previous_department_id = detail.previousDepartmentID?.rawValue; summary = detail.summary
            reminder = detail.reminder?.rawValue
        }
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

/// RFC 3339 in UTC, seconds precision with milliseconds when present.
func rfc3339(_ date: Date) -> String {
    date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt))
}
