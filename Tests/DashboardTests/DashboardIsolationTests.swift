import Dashboard
import Foundation
import Hummingbird
import IncidentCore
import Testing

/// Company B's session reads and writes nothing of company A, on every route that needs a
/// session. The test walks `Dashboard.pageRoutes` (the list the routes are registered from),
/// so a route added without an entry in `probes` fails here until someone has said what it
/// must keep to itself.
@Suite struct DashboardIsolationTests {
    /// How to aim a route at company A: the query or form naming A's things, and what A's own
    /// session sees or changes with the same request (the control that shows the probe can
    /// tell).
    struct Probe {
        var query = ""
        var form: [String: String] = [:]
        /// A's session sees A's marker on this GET.
        var ownerSees = true
        /// A's session changes A's data with this POST.
        var ownerChanges = false
        /// Aim at A's Dispatch instead of the department that has A's open incident.
        var dispatch = false
    }

    static func probes(_ a: DashboardFixture.World) -> [String: Probe] {
        let department = String(a.secret.id.rawValue)
        let chat = String(a.chat.id.rawValue)
        let member = String(a.member.id.rawValue)
        let shift = ["department": department, "chat": chat, "member": member, "start": "08:00", "end": "16:00"]
        return [
            "POST dashboard/logout": Probe(ownerChanges: false),
            "POST dashboard/company": Probe(form: ["company_id": String(a.company.id.rawValue)], ownerChanges: false),
            "GET dashboard": Probe(),
            "GET dashboard/incidents": Probe(query: "?department=\(department)&group=\(chat)"),
            "GET dashboard/incidents/:incident": Probe(),
            "GET dashboard/departments": Probe(),
            "POST dashboard/departments": Probe(form: ["name": "Hijacked"], ownerChanges: true),
            "GET dashboard/departments/:department": Probe(),
            "POST dashboard/departments/:department/members": Probe(form: ["member": "@hijacker_one"], ownerChanges: true),
            "POST dashboard/departments/:department/members/remove": Probe(form: ["member": String(a.member.id.rawValue)], ownerChanges: true),
            "POST dashboard/departments/:department/rename": Probe(form: ["name": "Hijacked"], ownerChanges: true),
            "POST dashboard/departments/:department/restrict": Probe(form: ["restricted": "1"], ownerChanges: true),
            "POST dashboard/departments/:department/delete": Probe(ownerChanges: true, dispatch: true),
            "GET dashboard/groups": Probe(),
            "POST dashboard/groups/activation-code": Probe(ownerChanges: true),
            "POST dashboard/groups/:chat/approve": Probe(ownerChanges: true),
            "POST dashboard/groups/:chat/deny": Probe(ownerChanges: true),
            "GET dashboard/shifts": Probe(),
            "POST dashboard/shifts": Probe(form: shift.merging(["day_tuesday": "1"]) { $1 }, ownerChanges: true),
            "GET dashboard/shifts/:shift": Probe(),
            "POST dashboard/shifts/:shift/update": Probe(form: shift.merging(["day": "tuesday"]) { $1 }, ownerChanges: true),
            "POST dashboard/shifts/:shift/delete": Probe(ownerChanges: true),
            "POST dashboard/shifts/leads": Probe(form: ["department": department, "member": member, "lead": "1"], ownerChanges: true),
            "POST dashboard/shifts/escalation": Probe(
                form: ["escalation_minutes": "20", "direct_message_minutes": "5", "reminder_minutes": "3"], ownerChanges: true),
            "POST dashboard/shifts/timezone": Probe(form: ["timezone": "Asia/Tashkent"], ownerChanges: true),
            "GET dashboard/people": Probe(),
            "GET dashboard/reports": Probe(query: "?kind=departments&from=2025-02-27&to=2025-03-03"),
            "GET dashboard/reports/download": Probe(query: "?kind=departments&from=2025-02-27&to=2025-03-03&format=csv&department_id=\(department)&chat_id=\(chat)", ownerSees: true),
        ]
    }

    static let routes = Dashboard.pageRoutes.map { "\($0.method.rawValue) \($0.path)" }

    @Test("Isolation: company B's session cannot read or change company A", arguments: routes)
    func companyBSeesAndChangesNothingOfA(route: String) async throws {
        let fixture = try await DashboardFixture()
        defer { fixture.remove() }
        let a = fixture.a
        let probe = try #require(Self.probes(a)[route], "\(route) has no isolation probe: add one to DashboardIsolationTests.probes")
        let parts = route.split(separator: " ", maxSplits: 1)
        let method = String(parts[0])
        let path = "/" + String(parts[1])
            .replacingOccurrences(of: ":incident", with: String(a.incident.rawValue))
            .replacingOccurrences(of: ":department", with: String((probe.dispatch ? a.dispatch : a.secret).id.rawValue))
            .replacingOccurrences(of: ":chat", with: String(a.pendingChat.id.rawValue))
            .replacingOccurrences(of: ":shift", with: String(a.shift.id))
        try await fixture.withBrowser { browser in
            // Company B, aimed at A's things.
            try await browser.login(fixture.keyB)
            let before = try await fixture.snapshot(a)
            let page: Browser.Page
            if method == "GET" {
                page = try await browser.get(path + probe.query)
            } else {
                page = try await browser.post(path, probe.form)
            }
            #expect(!page.html.contains(a.marker), "\(route) showed company A's data to company B")
            #expect(!page.html.contains(a.company.name), "\(route) named company A to company B")
            #expect(try await fixture.snapshot(a) == before, "\(route) changed company A for company B")
            if path.contains(String(a.incident.rawValue)) || path.contains("/departments/") || path.contains(String(a.pendingChat.id.rawValue))
                || route.contains(":shift") {
                #expect(page.status == .notFound, "\(route) answered \(page.status) for another company's id")
            }
            if route == "GET dashboard/reports/download" || route == "GET dashboard/incidents" {
                // Filters naming A's department or group are refused, not ignored.
                #expect(page.status == .notFound || page.status == .badRequest, "\(route): \(page.status)")
            }
        }
        // The control: the same request from A's own session does reach A's data, so the
        // probe above could have seen a leak.
        let control = try await DashboardFixture()
        defer { control.remove() }
        let ownPath = "/" + String(parts[1])
            .replacingOccurrences(of: ":incident", with: String(control.a.incident.rawValue))
            .replacingOccurrences(of: ":department", with: String((probe.dispatch ? control.a.dispatch : control.a.secret).id.rawValue))
            .replacingOccurrences(of: ":chat", with: String(control.a.pendingChat.id.rawValue))
            .replacingOccurrences(of: ":shift", with: String(control.a.shift.id))
        let ownProbe = Self.probes(control.a)[route]!
        try await control.withBrowser { browser in
            try await browser.login(control.keyA)
            let before = try await control.snapshot(control.a)
            if method == "GET" {
                let page = try await browser.get(ownPath + ownProbe.query)
                if ownProbe.ownerSees {
                    #expect(page.status == .ok, "\(route) as the owner: \(page.status)")
                    #expect(page.html.contains(control.a.marker), "\(route) as the owner does not show the owner's data")
                }
            } else {
                _ = try await browser.post(ownPath, ownProbe.form)
                if ownProbe.ownerChanges {
                    #expect(try await control.snapshot(control.a) != before, "\(route) as the owner changed nothing")
                }
            }
        }
    }

    @Test func everyRouteHasAProbe() async throws {
        let fixture = try await DashboardFixture()
        defer { fixture.remove() }
        let probes = Self.probes(fixture.a)
        for route in Self.routes { #expect(probes[route] != nil, "\(route) has no isolation probe") }
    }
}
