import Foundation
import HTTPTypes
import Hummingbird
import IncidentCore
import IncidentKPI
import IncidentService
import Logging
import Mustache
import RaiseDashConfig
import RoleSupport
import Storage
import Synchronization

/// The dashboard: server-rendered pages under `/dashboard` on the incident service's HTTP
/// port, for a company's managers (docs/dashboard.md).
///
/// A key is exchanged for a session at `/dashboard/login` (company keys and sessions are the
/// store's: `IncidentStore+Access`); the session cookie is signed, HttpOnly and
/// SameSite=Strict. Every page acts for the session's company (a platform session
/// picks one) and every write goes through the store operations the bot and the admin API use.
/// Every form carries a CSRF token that every POST checks.
public struct Dashboard: Sendable {
    let store: IncidentStore
    let platformKey: Secret?
    let signerSource: SignerSource
    let throttle: LoginThrottle
    let logger: Logger
    let now: @Sendable () -> Date
    let library: MustacheLibrary
    /// How long a session lasts.
    let sessionLifetime: TimeInterval
    /// Reports' CSV and JSON downloads are the admin API's own encoders.
    let reportsAPI: AdminAPI

    static let sessionCookie = "raisedash_session"
    static let companyCookie = "raisedash_company"
    static let loginCookie = "raisedash_login"

    /// - Parameters:
    ///   - signingSecret: the key cookies are signed with; nil: the store's
    ///     (`dashboardSigningSecret`), which stays the same across restarts.
    ///   - platformKey: ADMIN_API_TOKEN; logs in as the platform (every company).
    public init(
        store: IncidentStore, platformKey: Secret?, signingSecret: Data? = nil, logger: Logger,
        throttle: LoginThrottle = .init(), sessionLifetime: TimeInterval = 12 * 3600,
        now: @escaping @Sendable () -> Date = Date.init
    ) {
        self.store = store
        self.platformKey = platformKey
        self.signerSource = SignerSource(signingSecret.map(CookieSigner.init(secret:)))
        self.throttle = throttle
        self.logger = logger
        self.sessionLifetime = sessionLifetime
        self.now = now
        var library = MustacheLibrary()
        for (name, text) in Templates.all {
            // The templates are part of the program: one that does not parse is a bug.
            try! library.register(text, named: name)
        }
        self.library = library
        self.reportsAPI = AdminAPI(store: store, token: nil, logger: logger, now: now)
    }

    /// A route that needs a session. Every one of these is in ``pageRoutes``, which the
    /// isolation test walks: a page added here without company scoping fails it.
    public struct PageRoute: Sendable {
        public enum Method: String, Sendable { case get = "GET", post = "POST" }
        public let method: Method
        /// The path under the server root, with `:parameters`.
        public let path: String
        /// False for the routes that act on the session itself (logout, choosing a company).
        public let needsCompany: Bool
        let handler: @Sendable (Dashboard, Request, BasicRequestContext, Viewer) async throws -> Response

        init(
            _ method: Method, _ path: String, needsCompany: Bool = true,
            _ handler: @escaping @Sendable (Dashboard, Request, BasicRequestContext, Viewer) async throws -> Response
        ) {
            self.method = method
            self.path = path
            self.needsCompany = needsCompany
            self.handler = handler
        }
    }

    /// Every route that needs a session.
    public static let pageRoutes: [PageRoute] = [
        PageRoute(.post, "dashboard/logout", needsCompany: false) { try await $0.logout($1, $3) },
        PageRoute(.post, "dashboard/company", needsCompany: false) { try await $0.chooseCompany($1, $3) },
        PageRoute(.get, "dashboard") { try await $0.overview($3) },
        PageRoute(.get, "dashboard/incidents") { try await $0.incidentList($1, $3) },
        PageRoute(.get, "dashboard/incidents/:incident") { try await $0.incidentPage($2, $3) },
        PageRoute(.get, "dashboard/departments") { try await $0.departmentList($3, request: $1) },
        PageRoute(.post, "dashboard/departments") { try await $0.createDepartment($1, $3) },
        PageRoute(.get, "dashboard/departments/:department") { try await $0.departmentPage($2, $3, request: $1) },
        PageRoute(.post, "dashboard/departments/:department/members") { try await $0.addMember($1, $2, $3) },
        PageRoute(.post, "dashboard/departments/:department/members/remove") { try await $0.removeMember($1, $2, $3) },
        PageRoute(.post, "dashboard/departments/:department/rename") { try await $0.renameDepartment($1, $2, $3) },
        PageRoute(.post, "dashboard/departments/:department/restrict") { try await $0.restrictDepartment($1, $2, $3) },
        PageRoute(.post, "dashboard/departments/:department/delete") { try await $0.deleteDepartment($1, $2, $3) },
        PageRoute(.get, "dashboard/groups") { try await $0.groupList($3, request: $1) },
        PageRoute(.post, "dashboard/groups/activation-code") { try await $0.createActivationCode($3) },
        PageRoute(.post, "dashboard/groups/:chat/approve") { try await $0.approveGroup($2, $3) },
        PageRoute(.post, "dashboard/groups/:chat/deny") { try await $0.denyGroup($2, $3) },
        PageRoute(.get, "dashboard/shifts") { try await $0.shiftList($3, request: $1) },
        PageRoute(.post, "dashboard/shifts") { try await $0.createShifts($3) },
        PageRoute(.get, "dashboard/shifts/:shift") { try await $0.shiftPage($2, $3) },
        PageRoute(.post, "dashboard/shifts/:shift/update") { try await $0.updateShift($2, $3) },
        PageRoute(.post, "dashboard/shifts/:shift/delete") { try await $0.deleteShift($2, $3) },
        PageRoute(.post, "dashboard/shifts/leads") { try await $0.setLead($3) },
        PageRoute(.post, "dashboard/shifts/escalation") { try await $0.setEscalation($3) },
        PageRoute(.post, "dashboard/shifts/timezone") { try await $0.setShiftTimeZone($3) },
        PageRoute(.get, "dashboard/people") { try await $0.peopleList($3) },
        PageRoute(.get, "dashboard/reports") { try await $0.reportPage($1, $3) },
        PageRoute(.get, "dashboard/reports/download") { try await $0.reportDownload($1, $2, $3) },
    ]

