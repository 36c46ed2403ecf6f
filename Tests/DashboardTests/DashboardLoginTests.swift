import Dashboard
import Foundation
import Hummingbird
import IncidentCore
import Storage
import Testing

/// Logging in and out: keys, the session cookie, CSRF on every POST, the throttle.
@Suite struct DashboardLoginTests {
    @Test func pagesNeedASession() async throws {
        let fixture = try await DashboardFixture()
        defer { fixture.remove() }
        try await fixture.withBrowser { browser in
            for route in Dashboard.pageRoutes where route.method == .get {
                let page = try await browser.get("/" + route.path.replacingOccurrences(of: ":incident", with: "1").replacingOccurrences(of: ":department", with: "1"))
                #expect(page.status == .seeOther, "\(route.path)")
                #expect(page.location == "/dashboard/login", "\(route.path)")
            }
            let before = try await fixture.snapshot(fixture.a)
            let post = try await browser.request(.post, "/dashboard/departments", form: ["name": "Sneaky", "csrf": "x"])
            #expect(post.status == .unauthorized)
            #expect(try await fixture.snapshot(fixture.a) == before)
        }
    }

    @Test func companyKeyOpensItsCompanyWithAStrictHttpOnlyCookie() async throws {
        let fixture = try await DashboardFixture()
        defer { fixture.remove() }
        try await fixture.withBrowser { browser in
            let answer = try await browser.login(fixture.keyA)
            #expect(answer.status == .seeOther)
            #expect(answer.location == "/dashboard")
            let session = try #require(answer.setCookies.first { $0.hasPrefix("raisedash_session=") })
            #expect(session.contains("HttpOnly"))
            #expect(session.contains("SameSite=Strict"))
            #expect(session.contains("Path=/dashboard"))
            let overview = try await browser.get("/dashboard")
            #expect(overview.status == .ok)
            #expect(overview.text(id: "company-name") == "Acme")
            #expect(overview.html.contains("Dept-acmesecret"))
            #expect(!overview.html.contains("boltsecret"))
            // A company key has no company picker and cannot switch to another company.
            #expect(!overview.html.contains("company-picker"))
            let switched = try await browser.post("/dashboard/company", ["company_id": String(fixture.b.company.id.rawValue)], from: overview)
            #expect(switched.status == .forbidden)
            #expect(try await browser.get("/dashboard").text(id: "company-name") == "Acme")
        }
    }

    @Test func platformKeyPicksACompany() async throws {
        let fixture = try await DashboardFixture()
        defer { fixture.remove() }
        try await fixture.withBrowser { browser in
            #expect(try await browser.login(DashboardFixture.platformKey).status == .seeOther)
            let first = try await browser.get("/dashboard")
            #expect(first.html.contains("Choose a company"))
            #expect(!first.html.contains("acmesecret") && !first.html.contains("boltsecret"))
            let unknown = try await browser.post("/dashboard/company", ["company_id": "999"], from: first)
            #expect(unknown.status == .badRequest)
            #expect(unknown.html.contains("No such company"))
            let chosen = try await browser.post("/dashboard/company", ["company_id": String(fixture.b.company.id.rawValue)], from: first)
            #expect(chosen.status == .seeOther)
            let overview = try await browser.get("/dashboard")
            #expect(overview.html.contains("Dept-boltsecret"))
            #expect(!overview.html.contains("acmesecret"))
        }
    }

    @Test func wrongKeysAndForgedCookiesAreRefused() async throws {
        let fixture = try await DashboardFixture()
        defer { fixture.remove() }
        try await fixture.withBrowser { browser in
            let wrong = try await browser.login("not-a-key")
            #expect(wrong.status == .unauthorized)
            #expect(wrong.text(id: "error") == "That key is not valid (or was revoked).")
            #expect(browser.cookies["raisedash_session"] == nil)
            let empty = try await browser.login("   ")
            #expect(empty.status == .badRequest)
            #expect(empty.text(id: "error") == "Paste an access key.")

            // A login form without its nonce cookie (another site's form) is refused.
            let page = try await browser.get("/dashboard/login")
            browser.cookies["raisedash_login"] = nil
            let forged = try await browser.request(.post, "/dashboard/login", form: ["key": fixture.keyA, "csrf": page.csrf ?? ""])
            #expect(forged.status == .forbidden)
            #expect(browser.cookies["raisedash_session"] == nil)

            // A session cookie whose signature does not match is no session.
            try await browser.login(fixture.keyA)
            let genuine = try #require(browser.cookies["raisedash_session"])
            browser.cookies["raisedash_session"] = "x" + genuine
            #expect(try await browser.get("/dashboard").location == "/dashboard/login")
            browser.cookies["raisedash_session"] = genuine
            #expect(try await browser.get("/dashboard").status == .ok)
        }
    }

    @Test func everyPostChecksTheCSRFToken() async throws {
        let fixture = try await DashboardFixture()
        defer { fixture.remove() }
        try await fixture.withBrowser { browser in
            try await browser.login(fixture.keyA)
            let before = try await fixture.snapshot(fixture.a)
            for route in Dashboard.pageRoutes where route.method == .post {
                let path = "/" + route.path.replacingOccurrences(of: ":department", with: String(fixture.a.dispatch.id.rawValue))
                for csrf in [nil, "", "wrong-token"] as [String?] {
                    var form = ["name": "Forged", "member": "@forged_member", "company_id": String(fixture.a.company.id.rawValue)]
                    if let csrf { form["csrf"] = csrf }
                    let page = try await browser.request(.post, path, form: form)
                    #expect(page.status == .forbidden, "\(route.path) with csrf \(csrf ?? "absent")")
                }
            }
            #expect(try await fixture.snapshot(fixture.a) == before)
            // Still logged in: the forged logout did nothing.
            #expect(try await browser.get("/dashboard").status == .ok)
        }
    }

    @Test func logoutEndsTheSession() async throws {
        let fixture = try await DashboardFixture()
        defer { fixture.remove() }
        try await fixture.withBrowser { browser in
            try await browser.login(fixture.keyB)
            let old = try #require(browser.cookies["raisedash_session"])
            let page = try await browser.get("/dashboard")
            let out = try await browser.post("/dashboard/logout", [:], from: page)
            #expect(out.status == .seeOther)
            #expect(out.location == "/dashboard/login")
            #expect(browser.cookies["raisedash_session"] == nil)
            // The old cookie, replayed, opens nothing: the session ended in the store.
            browser.cookies["raisedash_session"] = old
            #expect(try await browser.get("/dashboard").location == "/dashboard/login")
        }
    }

    @Test func failedLoginsAreThrottledPerAddress() async throws {
        let fixture = try await DashboardFixture()
        defer { fixture.remove() }
        try await fixture.withBrowser(throttle: LoginThrottle(limit: 3, window: .seconds(60))) { browser in
            for _ in 0..<3 { #expect(try await browser.login("guess").status == .unauthorized) }
            // Throttled: even the right key is not looked at.
            let throttled = try await browser.login(fixture.keyA)
            #expect(throttled.status == .tooManyRequests)
            #expect(Int(throttled.headers[.retryAfter] ?? "") ?? 0 > 0)
            #expect(throttled.text(id: "error")?.hasPrefix("Too many failed attempts") == true)
            #expect(browser.cookies["raisedash_session"] == nil)
        }
    }
}
