import Foundation
import IncidentCore
import IncidentKPI
@testable import IncidentService
import Storage
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
import Timestamps
#endif

/// Reports, exports and report settings over real HTTP on a real SQLite file.
@Suite("Admin API: reports")
struct AdminReportsTests {
    typealias Server = AdminAPITests.Server

    static let t0 = Timestamp.parse("2025-03-01T06:00:00.000Z")!  // 11:00 in Tashkent
    static func at(_ minutes: Double) -> Date { t0.addingTimeInterval(minutes * 60) }

    /// The raw answer: status, content type, body.
    static func raw(_ server: Server, _ path: String) async throws -> (Int, String, String) {
        var request = URLRequest(url: URL(string: server.base + path)!)
        request.setValue("Bearer admin-secret", forHTTPHeaderField: "Authorization")
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        return (http?.statusCode ?? 0, http?.value(forHTTPHeaderField: "Content-Type") ?? "", String(decoding: data, as: UTF8.self))
    }

    /// Acme (a department whose name is a formula) with one incident claimed after 4
    /// minutes, and Beta with one incident of its own.
    static func seed(_ store: IncidentStore) async throws -> (acme: CompanyID, beta: CompanyID, department: DepartmentID) {
        let acme = try await store.createCompany(name: "Acme", now: t0)
        let dispatch = try await store.createDepartment(company: acme.id, name: "=HYPERLINK(\"http://x\",\"y\")", now: t0)
        try await store.activateGroup(chat: ChatID(-77), company: acme.id, managers: [UserID(9)], now: t0)
        try await store.registerDriver(UserID(5), chat: ChatID(-77), now: t0)
        try await store.addMember(.user(UserID(6)), to: dispatch.id, now: t0)
        let beta = try await store.createCompany(name: "Beta", now: t0)
        let yard = try await store.createDepartment(company: beta.id, name: "Yard", now: t0)
        try await store.activateGroup(chat: ChatID(-88), company: beta.id, managers: [], now: t0)
        try await store.registerDriver(UserID(5), chat: ChatID(-88), now: t0)
        let driver = Person(id: UserID(5), firstName: "Rita")
        let ann = Person(id: UserID(6), firstName: "Ann")
        var update: Int64 = 0
        for (chat, department, minutes) in [(ChatID(-77), dispatch.id, 0.0), (ChatID(-88), yard.id, 30.0)] {
            update += 10
            let ref = ChatRef(id: chat, kind: .supergroup)
            let created = try await store.apply(
                updateID: update, chat: ref, sender: driver,
                event: .newIssue(command: MessageID(update), reported: .init(messageID: MessageID(update + 1), text: "tyre")),
                now: at(minutes))
            let id = try #require(created.incidentID)
            let choose = CallbackData(incidentID: id, cardVersion: 1, action: .chooseDepartment(department)).encoded
            _ = try await store.apply(
                updateID: update + 1, chat: ref, sender: driver, event: .press(query: CallbackQueryID("q\(update)"), data: choose), now: at(minutes + 1))
            if chat == ChatID(-77) {
                let version = try #require(try await store.incident(id)).cardVersion
                let claim = CallbackData(incidentID: id, cardVersion: version, action: .claim).encoded
                let claimed = try await store.apply(
                    updateID: update + 2, chat: ref, sender: ann, event: .press(query: CallbackQueryID("c\(update)"), data: claim), now: at(minutes + 5))
                #expect(claimed.outcome == .applied)
            }
        }
        return (acme.id, beta.id, dispatch.id)
    }

