import Foundation
import IncidentCore
@testable import IncidentService
import Storage
import Testing

/// The admin API's access routes: keys, activation codes, department changes, groups, people.
@Suite("Admin API: access and dashboard operations")
struct AccessAPITests {
    typealias World = AccessIsolationTests.World

    @Test("keys: created with the secret once, listed without it, revoked; a revoked key is refused")
    func keys() async throws {
        try await AccessTestServer.run { server in
            let world = try await AccessIsolationTests.makeWorld(server.store)
            let a = world.companyA
            let created = try await server.call("POST", "/api/v1/companies/\(a)/keys", #"{"label":"Night desk"}"#)
            #expect(created.status == 201, "\(created.text)")
            let secret = try #require(created.json["secret"] as? String)
            let id = try #require(created.json["id"] as? Int)
            #expect(secret.hasPrefix("rdk_") && (created.json["prefix"] as? String).map(secret.hasPrefix) == true)
            let listed = try await server.call("GET", "/api/v1/companies/\(a)/keys")
            #expect(listed.status == 200 && !listed.text.contains(secret) && !listed.text.contains("secret"))
            #expect((listed.json["keys"] as? [[String: Any]])?.compactMap { $0["label"] as? String } == ["acme ops", "Night desk"])
            #expect(try await server.call("GET", "/api/v1/companies", token: secret).status == 200)
            #expect(try await server.call("DELETE", "/api/v1/keys/\(id)").status == 204)
            #expect(try await server.call("GET", "/api/v1/companies", token: secret).status == 401)
            #expect(try await server.call("DELETE", "/api/v1/keys/99999").status == 404)
            // Bad input: clear 4xx, nothing written.
            let before = try server.snapshot()
            for (path, body) in [
                ("/api/v1/companies/\(a)/keys", #"{"label":""}"#), ("/api/v1/companies/\(a)/keys", #"{"lable":"x"}"#),
                ("/api/v1/companies/\(a)/keys", "not json"), ("/api/v1/companies/99999/keys", #"{"label":"x"}"#),
                ("/api/v1/companies/abc/keys", #"{"label":"x"}"#),
            ] {
                let answer = try await server.call("POST", path, body)
                #expect((400...404).contains(answer.status) && answer.json["error"] is String, "\(path) \(body) -> \(answer.status)")
            }
            #expect(try server.snapshot() == before)
        }
    }

    @Test("a wrong key counts towards the failure throttle like a wrong token")
    func wrongKeysAreThrottled() async throws {
        try await AccessTestServer.run(throttle: FailedAuthentications(limit: 3, window: .seconds(60))) { server in
            let world = try await AccessIsolationTests.makeWorld(server.store)
            let wrong = String(world.keyA.dropLast()) + (world.keyA.hasSuffix("A") ? "B" : "A")
            for _ in 0..<3 { #expect(try await server.call("GET", "/api/v1/companies", token: wrong).status == 401) }
            let throttled = try await server.call("GET", "/api/v1/companies", token: world.keyA)
            #expect(throttled.status == 429)
        }
    }

    @Test("departments: rename, restrict, delete with history kept; bad input writes nothing")
    func departments() async throws {
        try await AccessTestServer.run { server in
            let world = try await AccessIsolationTests.makeWorld(server.store)
            let d = world.departmentA
            let before = try server.snapshot()
            for body in [#"{}"#, #"{"name":""}"#, #"{"restricted":"yes"}"#, #"{"name":"X","colour":"red"}"#, "[]"] {
                let answer = try await server.call("PATCH", "/api/v1/departments/\(d)", body)
                #expect(answer.status == 400 && answer.json["error"] is String, "\(body) -> \(answer.status) \(answer.text)")
            }
            #expect(try server.snapshot() == before)
            let restricted = try await server.call("PATCH", "/api/v1/departments/\(d)", #"{"restricted":true}"#)
            #expect(restricted.json["restricted"] as? Bool == true && restricted.json["name"] as? String == "Dispatch")
            // The incident of the world is open with Dispatch? It awaits a department: deleting works.
            #expect(try await server.call("DELETE", "/api/v1/departments/\(d)").status == 204)
            #expect(try await server.call("DELETE", "/api/v1/departments/\(d)").status == 404)
            #expect(try await server.call("PATCH", "/api/v1/departments/\(d)", #"{"name":"Back"}"#).status == 404)
            let listed = try await server.call("GET", "/api/v1/companies/\(world.companyA)/departments")
            #expect((listed.json["departments"] as? [[String: Any]])?.isEmpty == true)
        }
    }

    @Test("groups: listed by status; approving posts the activation in the group through the outbox; deny posts the refusal")
    func groups() async throws {
        try await AccessTestServer.run { server in
            let world = try await AccessIsolationTests.makeWorld(server.store)
            let pending = try await server.call("GET", "/api/v1/companies/\(world.companyA)/groups?status=pending", token: world.keyA)
            let listed = try #require(pending.json["groups"] as? [[String: Any]])
            #expect(listed.compactMap { $0["chat_id"] as? Int } == [Int(World.pendingA)] && listed.first?["title"] as? String == "Night shift")
            #expect(try await server.call("GET", "/api/v1/companies/\(world.companyA)/groups?status=sleeping").status == 400)
            let active = try await server.call("GET", "/api/v1/companies/\(world.companyA)/groups?status=active")
            let managers = (active.json["groups"] as? [[String: Any]])?.first?["managers"] as? [[String: Any]]
            #expect(managers?.compactMap { $0["user_id"] as? Int } == [12])

            _ = try await server.store.claimOutbox(limit: 100, now: Date())  // the greetings
            let approved = try await server.call(
                "POST", "/api/v1/groups/\(World.pendingA)/approve", #"{"manager_user_ids":[11]}"#, token: world.keyA)
            #expect(approved.status == 200 && approved.json["status"] as? String == "active", "\(approved.text)")
            #expect(approved.json["company_id"] as? Int == Int(world.companyA))
            let sent = try await server.store.claimOutbox(limit: 100, now: Date())
            let messages = sent.compactMap { item -> String? in
                guard item.chatID == ChatID(World.pendingA), case .sendMessage(let message) = item.effect else { return nil }
                return message.html
            }
            #expect(messages == [Texts.groupActivated(companyName: "Acme")])
            // Approving it again: 409, nothing sent.
            #expect(try await server.call("POST", "/api/v1/groups/\(World.pendingA)/approve", token: world.keyA).status == 409)
            // The platform must name the company.
            #expect(try await server.call("POST", "/api/v1/groups/\(World.chatA)/approve").status == 400)
            // Deny: a group added by an Acme member, then denied.
            _ = try await server.store.apply(
                updateID: 50, chat: ChatRef(id: ChatID(-100_777_003), kind: .supergroup, title: "Spare"),
                sender: Person(id: UserID(World.memberA), firstName: "Ann"), event: .botMember(canPinMessages: false), now: Date())
            _ = try await server.store.claimOutbox(limit: 100, now: Date())
            let denied = try await server.call("POST", "/api/v1/groups/-100777003/deny", token: world.keyA)
            #expect(denied.status == 200 && denied.json["denied_at"] is String, "\(denied.text)")
            let refusal = try await server.store.claimOutbox(limit: 100, now: Date()).compactMap { item -> String? in
                if case .sendMessage(let message) = item.effect, item.chatID == ChatID(-100_777_003) { return message.html }
                return nil
            }
            #expect(refusal == [Texts.groupDenied])
            // Denied: no longer offered to Acme, so its key cannot reach it any more.
            #expect(try await server.call("POST", "/api/v1/groups/-100777003/deny", token: world.keyA).status == 404)
        }
    }

    @Test("people and activation codes")
    func peopleAndCodes() async throws {
        try await AccessTestServer.run { server in
            let world = try await AccessIsolationTests.makeWorld(server.store)
            let people = try await server.call("GET", "/api/v1/companies/\(world.companyA)/people", token: world.keyA)
            let ann = try #require((people.json["people"] as? [[String: Any]])?.first)
            #expect(ann["name"] as? String == "Ann" && ann["telegram_handle"] as? String == "@ann_a")
            #expect((ann["departments"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["Dispatch"])

            let code = try await server.call("POST", "/api/v1/companies/\(world.companyA)/activation-codes", token: world.keyA)
            #expect(code.status == 201 && (code.json["code"] as? String)?.count == 11, "\(code.text)")
            let custom = try await server.call(
                "POST", "/api/v1/companies/\(world.companyA)/activation-codes", #"{"lifetime_minutes":5}"#, token: world.keyA)
            #expect(custom.status == 201)
            let listed = try await server.call("GET", "/api/v1/companies/\(world.companyA)/activation-codes", token: world.keyA)
            let codes = try #require(listed.json["activation_codes"] as? [[String: Any]])
            #expect(codes.count == 3 && codes.allSatisfy { $0["code"] == nil || $0["code"] is NSNull })
            #expect(!listed.text.contains(code.json["code"] as? String ?? "-"))
            let before = try server.snapshot()
            for body in [#"{"lifetime_minutes":0}"#, #"{"lifetime_minutes":100000}"#, #"{"minutes":5}"#, "nope"] {
                let answer = try await server.call("POST", "/api/v1/companies/\(world.companyA)/activation-codes", body, token: world.keyA)
                #expect(answer.status == 400, "\(body) -> \(answer.status)")
            }
            #expect(try server.snapshot() == before)
        }
    }
}
