import Foundation
import IncidentCore
@testable import IncidentService
import IncidentShifts
import Storage
import Testing

/// Company B's key against company A's data on every route of the admin API, driven by the
/// route table itself (``AdminAPI/routes``): a route added to the table is exercised here
/// without anyone writing a test for it, and one whose scope lets B reach A fails.
@Suite("Admin API: company isolation")
struct AccessIsolationTests {
    /// Company A's world and company B's key.
    struct World {
        var companyA: Int64 = 0, companyB: Int64 = 0
        var keyA = "", keyB = "", keyAID: Int64 = 0
        var departmentA: Int64 = 0, departmentB: Int64 = 0
        var incidentA: Int64 = 0, shiftA: Int64 = 0
        static let chatA: Int64 = -100_777_001
        static let pendingA: Int64 = -100_777_002
        static let chatB: Int64 = -100_888_001
        static let memberA: Int64 = 11
        /// Text that only company A's data contains.
        static let markersOfA = ["Acme", "Dispatch", "777001", "777002", "Flat tyre", "Night shift", "Ann"]
    }

    static func makeWorld(_ store: IncidentStore) async throws -> World {
        var world = World()
        let now = Date()
        let acme = try await store.createCompany(name: "Acme", now: now)
        world.companyA = acme.id.rawValue
        let dispatch = try await store.createDepartment(company: acme.id, name: "Dispatch", now: now)
        world.departmentA = dispatch.id.rawValue
        let ann = Person(id: UserID(World.memberA), handle: Handle("ann_a"), firstName: "Ann")
        try await store.recordUserSeen(ann, now: now)
        try await store.addMember(.user(ann.id), to: dispatch.id, now: now)
        try await store.activateGroup(chat: ChatID(World.chatA), company: acme.id, managers: [UserID(12)], now: now)
        let chatA = ChatRef(id: ChatID(World.chatA), kind: .supergroup, title: "Acme fleet")
        let created = try await store.apply(
            updateID: 1, chat: chatA, sender: ann,
            event: .newIssue(command: MessageID(11), reported: .init(messageID: MessageID(10), text: "Flat tyre at exit 5")), now: now)
        world.incidentA = try #require(created.incidentID).rawValue
        // A pending group whose bot Ann (of Acme) added: offered to Acme only.
        _ = try await store.apply(
            updateID: 2, chat: ChatRef(id: ChatID(World.pendingA), kind: .supergroup, title: "Night shift"), sender: ann,
            event: .botMember(canPinMessages: true), now: now)
        try await store.recordDeadLetter(
            InboundUpdate(updateID: 3, chat: chatA, sender: nil, event: .help(command: MessageID(30)), receivedAt: now),
            reason: "deferred", attempts: 10, firstFailedAt: now, now: now)
        _ = try await store.createActivationCode(companyID: acme.id.rawValue, now: now)
        let night = try WeeklyShift.parse(day: "monday", start: "22:00", end: "06:00").get()
        world.shiftA = try await store.createShift(
            company: acme.id, ShiftInput(departmentID: dispatch.id, chatID: ChatID(World.chatA), userID: ann.id, shift: night), now: now
        ).id
        let (keyA, secretA) = try await store.createAccessKey(companyID: acme.id.rawValue, label: "acme ops", now: now)
        world.keyA = secretA
        world.keyAID = keyA.id

        let globex = try await store.createCompany(name: "Globex", now: now)
        world.companyB = globex.id.rawValue
        world.departmentB = try await store.createDepartment(company: globex.id, name: "Yard", now: now).id.rawValue
        try await store.activateGroup(chat: ChatID(World.chatB), company: globex.id, managers: nil, now: now)
        world.keyB = try await store.createAccessKey(companyID: globex.id.rawValue, label: "globex ops", now: now).secret
        return world
    }

