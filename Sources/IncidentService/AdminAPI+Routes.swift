import Foundation
import Hummingbird
import IncidentCore
import Storage

/// One admin API route: method, path under `/api/v1`, scope and handler. The handler gets the
/// caller's scope, already checked against the path as the route's ``RouteScope`` says.
public struct AdminRoute: Sendable {
    public var method: HTTPRequest.Method
    public var path: String
    public var scope: RouteScope
    let handler: @Sendable (Request, BasicRequestContext, AccessScope) async throws -> Response

    init(
        _ method: HTTPRequest.Method, _ path: String, _ scope: RouteScope,
        _ handler: @escaping @Sendable (Request, BasicRequestContext, AccessScope) async throws -> Response
    ) {
        self.method = method
        self.path = path
        self.scope = scope
        self.handler = handler
    }
}

extension AdminAPI {
    /// Every route of the admin API, with its scope.
    public var routes: [AdminRoute] {
        [
            AdminRoute(.post, "companies", .platformOnly) { r, c, _ in try await createCompany(r, c) },
            AdminRoute(.get, "companies", .filtered) { _, _, s in try await listCompanies(scope: s) },
            AdminRoute(.post, "companies/:id/departments", .company(parameter: "id")) { r, c, _ in try await createDepartment(r, c) },
            AdminRoute(.get, "companies/:id/departments", .company(parameter: "id")) { _, c, _ in try await listDepartments(c) },
            AdminRoute(.patch, "departments/:id", .department(parameter: "id")) { r, c, _ in try await changeDepartment(r, c) },
            AdminRoute(.delete, "departments/:id", .department(parameter: "id")) { _, c, _ in try await deleteDepartment(c) },
            AdminRoute(.post, "departments/:id/members", .department(parameter: "id")) { r, c, _ in try await addMember(r, c) },
            AdminRoute(.get, "departments/:id/members", .department(parameter: "id")) { _, c, _ in try await listMembers(c) },
            AdminRoute(.delete, "departments/:id/members/:member", .department(parameter: "id")) { _, c, _ in try await removeMember(c) },
            AdminRoute(.put, "groups/:chat_id", .group(parameter: "chat_id")) { r, c, s in try await putGroup(r, c, scope: s) },
            AdminRoute(.post, "groups/:chat_id/approve", .group(parameter: "chat_id")) { r, c, s in try await approveGroup(r, c, scope: s) },
            AdminRoute(.post, "groups/:chat_id/deny", .group(parameter: "chat_id")) { _, c, _ in try await denyGroup(c) },
            AdminRoute(.get, "companies/:id/groups", .company(parameter: "id")) { r, c, _ in try await listGroups(r, c) },
            AdminRoute(.get, "companies/:id/people", .company(parameter: "id")) { _, c, _ in try await listPeople(c) },
            AdminRoute(.post, "companies/:id/activation-codes", .company(parameter: "id")) { r, c, _ in try await createActivationCode(r, c) },
            AdminRoute(.get, "companies/:id/activation-codes", .company(parameter: "id")) { _, c, _ in try await listActivationCodes(c) },
            AdminRoute(.post, "companies/:id/keys", .platformOnly) { r, c, _ in try await createKey(r, c) },
            AdminRoute(.get, "companies/:id/keys", .platformOnly) { _, c, _ in try await listKeys(c) },
            AdminRoute(.delete, "keys/:id", .platformOnly) { _, c, _ in try await revokeKey(c) },
            AdminRoute(.get, "incidents", .filtered) { r, _, s in try await listIncidents(r, scope: s) },
            AdminRoute(.get, "incidents/:id", .incident(parameter: "id")) { _, c, _ in try await incidentDetail(c) },
            AdminRoute(.get, "dead-letters", .filtered) { r, _, s in try await listDeadLetters(r, scope: s) },
            AdminRoute(.get, "companies/:id/kpi-settings", .company(parameter: "id")) { _, c, _ in try await getKPISettings(c) },
            AdminRoute(.put, "companies/:id/kpi-settings", .company(parameter: "id")) { r, c, _ in try await putKPISettings(r, c) },
            AdminRoute(.get, "companies/:id/reports/:kind", .company(parameter: "id")) { r, c, _ in try await report(r, c) },
            AdminRoute(.get, "companies/:id/incidents/export", .company(parameter: "id")) { r, c, _ in try await exportIncidents(r, c) },
            AdminRoute(.get, "companies/:id/shifts", .company(parameter: "id")) { r, c, _ in try await listShifts(r, c) },
            AdminRoute(.post, "companies/:id/shifts", .company(parameter: "id")) { r, c, _ in try await createShift(r, c) },
            AdminRoute(.put, "companies/:id/shifts/:shift", .company(parameter: "id")) { r, c, _ in try await updateShift(r, c) },
            AdminRoute(.delete, "companies/:id/shifts/:shift", .company(parameter: "id")) { _, c, _ in try await deleteShift(c) },
            AdminRoute(.put, "departments/:id/leads/:user", .department(parameter: "id")) { r, c, _ in try await putLead(r, c) },
            AdminRoute(.get, "departments/:id/leads", .department(parameter: "id")) { _, c, _ in try await listLeads(c) },
            AdminRoute(.get, "companies/:id/escalation-settings", .company(parameter: "id")) { _, c, _ in try await getEscalation(c) },
            AdminRoute(.put, "companies/:id/escalation-settings", .company(parameter: "id")) { r, c, _ in try await putEscalation(r, c) },
        ]
    }

    /// Registers every route of ``routes`` under `api/v1`, each behind authentication and its
    /// scope check.
    func addTableRoutes(to router: Router<BasicRequestContext>) {
        let api = router.group("api/v1")
        for route in routes {
            api.on(RouterPath(route.path), method: route.method) { request, context in
                try await handle {
                    let scope: AccessScope
                    switch try await authenticate(request) {
                    case .success(let authenticated): scope = authenticated
                    case .failure(let refusal): return refusal.response
                    }
                    try await authorize(route.scope, scope: scope, context: context)
                    return try await route.handler(request, context, scope)
                }
            }
        }
    }

    /// Checks that `scope` may use a route of `routeScope` with these path parameters
    /// (``IncidentStore/check(_:for:parameter:)``): 403 for a platform-only route, 404 for
    /// another company's thing (the same answer as for nothing, so ids cannot be probed).
    func authorize(_ routeScope: RouteScope, scope: AccessScope, context: BasicRequestContext) async throws {
        switch try await store.check(routeScope, for: scope, parameter: { context.parameters.get($0) }) {
        case .allowed: return
        case .forbidden:
            throw APIError(.forbidden, "a company key cannot do this; it needs the platform token (ADMIN_API_TOKEN)")
        case .notFound(let what): throw APIError(.notFound, "not found: \(what)")
        case .badParameter(let message): throw APIError(.badRequest, message)
        }
    }

    func chatID(_ name: String, _ context: BasicRequestContext) throws -> ChatID {
        guard let text = context.parameters.get(name), let chat = Int64(text), chat != 0 else {
            throw APIError(.badRequest, "\(name) must be a Telegram chat id (an integer, negative for groups)")
        }
        return ChatID(chat)
    }
}
