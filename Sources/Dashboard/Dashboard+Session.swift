import Foundation
import Hummingbird
import IncidentCore
import RoleSupport
import Storage

/// Who is looking: the session, its company and the CSRF token its forms carry.
struct Viewer: Sendable {
    var token: String
    var scope: AccessScope
    /// The company every page shows: the key's company, or the one a platform session chose.
    var company: Company?
    /// Every company (platform sessions only, for the picker).
    var companies: [Company]
    var csrf: String
    /// The fields of a POST (the CSRF token already checked and removed).
    var form = Form(values: [:])

    var isPlatform: Bool { scope == .platform }

    var headerContext: [String: Any] {
        var context: [String: Any] = ["platform": isPlatform, "csrf": csrf]
        if let company { context["company"] = ["id": company.id.rawValue, "name": company.name] }
        context["companies"] = companies.map {
            ["id": $0.id.rawValue, "name": $0.name, "selected": $0.id == company?.id] as [String: Any]
        }
        return context
    }
}

extension Dashboard {
    /// The session of a request, or nil without a valid one.
    func viewer(_ request: Request) async throws -> Viewer? {
        let signer = try await signer()
        guard let cookie = request.cookies[Self.sessionCookie]?.value, let token = signer.verify(cookie),
              let session = try await store.dashboardSession(token: token, now: now()), session.expiresAt > now()
        else { return nil }
        let csrf = signer.csrfToken(session: token)
        switch session.scope {
        case .company(let id):
            // A session whose company is gone is no session.
            guard let company = try await store.company(CompanyID(id)) else { return nil }
            return Viewer(token: token, scope: session.scope, company: company, companies: [], csrf: csrf)
        case .platform:
            let companies = try await store.companies()
            var chosen: Company?
            if let value = request.cookies[Self.companyCookie]?.value, let text = signer.verify(value),
               let id = Int64(text) {
                chosen = companies.first { $0.id.rawValue == id }
            }
            return Viewer(token: token, scope: .platform, company: chosen, companies: companies, csrf: csrf)
        }
    }

    func cookie(_ name: String, _ value: String, maxAge: Int) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: "/dashboard", secure: false, httpOnly: true, sameSite: .strict)
    }

    // MARK: Login

    func loginPage(_ request: Request, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        if error == nil, try await viewer(request) != nil { return redirect("/dashboard") }
        // The login form's CSRF token is tied to a nonce in a cookie of its own (no session yet).
        let nonce = randomToken()
        let signer = try await signer()
        var response = try render("login", status: status, viewer: nil, error: error, [
            "title": "Log in", "csrf": signer.csrfToken(session: "login:" + nonce),
        ])
        response.setCookie(cookie(Self.loginCookie, signer.sign(nonce), maxAge: 3600))
        return response
    }

    func login(_ request: Request) async throws -> Response {
        let address = PeerAddress.of(request)
        if let seconds = throttle.retryAfter(address: address) {
            var response = try await loginPage(
                request, error: "Too many failed attempts from your address. Try again in \(seconds) seconds.",
                status: .tooManyRequests)
            response.headers[.retryAfter] = "\(seconds)"
            return response
        }
        let form: Form
        do {
            form = try await Form(request)
        } catch let error as FormError {
            return try await loginPage(request, error: error.message, status: .badRequest)
        }
        let signer = try await signer()
        guard let nonceCookie = request.cookies[Self.loginCookie]?.value, let nonce = signer.verify(nonceCookie),
              let presented = form.values["csrf"],
              constantTimeEqual(Array(presented.utf8), Array(signer.csrfToken(session: "login:" + nonce).utf8))
        else {
            return try await loginPage(request, error: "The login form expired. Please try again.", status: .forbidden)
        }
        guard let key = form.text("key") else {
            return try await loginPage(request, error: "Paste an access key.", status: .badRequest)
        }
        var granted: (scope: AccessScope, keyID: Int64?)?
        if let platformKey, constantTimeEqual(Array(key.utf8), Array(platformKey.value.utf8)) {
            granted = (.platform, nil)
        } else if key.utf8.count <= 512, let found = try await store.authenticateKey(secret: key, now: now()) {
            granted = (.company(found.companyID), found.id)
        }
        guard let granted else {
            throttle.recordFailure(address: address)
            logger.notice("dashboard login refused", metadata: ["peer": "\(address)"])
            return try await loginPage(request, error: "That key is not valid (or was revoked).", status: .unauthorized)
        }
        throttle.recordSuccess(address: address)
        let token = try await store.createDashboardSession(
            scope: granted.scope, keyID: granted.keyID, lifetime: .seconds(Int64(sessionLifetime)), now: now())
        logger.info("dashboard login", metadata: ["scope": "\(granted.scope)"])
        return redirect("/dashboard", cookies: [
            cookie(Self.sessionCookie, signer.sign(token), maxAge: Int(sessionLifetime)),
            cookie(Self.loginCookie, "", maxAge: 0),
        ])
    }

    func logout(_ request: Request, _ viewer: Viewer) async throws -> Response {
        try await store.endDashboardSession(token: viewer.token, now: now())
        return redirect("/dashboard/login", cookies: [
            cookie(Self.sessionCookie, "", maxAge: 0), cookie(Self.companyCookie, "", maxAge: 0),
        ])
    }

    /// A platform session picks the company its pages show.
    func chooseCompany(_ request: Request, _ viewer: Viewer) async throws -> Response {
        guard viewer.isPlatform else {
            return try render("message", status: .forbidden, viewer: viewer, [
                "title": "Not allowed", "text": "A company key shows its own company only.",
            ])
        }
        guard let text = viewer.form.text("company_id"), let id = Int64(text),
              viewer.companies.contains(where: { $0.id.rawValue == id })
        else {
            return try render("message", status: .badRequest, viewer: viewer, [
                "title": "No such company", "text": "Choose one of the companies in the list.",
            ])
        }
        return redirect("/dashboard", cookies: [cookie(Self.companyCookie, try await signer().sign(String(id)), maxAge: Int(sessionLifetime))])
    }
}