    /// Adds the login page, the stylesheet and ``pageRoutes`` to `router`.
    public func addRoutes(to router: Router<BasicRequestContext>) {
        router.get("dashboard/static/dashboard.css") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=300"],
                body: .init(byteBuffer: ByteBuffer(string: Templates.css)))
        }
        router.get("dashboard/login") { request, _ in try await loginPage(request) }
        router.post("dashboard/login") { request, _ in try await login(request) }
        for route in Self.pageRoutes {
            let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, context in
                try await serve(route, request, context)
            }
            switch route.method {
            case .get: router.get(RouterPath(route.path), use: handler)
            case .post: router.post(RouterPath(route.path), use: handler)
            }
        }
    }

    /// The cookie signer, from the store's secret on first use.
    func signer() async throws -> CookieSigner {
        if let signer = signerSource.signer.withLock({ $0 }) { return signer }
        let signer = CookieSigner(secret: try await store.dashboardSigningSecret(now: now()))
        signerSource.signer.withLock { $0 = signer }
        return signer
    }

    /// Finds the session, checks the CSRF token of a POST, resolves the company, then runs
    /// the page. Without a session a GET goes to the login page and a POST is refused.
    func serve(_ route: PageRoute, _ request: Request, _ context: BasicRequestContext) async throws -> Response {
        do {
            guard var viewer = try await viewer(request) else {
                if route.method == .get { return redirect("/dashboard/login") }
                return try render("message", status: .unauthorized, viewer: nil, [
                    "title": "Session ended", "text": "Your session has ended. Log in again; nothing was changed.",
                    "link": ["href": "/dashboard/login", "label": "Log in"],
                ])
            }
            if route.method == .post {
                var form = try await Form(request)
                guard let presented = form.values["csrf"],
                      constantTimeEqual(Array(presented.utf8), Array(viewer.csrf.utf8))
                else {
                    return try render("message", status: .forbidden, viewer: viewer, [
                        "title": "Form expired", "text": "This form was not sent from a current dashboard page, so nothing was changed. Reload the page and try again.",
                    ])
                }
                form.values["csrf"] = nil
                viewer.form = form
            }
            if route.needsCompany && viewer.company == nil {
                return try render("message", status: .ok, viewer: viewer, ["title": "Choose a company", "text": "Choose a company above to see its pages."])
            }
            return try await route.handler(self, request, context, viewer)
        } catch let error as FormError {
            return try render("message", status: .badRequest, viewer: nil, ["title": "Bad request", "text": error.message])
        } catch let error as StoreError {
            logger.error("dashboard store failure", metadata: ["error": "\(error)"])
            return try render("message", status: .serviceUnavailable, viewer: nil, [
                "title": "Try again", "text": "The store could not answer (\(error.code)). Nothing was changed.",
            ])
        }
    }

    // MARK: Rendering

    /// Renders a page with the header's session context.
    func render(
        _ template: String, status: HTTPResponse.Status = .ok, viewer: Viewer?, nav: String? = nil,
        error: String? = nil, notice: String? = nil, _ values: [String: Any]
    ) throws -> Response {
        var context = values
        if let viewer {
            context["viewer"] = viewer.headerContext
            context["csrf"] = viewer.csrf
        }
        if let nav { context["nav"] = [nav: true] }
        if let error { context["error"] = error }
        if let notice { context["notice"] = notice }
        guard let html = library.render(context, withTemplate: template) else {
            throw FormError("no page \(template)")
        }
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"]
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        headers[HTTPField.Name("Content-Security-Policy")!] =
            "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    func redirect(_ location: String, cookies: [Cookie] = []) -> Response {
        var response = Response(status: .seeOther, headers: [.location: location])
        for cookie in cookies { response.setCookie(cookie) }
        return response
    }

    func notFound(_ viewer: Viewer, _ what: String) throws -> Response {
        try render("message", status: .notFound, viewer: viewer, ["title": "Not found", "text": "There is no \(what) in \(viewer.company?.name ?? "this company")."])
    }
}

/// Holds the cookie signer once known.
final class SignerSource: Sendable {
    let signer: Mutex<CookieSigner?>
    init(_ signer: CookieSigner?) { self.signer = Mutex(signer) }
}

/// A request the dashboard cannot act on; the message is shown on the page.
struct FormError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// An `application/x-www-form-urlencoded` body (at most 64 KiB).
struct Form: Sendable {
    var values: [String: String] = [:]

    init(_ request: Request) async throws {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: 64 * 1024)
        } catch {
            throw FormError("The form is larger than 64 KiB.")
        }
        values = Self.parse(String(buffer: buffer))
    }

    init(values: [String: String]) { self.values = values }

    static func parse(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            let key = decode(parts[0])
            guard !key.isEmpty, values[key] == nil else { continue }
            values[key] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return values
    }

    /// The trimmed value of a field, nil when absent or blank.
    func text(_ name: String) -> String? {
        let value = values[name]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return value.isEmpty ? nil : value
    }
}
