@testable import Dashboard
import Foundation
import Hummingbird
import IncidentCore
import Storage
import Testing

/// What the pages show, read from a real store over real HTTP.
@Suite struct DashboardPageTests {
    @Test func overviewCountsOpenIncidentsByDepartmentAndStatus() async throws {
        let fixture = try await DashboardFixture()
        defer { fixture.remove() }
        // A second incident of Acme, not yet sent to a department.
        _ = try await fixture.store.apply(
            updateID: 9_001, chat: fixture.a.chat, sender: fixture.a.driver,
            event: .newIssue(command: MessageID(91), reported: .init(messageID: MessageID(90), text: "Second")), now: DashboardFixture.t0)
        try await fixture.withBrowser { browser in
            try await browser.login(fixture.keyA)
            let page = try await browser.get("/dashboard")
            #expect(page.text(id: "open-count") == "2")
            // One row per department with open incidents: the marker department (awaiting
            // claim) and "not chosen yet" (awaiting department).
            #expect(page.html.contains("Dept-acmesecret"))
            #expect(page.html.contains("(not chosen yet)"))
            #expect(page.html.contains("/dashboard/incidents?status=awaiting_claim&amp;department=\(fixture.a.secret.id.rawValue)"))
            #expect(page.html.contains("sla-glance"))
        }
    }

    @Test func incidentListFiltersAndPages() async throws {
        let fixture = try await DashboardFixture()
        defer { fixture.remove() }
        // 60 more incidents of Acme: two pages of 50.
        for index in 0..<60 {
            _ = try await fixture.store.apply(
                updateID: 10_000 + Int64(index), chat: fixture.a.chat, sender: fixture.a.driver,
                event: .newIssue(command: MessageID(Int64(1000 + 2 * index + 1)), reported: .init(messageID: MessageID(Int64(1000 + 2 * index)), text: "Batch \(index) forklift")),
                now: DashboardFixture.t0.addingTimeInterval(86_400 * 2))
        }
        try await fixture.withBrowser { browser in
            try await browser.login(fixture.keyA)
            let first = try await browser.get("/dashboard/incidents")
            #expect(first.status == .ok)
            let rows = first.html.components(separatedBy: "data-incident-id=").count - 1
            #expect(rows == 50)
            let next = try #require(first.html.range(of: #"href="(/dashboard/incidents\?before=\d+)" id="next-page""#, options: .regularExpression))
            let link = String(first.html[next]).split(separator: "\"")[1]
            let second = try await browser.get(String(link))
            #expect(second.html.components(separatedBy: "data-incident-id=").count - 1 == 11)
            #expect(!second.html.contains("id=\"next-page\""))

            // Text, status, department and date filters.
            let text = try await browser.get("/dashboard/incidents?q=batch%2042")
            #expect(text.html.components(separatedBy: "data-incident-id=").count - 1 == 1)
            #expect(text.html.contains("Batch 42 forklift"))
            let claimed = try await browser.get("/dashboard/incidents?status=awaiting_claim&department=\(fixture.a.secret.id.rawValue)")
            #expect(claimed.html.components(separatedBy: "data-incident-id=").count - 1 == 1)
            #expect(claimed.html.contains("Report-acmesecret"))
            let dated = try await browser.get("/dashboard/incidents?from=2025-03-01&to=2025-03-01")
            #expect(dated.html.components(separatedBy: "data-incident-id=").count - 1 == 1)
            let group = try await browser.get("/dashboard/incidents?group=\(fixture.a.chat.id.rawValue)&q=forklift")
            #expect(group.html.components(separatedBy: "data-incident-id=").count - 1 == 50)
        }
    }

    @Test func badFiltersAreExplainedAndListNothing() async throws {
        let fixture = try await DashboardFixture()
        defer { fixture.remove() }
        try await fixture.withBrowser { browser in
            try await browser.login(fixture.keyA)
            let cases: [(String, String)] = [
                ("status=bogus", "Unknown status \"bogus\": choose one from the list."),
                ("department=\(fixture.b.dispatch.id.rawValue)", "Acme has no department \(fixture.b.dispatch.id.rawValue)."),
                ("department=abc", "Acme has no department abc."),
                ("group=\(fixture.b.chat.id.rawValue)", "Acme has no group \(fixture.b.chat.id.rawValue)."),
                ("from=2025-02-30", "From must be a date (YYYY-MM-DD)."),
                ("to=yesterday", "To must be a date (YYYY-MM-DD)."),
                ("from=2025-03-05&to=2025-03-01", "From must not be after To."),
                ("before=-3", "That page link is broken: start from the first page."),
                ("q=" + String(repeating: "x", count: 201), "Search for at most 200 characters."),
            ]
            for (query, message) in cases {
                let page = try await browser.get("/dashboard/incidents?" + query)
                #expect(page.status == .badRequest, "\(query)")
                #expect(page.text(id: "error") == message.replacingOccurrences(of: "\"", with: "&quot;"), "\(query)")
                #expect(!page.html.contains("data-incident-id="), "\(query)")
            }
        }
    }

