import Foundation
import Hummingbird
import IncidentCore
@testable import IncidentService
import Logging
import RaiseDashConfig
import ServiceLifecycle
import Storage
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The admin API over real HTTP on a real SQLite file.
@Suite("Admin API")
struct AdminAPITests {
    struct Server {
        let base: String
        let store: IncidentStore

        func call(_ method: String, _ path: String, _ body: String? = nil, token: String? = "admin-secret") async throws -> (Int, [String: Any]) {
            var request = URLRequest(url: URL(string: base + path)!)
            request.httpMethod = method
            request.timeoutInterval = 10
            if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
            if let body { request.httpBody = Data(body.utf8) }
            let (data, response) = try await URLSession.shared.data(for: request)
            let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, json)
        }
    }

    static func withServer(throttle: FailedAuthentications = .init(), _ body: (Server) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rd-admin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try IncidentStore(path: directory.appendingPathComponent("incidents.db").path, policy: .standard)
        var logger = Logger(label: "test.admin")
        logger.logLevel = .critical
        let api = AdminAPI(store: store, token: Secret("admin-secret"), logger: logger, throttle: throttle)
        try await withAdminAPIServer(api, logger: logger) { base in
            try await body(Server(base: base, store: store))
        }
    }

    @Test("a bearer token is required")
    func authentication() async throws {
        try await Self.withServer { (server: Server) async throws in
            #expect(try await server.call("GET", "/api/v1/companies", token: nil).0 == 401)
            #expect(try await server.call("GET", "/api/v1/companies", token: "wrong").0 == 401)
            #expect(try await server.call("POST", "/api/v1/companies", #"{"name":"Acme"}"#, token: nil).0 == 401)
            #expect(try await server.store.companies().isEmpty)
            #expect(try await server.call("GET", "/api/v1/companies").0 == 200)
        }
    }

    @Test("companies, departments, members and groups; bad input is a 4xx with a JSON error and writes nothing")
    func configuration() async throws {
        try await Self.withServer { (server: Server) async throws in
            let (created, company) = try await server.call("POST", "/api/v1/companies", #"{"name":"Acme"}"#)
            #expect(created == 201)
            #expect(company["name"] as? String == "Acme")
            let companyID = try #require(company["id"] as? Int)

            for (body, status) in [
                (#"{"name":"acme"}"#, 409), (#"{"name":5}"#, 400), (#"{nope"#, 400), ("", 400), (#"{}"#, 400), (#"{"name":""}"#, 400),
            ] {
                let (code, error) = try await server.call("POST", "/api/v1/companies", body)
                #expect(code == status, "\(body) answered \(code)")
                #expect(!(error["error"] as? String ?? "").isEmpty, "\(body) has no error message")
            }
            #expect(try await server.store.companies().count == 1)

            let (departmentStatus, department) = try await server.call(
                "POST", "/api/v1/companies/\(companyID)/departments", #"{"name":"Dispatch","restricted":true}"#)
            #expect(departmentStatus == 201)
            #expect(department["company_id"] as? Int == companyID)
            #expect(department["restricted"] as? Bool == true)
            let departmentID = try #require(department["id"] as? Int)
            #expect(try await server.call("POST", "/api/v1/companies/999/departments", #"{"name":"X"}"#).0 == 404)
            #expect(try await server.call("POST", "/api/v1/companies/\(companyID)/departments", #"{"name":"dispatch"}"#).0 == 409)
            #expect(try await server.call("POST", "/api/v1/companies/abc/departments", #"{"name":"X"}"#).0 == 400)
            #expect(try await server.store.departments(company: CompanyID(Int64(companyID))).count == 1)

            #expect(try await server.call("POST", "/api/v1/departments/\(departmentID)/members", #"{"user_id":42}"#).0 == 201)
            #expect(try await server.call("POST", "/api/v1/departments/\(departmentID)/members", #"{"telegram_handle":"@dave_dispatch"}"#).0 == 201)
            for body in [#"{"user_id":42,"telegram_handle":"@x_user"}"#, #"{}"#, #"{"user_id":"42"}"#, #"{"telegram_handle":"no spaces allowed"}"#, #"{"user_id":-1}"#] {
                #expect(try await server.call("POST", "/api/v1/departments/\(departmentID)/members", body).0 == 400, "\(body)")
            }
            #expect(try await server.call("POST", "/api/v1/departments/999/members", #"{"user_id":1}"#).0 == 404)
            #expect(try await server.store.members(of: DepartmentID(Int64(departmentID))).count == 2)
            #expect(try await server.call("DELETE", "/api/v1/departments/\(departmentID)/members/@dave_dispatch").0 == 204)
            #expect(try await server.call("DELETE", "/api/v1/departments/\(departmentID)/members/42").0 == 204)
            #expect(try await server.call("DELETE", "/api/v1/departments/\(departmentID)/members/42").0 == 404)
            #expect(try await server.store.members(of: DepartmentID(Int64(departmentID))).isEmpty)

            let (groupStatus, group) = try await server.call("PUT", "/api/v1/groups/-1001", #"{"company_id":\#(companyID),"manager_user_ids":[7,5]}"#)
            #expect(groupStatus == 200)
            #expect(group["status"] as? String == "active")
            #expect(group["manager_user_ids"] as? [Int] == [5, 7])
            // PUT replaces the managers.
            let (_, replaced) = try await server.call("PUT", "/api/v1/groups/-1001", #"{"company_id":\#(companyID),"manager_user_ids":[9]}"#)
            #expect(replaced["manager_user_ids"] as? [Int] == [9])
            #expect(try await server.call("PUT", "/api/v1/groups/-1001", #"{"company_id":999}"#).0 == 404)
            #expect(try await server.call("PUT", "/api/v1/groups/abc", #"{"company_id":\#(companyID)}"#).0 == 400)
            #expect(try await server.call("PUT", "/api/v1/groups/-1001", #"{"company_id":"one"}"#).0 == 400)
            #expect(try await server.store.group(chat: ChatID(-1001))?.managerIDs == [UserID(9)])
        }
    }

    @Test("incidents are listed with filters and shown with their timeline")
    func incidents() async throws {
        try await Self.withServer { (server: Server) async throws in
            let store = server.store
            let company = try await store.createCompany(name: "Acme", now: .now)
            _ = try await store.createDepartment(company: company.id, name: "Dispatch", now: .now)
            try await store.activateGroup(chat: ChatID(-77), company: company.id, managers: [], now: .now)
            try await store.registerDriver(UserID(5), chat: ChatID(-77), now: .now)
            let created = try await store.apply(
                updateID: 1, chat: ChatRef(id: ChatID(-77), kind: .supergroup), sender: Person(id: UserID(5), firstName: "Ann"),
                event: .newIssue(command: MessageID(2), reported: .init(messageID: MessageID(1), text: "flat tyre")), now: .now)
            let id = try #require(created.incidentID)

            let (status, list) = try await server.call("GET", "/api/v1/incidents?chat_id=-77&status=awaiting_department")
            #expect(status == 200)
            let incidents = try #require(list["incidents"] as? [[String: Any]])
            #expect(incidents.count == 1)
            #expect(incidents.first?["number"] as? String == "0001")
            #expect(incidents.first?["reporter_id"] as? Int == 5)
            // Every field of the contract is present; absent values are null.
            for field in ["department", "summary", "claimed_at", "resolved_at"] {
                #expect(incidents.first?[field] is NSNull, "\(field) is not null")
            }
            #expect(incidents.first?["claimer_ids"] as? [Int] == [])
            #expect(incidents.first?["participants"] as? [Any] != nil)
            #expect((incidents.first?["participants"] as? [Any])?.isEmpty == true)
            #expect(incidents.first?["description"] as? String == "flat tyre")
            #expect(incidents.first?["chat_id"] as? Int == -77)
            #expect((incidents.first?["created_at"] as? String)?.hasSuffix("Z") == true)
            #expect((try await server.call("GET", "/api/v1/incidents?status=resolved").1["incidents"] as? [Any])?.isEmpty == true)
            #expect(try await server.call("GET", "/api/v1/incidents?status=bogus").0 == 400)
            #expect(try await server.call("GET", "/api/v1/incidents?chat_id=x").0 == 400)

            let (detailStatus, detail) = try await server.call("GET", "/api/v1/incidents/\(id.rawValue)")
            #expect(detailStatus == 200)
            let timeline = try #require(detail["timeline"] as? [[String: Any]])
            #expect(timeline.first?["action"] as? String == "created")
            #expect(timeline.first?["actor_id"] as? Int == 5)
            #expect(try await server.call("GET", "/api/v1/incidents/99999").0 == 404)
            let (docStatus, _) = try await server.call("GET", "/api/openapi.yaml", token: nil)
            #expect(docStatus == 200)
        }
    }
}