    /// A body for each writing route: valid, so that only the scope can refuse it. A writing
    /// route missing here is sent `{}`, which a correctly scoped route refuses before reading.
    static func body(for route: AdminRoute, world: World) -> String? {
        switch (route.method, route.path) {
        case (.post, "companies"): #"{"name":"Evil"}"#
        case (.post, "companies/:id/departments"): #"{"name":"Evil"}"#
        case (.patch, "departments/:id"): #"{"name":"Evil","restricted":true}"#
        case (.post, "departments/:id/members"): #"{"user_id":666}"#
        case (.put, "groups/:chat_id"): #"{"company_id":\#(world.companyB),"manager_user_ids":[666]}"#
        case (.post, "groups/:chat_id/approve"): #"{"manager_user_ids":[666]}"#
        case (.post, "companies/:id/activation-codes"): #"{"lifetime_minutes":60}"#
        case (.post, "companies/:id/keys"): #"{"label":"evil"}"#
        case (.put, "companies/:id/kpi-settings"): #"{"timezone":"UTC"}"#
        case (.post, "companies/:id/shifts"), (.put, "companies/:id/shifts/:shift"):
            #"{"department_id":\#(world.departmentA),"chat_id":\#(World.chatA),"user_id":\#(World.memberA),"day":"friday","start":"08:00","end":"16:00"}"#
        case (.put, "departments/:id/leads/:user"): #"{"lead":true}"#
        case (.put, "companies/:id/escalation-settings"): #"{"escalation_minutes":1}"#
        case (.get, _), (.delete, _): nil
        default: "{}"
        }
    }

    /// The concrete paths of `route` that name company A's things (a group route is tried with
    /// A's active group and with the pending group offered to A).
    static func paths(of route: AdminRoute, world: World) throws -> [String] {
        var variants: [[String]] = [[]]
        for component in route.path.split(separator: "/").map(String.init) {
            guard component.hasPrefix(":") else {
                variants = variants.map { $0 + [component] }
                continue
            }
            let parameter = String(component.dropFirst())
            var values: [String]
            switch route.scope {
            case .company(let name) where name == parameter: values = ["\(world.companyA)"]
            case .department(let name) where name == parameter: values = ["\(world.departmentA)"]
            case .group(let name) where name == parameter: values = ["\(World.chatA)", "\(World.pendingA)"]
            case .incident(let name) where name == parameter: values = ["\(world.incidentA)"]
            default:
                switch parameter {
                case "id" where route.path.hasPrefix("keys/"): values = ["\(world.keyAID)"]
                case "id" where route.path.hasPrefix("companies/"): values = ["\(world.companyA)"]
                case "member", "user": values = ["\(World.memberA)"]
                case "shift": values = ["\(world.shiftA)"]
                case "kind": values = ["departments"]
                default:
                    throw Failure("route \(route.method) \(route.path): the isolation test has no value for :\(parameter)")
                }
            }
            variants = variants.flatMap { prefix in values.map { prefix + [$0] } }
        }
        return variants.map { "/api/v1/" + $0.joined(separator: "/") }
    }

    @Test("company B's key reads and writes nothing of company A, on every route of the table")
    func isolation() async throws {
        try await AccessTestServer.run { server in
            let world = try await Self.makeWorld(server.store)
            let routes = server.api.routes
            #expect(routes.count >= 26)
            // Paths are unique per method, and a list that filters itself is read-only.
            #expect(Set(routes.map { "\($0.method) \($0.path)" }).count == routes.count)
            for route in routes where route.scope == .filtered {
                #expect(route.method == .get, "\(route.path) filters itself but writes")
            }
            let before = try server.snapshot()
            var tried = 0
            for route in routes {
                for path in try Self.paths(of: route, world: world) {
                    tried += 1
                    let body = Self.body(for: route, world: world)
                    let answer = try await server.call(route.method.rawValue, path, body, token: world.keyB)
                    let label = "\(route.method) \(path) -> \(answer.status) \(answer.text.prefix(200))"
                    switch route.scope {
                    case .platformOnly:
                        #expect(answer.status == 403, "\(label)")
                    case .filtered:
                        #expect(answer.status == 200, "\(label)")
                        for marker in World.markersOfA {
                            #expect(!answer.text.contains(marker), "\(label) shows \(marker)")
                        }
                    case .company, .department, .group, .incident:
                        #expect(answer.status == 404, "\(label)")
                    }
                    #expect(!answer.text.isEmpty && answer.json["error"] != nil || route.scope == .filtered, "\(label)")
                    #expect(try server.snapshot() == before, "\(label) wrote something")
                }
            }
            #expect(tried > routes.count)
            // The same reads with the platform token succeed: A's things exist, so the 404s above
            // were the scope's doing.
            for route in routes where route.method == .get {
                for path in try Self.paths(of: route, world: world) {
                    let answer = try await server.call("GET", path)
                    #expect(answer.status == 200, "GET \(path) with the platform token -> \(answer.status) \(answer.text.prefix(200))")
                }
            }
            // And A's key reaches A's things.
            #expect(try await server.call("GET", "/api/v1/incidents/\(world.incidentA)", token: world.keyA).status == 200)
        }
    }

