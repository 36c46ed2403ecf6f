import Foundation
import IncidentCore
@testable import IncidentService
import Storage
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Shifts, leads and the escalation ladder through the admin API over real HTTP.
@Suite("Admin API: shifts, leads, escalation settings")
struct AdminShiftsTests {
    @Test("shift CRUD with clear 400s that write nothing; leads; the escalation ladder; all in the OpenAPI document")
    func shifts() async throws {
        try await AdminAPITests.withServer { server in
            let (_, company) = try await server.call("POST", "/api/v1/companies", #"{"name":"Acme"}"#)
            let companyID = try #require(company["id"] as? Int)
            let (_, department) = try await server.call("POST", "/api/v1/companies/\(companyID)/departments", #"{"name":"Dispatch"}"#)
            let departmentID = try #require(department["id"] as? Int)
            #expect(try await server.call("POST", "/api/v1/departments/\(departmentID)/members", #"{"user_id":42}"#).0 == 201)
            #expect(try await server.call("PUT", "/api/v1/groups/-100500", #"{"company_id":\#(companyID)}"#).0 == 200)
            let path = "/api/v1/companies/\(companyID)/shifts"
            func body(_ overrides: String = "") -> String {
                #"{"department_id":\#(departmentID),"chat_id":-100500,"user_id":42,"day":"monday","start":"22:00","end":"06:00"\#(overrides)}"#
            }
            let (created, shift) = try await server.call("POST", path, body())
            #expect(created == 201)
            #expect(shift["overnight"] as? Bool == true && shift["day"] as? String == "monday" && shift["start"] as? String == "22:00")
            let shiftID = try #require(shift["id"] as? Int)

            for (bad, message) in [
                (#"{"department_id":1,"chat_id":-100500,"user_id":42,"day":"monday","start":"22:00"}"#, "missing field end"),
                (body().replacingOccurrences(of: "\"22:00\"", with: "\"22.00\""), "start must be a time of day as HH:MM"),
                (body().replacingOccurrences(of: "\"monday\"", with: "\"funday\""), "day must be one of"),
                (body().replacingOccurrences(of: "\"user_id\":42", with: "\"user_id\":43"), "user 43 is not a member of department Dispatch"),
                (body().replacingOccurrences(of: "\"user_id\":42", with: "\"user_id\":-1"), "user_id must be a positive"),
                (body().replacingOccurrences(of: "-100500", with: "-100501"), "chat_id -100501 is not a group of company"),
                (body(#","note":"x""#), "unknown field note"),
                ("[]", "the body must be a JSON object"),
            ] {
                let (status, error) = try await server.call("POST", path, bad)
                #expect(status == 400, "\(bad)")
                #expect((error["error"] as? String)?.contains(message) == true, "\(bad): \(error)")
            }
            #expect(try await server.call("POST", "/api/v1/companies/999/shifts", body()).0 == 404)
            let (_, listed) = try await server.call("GET", path)
            #expect((listed["shifts"] as? [[String: Any]])?.count == 1, "refusals wrote nothing")

            let (updated, changed) = try await server.call(
                "PUT", "\(path)/\(shiftID)", body().replacingOccurrences(of: "\"06:00\"", with: "\"23:30\""))
            #expect(updated == 200 && changed["overnight"] as? Bool == false && changed["end"] as? String == "23:30")
            #expect(try await server.call("PUT", "\(path)/999", body()).0 == 404)
            #expect(try await server.call("GET", "\(path)?department_id=\(departmentID)&chat_id=-100500").1["shifts"].map { ($0 as? [Any])?.count } == 1)
            #expect(try await server.call("GET", "\(path)?chat_id=x").0 == 400)
            #expect(try await server.call("DELETE", "\(path)/\(shiftID)").0 == 204)
            #expect(try await server.call("DELETE", "\(path)/\(shiftID)").0 == 404)

            // Leads.
            let (leadStatus, leads) = try await server.call("PUT", "/api/v1/departments/\(departmentID)/leads/42", #"{"lead":true}"#)
            #expect(leadStatus == 200 && leads["lead_user_ids"] as? [Int] == [42])
            #expect(try await server.call("PUT", "/api/v1/departments/\(departmentID)/leads/43", #"{"lead":true}"#).0 == 404)
            #expect(try await server.call("PUT", "/api/v1/departments/\(departmentID)/leads/42", #"{"lead":"yes"}"#).0 == 400)

            // The escalation ladder: defaults, a partial update, a bad value changes nothing.
            let settings = "/api/v1/companies/\(companyID)/escalation-settings"
            let (_, defaults) = try await server.call("GET", settings)
            #expect(defaults["escalation_minutes"] as? Double == 30 && defaults["direct_message_minutes"] as? Double == 15)
            #expect(defaults["reminder_minutes"] as? Double == 10, "the installation's reminder period")
            let (_, set) = try await server.call("PUT", settings, #"{"escalation_minutes":20}"#)
            #expect(set["escalation_minutes"] as? Double == 20 && set["direct_message_minutes"] as? Double == 15)
            #expect(try await server.store.escalationLadder(company: CompanyID(Int64(companyID)), ownReminder: true).reminderEvery == nil,
                    "left out: still the installation's, not a copy of it")
            let (_, reminding) = try await server.call("PUT", settings, #"{"reminder_minutes":2.5}"#)
            #expect(reminding["reminder_minutes"] as? Double == 2.5 && reminding["escalation_minutes"] as? Double == 20)
            #expect(try await server.call("PUT", settings, #"{"reminder_minutes":-1}"#).0 == 400)
            #expect(try await server.call("PUT", settings, #"{"direct_message_minutes":0}"#).0 == 400)
            #expect(try await server.call("PUT", settings, #"{"escalation":5}"#).0 == 400)
            #expect(try await server.call("GET", settings).1["direct_message_minutes"] as? Double == 15)
            #expect(try await server.call("GET", "/api/v1/companies/999/escalation-settings").0 == 404)

            var request = URLRequest(url: URL(string: server.base + "/api/openapi.yaml")!)
            request.timeoutInterval = 10
            let document = String(decoding: try await URLSession.shared.data(for: request).0, as: UTF8.self)
            for route in ["/api/v1/companies/{id}/shifts:", "/api/v1/companies/{id}/shifts/{shift}:",
                          "/api/v1/departments/{id}/leads/{user}:", "/api/v1/companies/{id}/escalation-settings:",
                          "    ShiftBody:", "    EscalationSettings:"] {
                #expect(document.contains(route), "\(route)")
            }
        }
    }
}