    @Test("report settings: validated, an unknown time zone is a 400 that writes nothing")
    func settings() async throws {
        try await AdminAPITests.withServer { (server: Server) async throws in
            let (acme, _, _) = try await Self.seed(server.store)
            let path = "/api/v1/companies/\(acme.rawValue)/kpi-settings"
            let (status, initial) = try await server.call("GET", path)
            #expect(status == 200)
            #expect(initial["timezone"] as? String == "UTC")
            #expect(initial["week_start"] as? String == "monday")
            let (bad, error) = try await server.call("PUT", path, #"{"timezone":"Mars/Olympus","sla_claim_minutes":5}"#)
            #expect(bad == 400)
            #expect((error["error"] as? String)?.contains("IANA") == true)
            #expect(try await server.store.kpiSettings(company: acme) == .standard)
            for body in [#"{"week_start":"funday"}"#, #"{"sla_claim_minutes":-1}"#, #"{"sla_resolve_minutes":0}"#, #"{"timezone":5}"#, "{nope"] {
                #expect(try await server.call("PUT", path, body).0 == 400, "\(body)")
            }
            #expect(try await server.store.kpiSettings(company: acme) == .standard)
            // A misspelt field is refused by name, not answered 200 with nothing changed.
            let (misspelt, why) = try await server.call("PUT", path, #"{"time_zone":"Asia/Tashkent"}"#)
            #expect(misspelt == 400)
            #expect((why["error"] as? String)?.contains("unknown field time_zone") == true)
            #expect(try await server.call("PUT", path, "{}").0 == 400)
            #expect(try await server.store.kpiSettings(company: acme) == .standard)
            let (ok, stored) = try await server.call(
                "PUT", path, #"{"timezone":"Asia/Tashkent","week_start":"Sunday","sla_claim_minutes":2.5}"#)
            #expect(ok == 200)
            #expect(stored["timezone"] as? String == "Asia/Tashkent")
            #expect(stored["week_start"] as? String == "sunday")
            #expect(stored["sla_claim_minutes"] as? Double == 2.5)
            #expect(stored["sla_resolve_minutes"] as? Double == 240)
            #expect(try await server.call("PUT", "/api/v1/companies/999/kpi-settings", #"{"timezone":"UTC"}"#).0 == 404)
            #expect(try await server.call("GET", "/api/v1/companies/999/kpi-settings").0 == 404)
        }
    }

    @Test("reports as JSON, per company, in the company's time zone; bad parameters are 4xx")
    func reports() async throws {
        try await AdminAPITests.withServer { (server: Server) async throws in
            let (acme, beta, department) = try await Self.seed(server.store)
            #expect(try await server.call("PUT", "/api/v1/companies/\(acme.rawValue)/kpi-settings", #"{"timezone":"Asia/Tashkent"}"#).0 == 200)
            let base = "/api/v1/companies/\(acme.rawValue)/reports"
            let (status, body) = try await server.call("GET", base + "/departments?from=2025-03-01&to=2025-03-01")
            #expect(status == 200)
            #expect(body["time_zone"] as? String == "Asia/Tashkent")
            #expect(body["from"] as? String == "2025-02-28T19:00:00.000Z")
            #expect(body["to"] as? String == "2025-03-01T19:00:00.000Z")
            let report = try #require(body["report"] as? [String: Any])
            let departments = try #require(report["departments"] as? [[String: Any]])
            #expect(departments.count == 1)
            let summary = try #require(departments.first?["summary"] as? [String: Any])
            #expect(summary["sessions"] as? Int == 1)
            let claim = try #require(summary["time_to_claim"] as? [String: Any])
            #expect(claim["median"] as? Double == 240)
            #expect(claim["p95"] as? Double == 240)
            #expect((summary["time_to_resolve"] as? [String: Any])?["median"] is NSNull)

            for kind in AdminAPI.reportKinds {
                let (code, answer) = try await server.call("GET", base + "/\(kind)?from=2025-03-01&to=2025-03-01")
                #expect(code == 200, "\(kind)")
                #expect(answer["report"] != nil, "\(kind)")
            }
            // Tenant isolation over HTTP: each company sees its own incident only.
            for company in [acme, beta] {
                let (_, answer) = try await server.call("GET", "/api/v1/companies/\(company.rawValue)/reports/summary?from=2025-03-01&to=2025-03-01")
                #expect((answer["report"] as? [String: Any])?["created"] as? Int == 1)
                #expect((answer["report"] as? [String: Any])?["sessions"] as? Int == 1)
            }
            let (_, trends) = try await server.call("GET", base + "/trends?from=2025-03-01&to=2025-03-01&bucket=hour")
            let points = try #require((trends["report"] as? [String: Any])?["points"] as? [[String: Any]])
            #expect(points.count == 24)
            #expect(points.first?["label"] as? String == "2025-03-01 00:00 +05:00")
            #expect(points.map { $0["created"] as? Int ?? -1 }.reduce(0, +) == 1)
            #expect(points[11]["created"] as? Int == 1)

            for (query, expected) in [
                ("/bogus", 404), ("/departments?from=2025-13-01", 400), ("/departments?from=2025-03-02&to=2025-03-01", 400),
                ("/departments?from=2020-01-01&to=2025-01-01", 400), ("/departments?format=xml", 400),
                ("/departments?department_id=abc", 400), ("/trends?bucket=minute", 400),
                ("/trends?department_id=\(department.rawValue)", 400), ("/departments?chat_id=-88", 404),
                ("/departments?department_id=999", 404),
            ] {
                let (code, answer) = try await server.call("GET", base + query)
                #expect(code == expected, "\(query) answered \(code)")
                #expect(!(answer["error"] as? String ?? "").isEmpty, "\(query)")
            }
            #expect(try await server.call("GET", "/api/v1/companies/\(beta.rawValue)/reports/departments?department_id=\(department.rawValue)").0 == 404)
            #expect(try await server.call("GET", base + "/departments", token: nil).0 == 401)
        }
    }

    @Test("CSV exports are spreadsheet-safe; the incident export carries the timeline")
    func exports() async throws {
        try await AdminAPITests.withServer { (server: Server) async throws in
            let (acme, _, _) = try await Self.seed(server.store)
            let base = "/api/v1/companies/\(acme.rawValue)"
            let (status, type, csv) = try await Self.raw(server, base + "/reports/departments?from=2025-03-01&to=2025-03-01&format=csv")
            #expect(status == 200)
            #expect(type.hasPrefix("text/csv"))
            let lines = csv.components(separatedBy: "\r\n")
            #expect(lines.first?.hasPrefix("department_id,department,transferred_in,workload_share_pct,created,sessions") == true)
            #expect(lines.count == 3)  // header, one department, the final CRLF
            #expect(lines[1].contains(#","'=HYPERLINK(""http://x"",""y"")","#))

            for kind in AdminAPI.reportKinds {
                let (code, kindType, body) = try await Self.raw(server, base + "/reports/\(kind)?from=2025-03-01&to=2025-03-01&format=csv")
                #expect(code == 200, "\(kind)")
                #expect(kindType.hasPrefix("text/csv"), "\(kind)")
                #expect(body.hasSuffix("\r\n") && body.contains(","), "\(kind)")
            }

            let (exportStatus, _, export) = try await Self.raw(server, base + "/incidents/export?from=2025-03-01&to=2025-03-01&format=csv")
            #expect(exportStatus == 200)
            let rows = export.components(separatedBy: "\r\n").filter { !$0.isEmpty }
            #expect(rows.count == 4)  // header, created, department_assigned, claimed
            #expect(rows[1].contains(",created,"))
            #expect(rows[3].contains(",claimed,6,"))

            let (jsonStatus, json) = try await server.call("GET", base + "/incidents/export?from=2025-03-01&to=2025-03-01")
            #expect(jsonStatus == 200)
            let incidents = try #require(json["incidents"] as? [[String: Any]])
            #expect(incidents.count == 1)
            #expect((incidents.first?["timeline"] as? [Any])?.count == 3)
            #expect(try await server.call("GET", base + "/incidents/export?user_id=6").0 == 400)

            let (_, _, document) = try await Self.raw(server, "/api/openapi.yaml")
            #expect(document.contains("/api/v1/companies/{id}/reports/{kind}"))
            #expect(document.contains("/api/v1/companies/{id}/kpi-settings"))
            #expect(document.contains("/api/v1/companies/{id}/incidents/export"))
        }
    }
}
