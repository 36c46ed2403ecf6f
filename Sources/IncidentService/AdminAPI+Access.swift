import Foundation
import Hummingbird
import IncidentCore
import Storage

/// The routes of the dashboard's store operations: departments changed and deleted, groups
/// listed, approved and denied, people, activation codes, access keys (docs/access.md).
extension AdminAPI {
    // MARK: Departments

    struct DepartmentChange: Decodable { var name: String?; var restricted: Bool? }

    /// `PATCH /departments/{id}` with `name` and/or `restricted`: checked whole before anything
    /// is written.
    func changeDepartment(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let id = DepartmentID(try pathID("id", context))
        let change = try await decode(DepartmentChange.self, from: request, fields: ["name", "restricted"])
        guard try await store.liveDepartment(id) != nil else { throw APIError(.notFound, "not found: department \(id)") }
        var department: Department?
        if let name = change.name { department = try await store.renameDepartment(id, to: name) }
        if let restricted = change.restricted { department = try await store.setDepartmentRestricted(id, restricted) }
        guard let department else { throw APIError(.badRequest, "give name or restricted") }
        logger.info("department changed", metadata: ["department.id": "\(id)"])
        return try json(DepartmentJSON(department))
    }

    func deleteDepartment(_ context: BasicRequestContext) async throws -> Response {
        let id = DepartmentID(try pathID("id", context))
        try await store.deleteDepartment(id, now: now())
        logger.info("department deleted (history kept)", metadata: ["department.id": "\(id)"])
        return Response(status: .noContent)
    }

    // MARK: Groups

    struct GroupInfoJSON: Encodable {
        struct Manager: Encodable { var user_id: Int64; var name: String?; var telegram_handle: String? }
        var chat_id: Int64; var company_id: Int64?; var status: String; var title: String?
        var managers: [Manager]; var added_by_user_id: Int64?; var denied_at: String?; var created_at: String
        init(_ info: GroupInfo) {
            chat_id = info.chatID.rawValue; company_id = info.companyID?.rawValue; status = info.status.rawValue
            title = info.title
            managers = info.managers.map {
                Manager(user_id: $0.id.rawValue, name: $0.person?.displayName, telegram_handle: $0.person?.handle?.description)
            }
            added_by_user_id = info.addedBy?.rawValue; denied_at = info.deniedAt.map(rfc3339); created_at = rfc3339(info.createdAt)
        }
    }

    /// `GET /companies/{id}/groups?status=pending|active|inactive`.
    func listGroups(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let company = try pathID("id", context)
        guard try await store.company(CompanyID(company)) != nil else { throw APIError(.notFound, "not found: company \(company)") }
        var status: GroupStatus?
        if let text = request.uri.queryParameters.get("status") {
            guard let parsed = GroupStatus(rawValue: text) else {
                throw APIError(.badRequest, "status must be one of pending, active, inactive")
            }
            status = parsed
        }
        return try json(["groups": try await store.groups(companyID: company, status: status).map(GroupInfoJSON.init)])
    }

    struct ApproveBody: Decodable { var company_id: Int64?; var manager_user_ids: [Int64]? }

    /// `POST /groups/{chat_id}/approve`: a company key approves for its own company; the
    /// platform token names `company_id`.
    func approveGroup(_ request: Request, _ context: BasicRequestContext, scope: AccessScope) async throws -> Response {
        let chat = try chatID("chat_id", context)
        let data = try await body(of: request)
        let body = data.isEmpty ? ApproveBody() : try decode(ApproveBody.self, from: data, fields: ["company_id", "manager_user_ids"])
        let company: Int64
        switch (scope, body.company_id) {
        case (.company(let own), nil): company = own
        case (.company(let own), let named?):
            guard named == own else { throw APIError(.forbidden, "a company key approves groups for its own company only") }
            company = own
        case (.platform, let named?): company = named
        case (.platform, nil): throw APIError(.badRequest, "missing field company_id")
        }
        if let managers = body.manager_user_ids, managers.contains(where: { $0 <= 0 }) {
            throw APIError(.badRequest, "manager_user_ids must be positive Telegram user ids")
        }
        let info = try await store.approveGroup(
            chat: chat, companyID: company, managers: body.manager_user_ids.map { $0.map(UserID.init) }, now: now())
        logger.info("group approved", metadata: ["chat.id": "\(chat)", "company.id": "\(company)"])
        return try json(GroupInfoJSON(info))
    }

    /// `POST /groups/{chat_id}/deny`.
    func denyGroup(_ context: BasicRequestContext) async throws -> Response {
        let chat = try chatID("chat_id", context)
        let info = try await store.denyGroup(chat: chat, now: now())
        logger.info("group denied", metadata: ["chat.id": "\(chat)"])
        return try json(GroupInfoJSON(info))
    }

    // MARK: People

