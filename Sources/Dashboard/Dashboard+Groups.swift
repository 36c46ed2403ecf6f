import Foundation
import Hummingbird
import IncidentCore
import Storage

extension Dashboard {
    /// The company's own groups (active and inactive), for filters and names.
    func ownGroups(_ company: CompanyID) async throws -> [GroupInfo] {
        try await store.groups(companyID: company.rawValue).filter { $0.companyID == company }
    }

    static let groupNotices = [
        "approved": "Group approved: the bot told the group it is active.",
        "denied": "Group denied: the bot told the group.",
    ]

    /// Active, pending (groups the company's own people added the bot to) and inactive groups,
    /// with approve and deny for the pending ones, and activation codes.
    func groupList(
        _ viewer: Viewer, request: Request? = nil, error: String? = nil, code: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let company = viewer.company!
        let groups = try await store.groups(companyID: company.id.rawValue)
        let time = LocalTime(try await store.kpiSettings(company: company.id))
        func row(_ group: GroupInfo) -> [String: Any] {
            [
                "chat": group.chatID.rawValue, "title": group.title ?? "(no title)",
                "managers": group.managers.map { $0.person?.displayName ?? "user \($0.id.rawValue)" }.joined(separator: ", "),
                "created": time.format(group.createdAt), "pending": group.status == .pending,
            ]
        }
        let sections: [[String: Any]] = [GroupStatus.active, .pending, .inactive].map { status in
            [
                "status": status.rawValue,
                "label": status == .pending ? "Waiting for approval" : status.rawValue.capitalized,
                "rows": groups.filter { $0.status == status }.map(row),
            ]
        }
        let codes = try await store.activationCodes(companyID: company.id.rawValue)
        let open = codes.filter { $0.usedAt == nil && $0.expiresAt > now() }
        let done = request?.uri.queryParameters.get("done").flatMap { Self.groupNotices[$0] }
        return try render("groups", status: status, viewer: viewer, nav: "groups", error: error, notice: done, [
            "title": "Groups", "sections": sections,
            "code": present(code),
            "openCodes": present(open.isEmpty ? nil : String(open.count)),
        ])
    }

    /// The chat id of the path, if the group is one the company may see and act on.
    func visibleGroup(_ context: BasicRequestContext, _ viewer: Viewer) async throws -> ChatID? {
        guard let text = context.parameters.get("chat"), let id = Int64(text), id != 0,
              try await store.group(chat: ChatID(id), isVisibleTo: viewer.company!.id.rawValue)
        else { return nil }
        return ChatID(id)
    }

    func approveGroup(_ context: BasicRequestContext, _ viewer: Viewer) async throws -> Response {
        guard let chat = try await visibleGroup(context, viewer) else { return try notFound(viewer, "such group") }
        do {
            try await store.approveGroup(chat: chat, companyID: viewer.company!.id.rawValue, managers: nil, now: now())
            logger.info("group approved on the dashboard", metadata: ["chat.id": "\(chat)", "company.id": "\(viewer.company!.id)"])
            return redirect("/dashboard/groups?done=approved")
        } catch {
            guard let message = sentence(error) else { throw error }
            return try await groupList(viewer, error: message, status: .badRequest)
        }
    }

    func denyGroup(_ context: BasicRequestContext, _ viewer: Viewer) async throws -> Response {
        guard let chat = try await visibleGroup(context, viewer) else { return try notFound(viewer, "such group") }
        do {
            try await store.denyGroup(chat: chat, now: now())
            logger.info("group denied on the dashboard", metadata: ["chat.id": "\(chat)", "company.id": "\(viewer.company!.id)"])
            return redirect("/dashboard/groups?done=denied")
        } catch {
            guard let message = sentence(error) else { throw error }
            return try await groupList(viewer, error: message, status: .badRequest)
        }
    }

    /// A new one-time activation code; shown on this answer only (the store keeps its hash).
    func createActivationCode(_ viewer: Viewer) async throws -> Response {
        let (_, code) = try await store.createActivationCode(companyID: viewer.company!.id.rawValue, now: now())
        return try await groupList(viewer, code: code)
    }

    func peopleList(_ viewer: Viewer) async throws -> Response {
        let company = viewer.company!
        let time = LocalTime(try await store.kpiSettings(company: company.id))
        let groups = try await ownGroups(company.id)
        let titles = Dictionary(groups.map { ($0.chatID, $0.title ?? String($0.chatID.rawValue)) }) { a, _ in a }
        let people = try await store.people(companyID: company.id.rawValue)
        return try render("people", viewer: viewer, nav: "people", [
            "title": "People",
            "rows": people.map {
                [
                    "id": $0.person.id.rawValue, "name": $0.person.displayName, "handle": $0.person.handle?.description ?? "",
                    "departments": $0.departments.map(\.name).joined(separator: ", "),
                    "drives": $0.driverIn.map { titles[$0] ?? String($0.rawValue) }.joined(separator: ", "),
                    "manages": $0.managerOf.map { titles[$0] ?? String($0.rawValue) }.joined(separator: ", "),
                    "seen": time.format($0.lastSeenAt),
                ] as [String: Any]
            },
        ])
    }
}
