import Foundation
import IncidentCore

/// How an HTTP route (admin API or dashboard page) is scoped: what a company's credential may
/// reach through it. Every route declares one; ``IncidentStore/check(_:for:parameter:)``
/// answers whether a caller may use it with given path parameters. See docs/access.md.
public enum RouteScope: Sendable, Equatable {
    /// The platform only; a company is refused (403).
    case platformOnly
    /// The path parameter names a company: it must be the caller's.
    case company(parameter: String)
    /// The path parameter names a department (deleted ones included) of the caller's company.
    case department(parameter: String)
    /// The path parameter is a group's chat id: the caller's company's group, or a pending
    /// group offered to it (its bot added by one of the company's people).
    case group(parameter: String)
    /// The path parameter names an incident of the caller's company.
    case incident(parameter: String)
    /// A read-only list whose handler limits itself to the caller's company.
    case filtered
}

/// The answer of ``IncidentStore/check(_:for:parameter:)``.
public enum ScopeCheck: Sendable, Equatable {
    case allowed
    /// A platform-only route and a company caller: 403.
    case forbidden
    /// Another company's thing, or nothing: 404 (the same answer, so ids cannot be probed).
    case notFound(String)
    /// The path parameter is not an id at all: 400.
    case badParameter(String)
}

extension IncidentStore {
    /// Whether `scope` may use a route of `routeScope`; `parameter` gives a path parameter's
    /// text by name. The platform may use every route.
    public func check(
        _ routeScope: RouteScope, for scope: AccessScope, parameter: (String) -> String?
    ) async throws(StoreError) -> ScopeCheck {
        guard case .company(let own) = scope else { return .allowed }
        func id(_ name: String) -> Int64? {
            guard let text = parameter(name), let id = Int64(text), id > 0 else { return nil }
            return id
        }
        switch routeScope {
        case .platformOnly:
            return .forbidden
        case .filtered:
            return .allowed
        case .company(let name):
            guard let company = id(name) else { return .badParameter("\(name) must be a positive integer") }
            return company == own ? .allowed : .notFound("company \(company)")
        case .department(let name):
            guard let department = id(name) else { return .badParameter("\(name) must be a positive integer") }
            return try await self.department(DepartmentID(department))?.companyID.rawValue == own
                ? .allowed : .notFound("department \(department)")
        case .group(let name):
            guard let text = parameter(name), let chat = Int64(text), chat != 0 else {
                return .badParameter("\(name) must be a Telegram chat id (an integer, negative for groups)")
            }
            return try await group(chat: ChatID(chat), isVisibleTo: own) ? .allowed : .notFound("group \(chat)")
        case .incident(let name):
            guard let incident = id(name) else { return .badParameter("\(name) must be a positive integer") }
            return try await self.incident(IncidentID(incident))?.companyID.rawValue == own
                ? .allowed : .notFound("incident \(incident)")
        }
    }
}