    struct PersonJSON: Encodable {
        struct DepartmentRef: Encodable { var id: Int64; var name: String }
        var user_id: Int64; var name: String; var telegram_handle: String?
        var departments: [DepartmentRef]; var driver_in_chat_ids: [Int64]; var manager_of_chat_ids: [Int64]
        var first_seen_at: String; var last_seen_at: String
        init(_ info: PersonInfo) {
            user_id = info.person.id.rawValue; name = info.person.displayName; telegram_handle = info.person.handle?.description
            departments = info.departments.map { DepartmentRef(id: $0.id.rawValue, name: $0.name) }
            driver_in_chat_ids = info.driverIn.map(\.rawValue); manager_of_chat_ids = info.managerOf.map(\.rawValue)
            first_seen_at = rfc3339(info.firstSeenAt); last_seen_at = rfc3339(info.lastSeenAt)
        }
    }

    func listPeople(_ context: BasicRequestContext) async throws -> Response {
        let company = try pathID("id", context)
        guard try await store.company(CompanyID(company)) != nil else { throw APIError(.notFound, "not found: company \(company)") }
        return try json(["people": try await store.people(companyID: company).map(PersonJSON.init)])
    }

    // MARK: Activation codes

    struct ActivationCodeBody: Decodable { var lifetime_minutes: Double? }
    struct ActivationCodeJSON: Encodable {
        var id: Int64; var code: String?; var company_id: Int64; var created_at: String; var expires_at: String
        var used_at: String?; var used_chat_id: Int64?
        init(_ info: ActivationCodeInfo, code: String? = nil) {
            id = info.id; self.code = code; company_id = info.companyID; created_at = rfc3339(info.createdAt)
            expires_at = rfc3339(info.expiresAt); used_at = info.usedAt.map(rfc3339); used_chat_id = info.usedChatID
        }
    }

    /// `POST /companies/{id}/activation-codes` (optional body `{"lifetime_minutes": N}`,
    /// 1 to 43200, default 1440): the code is in this answer only.
    func createActivationCode(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let company = try pathID("id", context)
        let data = try await body(of: request)
        var lifetime = ActivationCodes.defaultLifetime
        if !data.isEmpty {
            let body = try decode(ActivationCodeBody.self, from: data, fields: ["lifetime_minutes"])
            if let minutes = body.lifetime_minutes {
                guard minutes.isFinite, (1...43200).contains(minutes) else {
                    throw APIError(.badRequest, "lifetime_minutes must be from 1 to 43200 (30 days)")
                }
                lifetime = .seconds(Int64(minutes * 60))
            }
        }
        let (info, code) = try await store.createActivationCode(companyID: company, lifetime: lifetime, now: now())
        logger.info("activation code created", metadata: ["company.id": "\(company)", "activation_code.id": "\(info.id)"])
        return try json(ActivationCodeJSON(info, code: code), status: .created)
    }

    func listActivationCodes(_ context: BasicRequestContext) async throws -> Response {
        let company = try pathID("id", context)
        guard try await store.company(CompanyID(company)) != nil else { throw APIError(.notFound, "not found: company \(company)") }
        return try json(["activation_codes": try await store.activationCodes(companyID: company).map { ActivationCodeJSON($0) }])
    }

    // MARK: Access keys (platform token only)

    struct KeyBody: Decodable { var label: String }
    struct KeyJSON: Encodable {
        var id: Int64; var company_id: Int64; var label: String; var prefix: String; var secret: String?
        var created_at: String; var last_used_at: String?; var revoked_at: String?
        init(_ key: AccessKeyInfo, secret: String? = nil) {
            id = key.id; company_id = key.companyID; label = key.label; prefix = key.prefix; self.secret = secret
            created_at = rfc3339(key.createdAt); last_used_at = key.lastUsedAt.map(rfc3339); revoked_at = key.revokedAt.map(rfc3339)
        }
    }

    /// `POST /companies/{id}/keys` with `{"label": "..."}`: the secret is in this answer only.
    func createKey(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let company = try pathID("id", context)
        let body = try await decode(KeyBody.self, from: request, fields: ["label"])
        let (key, secret) = try await store.createAccessKey(companyID: company, label: body.label, now: now())
        logger.info("access key created", metadata: ["company.id": "\(company)", "key.id": "\(key.id)"])
        return try json(KeyJSON(key, secret: secret), status: .created)
    }

    func listKeys(_ context: BasicRequestContext) async throws -> Response {
        let company = try pathID("id", context)
        guard try await store.company(CompanyID(company)) != nil else { throw APIError(.notFound, "not found: company \(company)") }
        return try json(["keys": try await store.accessKeys(companyID: company).map { KeyJSON($0) }])
    }

    /// `DELETE /keys/{id}`: revokes the key and ends its dashboard sessions.
    func revokeKey(_ context: BasicRequestContext) async throws -> Response {
        let id = try pathID("id", context)
        guard try await store.revokeAccessKey(id: id, now: now()) else { throw APIError(.notFound, "not found: key \(id)") }
        logger.info("access key revoked", metadata: ["key.id": "\(id)"])
        return Response(status: .noContent)
    }
}