    @Test("a company key works on its own company and lists only its own")
    func ownCompany() async throws {
        try await AccessTestServer.run { server in
            let world = try await Self.makeWorld(server.store)
            let b = world.companyB
            let companies = try await server.call("GET", "/api/v1/companies", token: world.keyB)
            #expect((companies.json["companies"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["Globex"])
            let created = try await server.call("POST", "/api/v1/companies/\(b)/departments", #"{"name":"Gate"}"#, token: world.keyB)
            #expect(created.status == 201, "\(created.text)")
            let renamed = try await server.call("PATCH", "/api/v1/departments/\(world.departmentB)", #"{"name":"Yard 2","restricted":true}"#, token: world.keyB)
            #expect(renamed.status == 200 && renamed.json["name"] as? String == "Yard 2" && renamed.json["restricted"] as? Bool == true)
            let groups = try await server.call("GET", "/api/v1/companies/\(b)/groups?status=active", token: world.keyB)
            #expect((groups.json["groups"] as? [[String: Any]])?.compactMap { $0["chat_id"] as? Int } == [Int(World.chatB)])
            // Attaching a group to another company, or a chat id nobody offered: refused.
            let foreign = try await server.call("PUT", "/api/v1/groups/\(World.chatB)", #"{"company_id":\#(world.companyA)}"#, token: world.keyB)
            #expect(foreign.status == 403, "\(foreign.text)")
            let unknown = try await server.call("PUT", "/api/v1/groups/-100999", #"{"company_id":\#(b)}"#, token: world.keyB)
            #expect(unknown.status == 404, "\(unknown.text)")
            #expect(try await server.store.group(chat: ChatID(-100999)) == nil)
            let incidents = try await server.call("GET", "/api/v1/incidents", token: world.keyA)
            #expect((incidents.json["incidents"] as? [[String: Any]])?.count == 1)
            let letters = try await server.call("GET", "/api/v1/dead-letters", token: world.keyA)
            #expect(letters.json["total"] as? Int == 1)
            #expect(try await server.call("GET", "/api/v1/dead-letters", token: world.keyB).json["total"] as? Int == 0)
        }
    }
}

@Suite("Admin API: the route table and the OpenAPI document")
struct RouteDocumentationTests {
    /// The methods the OpenAPI document lists under each path.
    static func documented() -> [String: Set<String>] {
        var result: [String: Set<String>] = [:]
        var current: String?
        for line in AdminAPI.openAPIDocument.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("  /api/v1/"), line.hasSuffix(":") {
                current = String(line.dropFirst(2).dropLast())
            } else if let current, line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":") {
                let key = String(line.dropFirst(4).dropLast())
                if key != "parameters" { result[current, default: []].insert(key) }
            } else if !line.hasPrefix(" ") {
                current = nil
            }
        }
        return result
    }

    @Test("every route of the table is in the OpenAPI document with its method, and nothing else is")
    func everyRouteIsDocumented() throws {
        let documented = Self.documented()
        let api = AdminAPI(store: try IncidentStore.inMemoryForDocumentation(), token: nil, logger: .init(label: "doc"))
        var table: [String: Set<String>] = [:]
        for route in api.routes {
            let path = "/api/v1/" + route.path.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
                .joined(separator: "/")
            table[path, default: []].insert(route.method.rawValue.lowercased())
        }
        #expect(table == documented)
    }
}

extension IncidentStore {
    /// A store on a temporary file, for tests that need an API value but no data.
    static func inMemoryForDocumentation() throws -> IncidentStore {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rd-doc-\(UUID().uuidString).db").path
        return try IncidentStore(path: path, policy: .standard)
    }
}