    @Test func incidentDetailShowsTimelineParticipantsSessionsAndEscapesText() async throws {
        let fixture = try await DashboardFixture()
        defer { fixture.remove() }
        // The member claims it.
        let store = fixture.store
        let id = fixture.a.incident
        let version = try #require(await store.incident(id)).cardVersion
        let claim = CallbackData(incidentID: id, cardVersion: version, action: .claim).encoded
        let claimed = try await store.apply(
            updateID: 7_777, chat: fixture.a.chat, sender: fixture.a.member, event: .press(query: CallbackQueryID("c1"), data: claim),
            now: DashboardFixture.t0.addingTimeInterval(120))
        #expect(claimed.outcome == .applied)
        try await fixture.withBrowser { browser in
            try await browser.login(fixture.keyA)
            let page = try await browser.get("/dashboard/incidents/\(id.rawValue)")
            #expect(page.status == .ok)
            #expect(page.text(id: "status") == "in progress")
            #expect(page.text(id: "department") == "Dept-acmesecret")
            // What the driver typed is shown as text, never as markup.
            #expect(page.text(id: "reported-text") == "Report-acmesecret &lt;b&gt;x&lt;/b&gt;")
            #expect(!page.html.contains("<b>x</b>"))
            #expect(page.html.contains("Memberacmesecret (@member_acmesecret)"))
            #expect(page.html.contains("still on it"))
            #expect(page.html.contains("2025-03-01 08:02:00"))
            #expect(page.html.contains("department assigned"))
            #expect(page.html.contains("claimed"))
            // The link to the reported message in the supergroup.
            #expect(page.html.contains("href=\"https://t.me/c/1000000101/10\""))
            // An unknown id, or another company's incident: not found.
            #expect(try await browser.get("/dashboard/incidents/999999").status == .notFound)
            #expect(try await browser.get("/dashboard/incidents/\(fixture.b.incident.rawValue)").status == .notFound)
            #expect(try await browser.get("/dashboard/incidents/abc").status == .notFound)
        }
    }

    @Test func groupsPeopleAndReportsShowTheCompany() async throws {
        let fixture = try await DashboardFixture()
        defer { fixture.remove() }
        try await fixture.withBrowser { browser in
            try await browser.login(fixture.keyA)
            let groups = try await browser.get("/dashboard/groups")
            #expect(groups.html.contains("Group-acmesecret"))
            #expect(groups.html.contains("Memberacmesecret"))
            let people = try await browser.get("/dashboard/people")
            #expect(people.html.contains("Driveracmesecret"))
            #expect(people.html.contains("@driver_acmesecret"))
            #expect(people.html.contains("Group-acmesecret"))  // registered driver there
            for kind in ["departments", "sla", "trends", "people", "groups", "comparison", "summary"] {
                let page = try await browser.get("/dashboard/reports?kind=\(kind)&from=2025-02-27&to=2025-03-03")
                #expect(page.status == .ok, "\(kind)")
                #expect(page.html.contains("<svg"), "\(kind)")
                #expect(page.html.contains("id=\"report-table\""), "\(kind)")
            }
            let departments = try await browser.get("/dashboard/reports?kind=departments&from=2025-02-27&to=2025-03-03")
            #expect(departments.html.contains("Dept-acmesecret"))
            let csv = try await browser.get("/dashboard/reports/download?kind=departments&from=2025-02-27&to=2025-03-03&format=csv")
            #expect(csv.status == .ok)
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(csv.html.contains("Dept-acmesecret"))
            let json = try await browser.get("/dashboard/reports/download?kind=sla&from=2025-02-27&to=2025-03-03&format=json")
            #expect(json.status == .ok)
            let object = try JSONSerialization.jsonObject(with: Data(json.html.utf8)) as? [String: Any]
            #expect(object?["company_id"] as? Int == Int(fixture.a.company.id.rawValue))
            let bad = try await browser.get("/dashboard/reports?kind=nope")
            #expect(bad.status == .badRequest)
            #expect(bad.html.contains("There is no report"))
            let badDate = try await browser.get("/dashboard/reports?kind=sla&from=2025-13-01")
            #expect(badDate.status == .badRequest)
            #expect(badDate.text(id: "error") == "From must be a date (YYYY-MM-DD).")
        }
    }

    @Test func chartsEscapeLabels() {
        let svg = SVGChart.bars(title: "t", categories: ["<script>alert(1)</script>"], series: [.init(name: "a&b", values: [3])])
        #expect(!svg.contains("<script>"))
        #expect(svg.contains("&lt;script&gt;"))
        #expect(svg.contains("a&amp;b"))
        let lines = SVGChart.lines(title: "<t>", labels: ["<l>"], series: [.init(name: "\"q", values: [1])])
        #expect(!lines.contains("<t>") && !lines.contains("<l>") && !lines.contains("\"q"))
    }
}
