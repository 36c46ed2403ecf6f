import Foundation
import Logging
import SimulatorClient
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The demo world `raisedash up` builds on the simulator when no bot token is set: a company
/// with four departments, an activated group with people in it, a registered driver. Built
/// through the simulator's control API and the admin API, exactly as a person would, and
/// safe to repeat: what exists already is reused.
struct DemoWorld {
    static let chatID: Int64 = -1_001_234_567_890
    static let companyName = "Demo Logistics"

    struct Person {
        var id: Int64
        var firstName: String
        var lastName: String
        var username: String
        var department: String?
    }

    static let people: [Person] = [
        Person(id: 1001, firstName: "Ann", lastName: "Driver", username: "ann_driver", department: nil),
        Person(id: 1002, firstName: "Dave", lastName: "Dispatch", username: "dave_dispatch", department: "Dispatch"),
        Person(id: 1003, firstName: "Mia", lastName: "Mechanic", username: "mia_mechanic", department: "Maintenance"),
        Person(id: 1004, firstName: "Sam", lastName: "Safety", username: "sam_safety", department: "Safety"),
        Person(id: 1005, firstName: "Bill", lastName: "Ledger", username: "bill_ledger", department: "Billing"),
        Person(id: 1006, firstName: "Olivia", lastName: "Ops", username: "olivia_ops", department: nil),
        Person(id: 1007, firstName: "Dan", lastName: "Nightshift", username: "dan_nights", department: "Dispatch"),
    ]
    static let driverID: Int64 = 1001
    static let managerID: Int64 = 1006
    static let departments: [(name: String, restricted: Bool)] = [
        ("Dispatch", false), ("Maintenance", false), ("Safety", true), ("Billing", false),
    ]

    let simulator: URL
    let admin: URL
    let adminToken: String
    let logger: Logger

    /// Waits for both services, then builds what is missing. Returns a new company access key
    /// of the demo company, for the dashboard (see `makeDemoKey`).
    @discardableResult
    func build() async throws -> String {
        let telegram = SimulatorClient(base: simulator, requestTimeout: 10)
        try await waitUntilUp("simulator", at: simulator) { (try? await telegram.state()) != nil }
        try await waitUntilUp("incident service", at: admin) {
            var request = URLRequest(url: admin.appendingPathComponent("healthz"))
            request.timeoutInterval = 2
            return (try? await Self.send(request))?.1 == 200
        }

        for person in Self.people {
            try await Self.existingIsFine {
                try await telegram.addUser(NewUser(
                    id: person.id, firstName: person.firstName, lastName: person.lastName, username: person.username))
            }
        }
        try await Self.existingIsFine {
            try await telegram.createChat(NewChat(
                title: "Demo Fleet Ops", type: .supergroup, id: Self.chatID, members: Self.people.map(\.id),
                creator: Self.managerID, bot: BotRights(status: .administrator, canPinMessages: true)))
        }

        let companies = try await call("GET", admin, "api/v1/companies", nil, authorized: true)
        let companyID: Int64
        if let existing = (companies["companies"] as? [[String: Any]])?.first(where: { $0["name"] as? String == Self.companyName }),
           let id = existing["id"] as? Int64 ?? (existing["id"] as? Int).map(Int64.init) {
            companyID = id
        } else {
            let created = try await call("POST", admin, "api/v1/companies", ["name": Self.companyName], authorized: true)
            companyID = try Self.int(created["id"])
        }
        let listed = try await call("GET", admin, "api/v1/companies/\(companyID)/departments", nil, authorized: true)
        var departmentIDs: [String: Int64] = [:]
        for department in listed["departments"] as? [[String: Any]] ?? [] {
            if let name = department["name"] as? String { departmentIDs[name] = try Self.int(department["id"]) }
        }
        for department in Self.departments where departmentIDs[department.name] == nil {
            let created = try await call(
                "POST", admin, "api/v1/companies/\(companyID)/departments",
                ["name": department.name, "restricted": department.restricted], authorized: true)
            departmentIDs[department.name] = try Self.int(created["id"])
        }
        for person in Self.people {
            guard let name = person.department, let department = departmentIDs[name] else { continue }
            _ = try await call(
                "POST", admin, "api/v1/departments/\(department)/members", ["user_id": person.id],
                authorized: true, accept: [201, 409])
        }
        _ = try await call(
            "PUT", admin, "api/v1/groups/\(Self.chatID)",
            ["company_id": companyID, "manager_user_ids": [Self.managerID]], authorized: true)
        try await telegram.send(NewCommand(from: Self.driverID, command: "/register_driver"), in: Self.chatID)
        let secret = try await makeDemoKey(company: companyID)
        logger.info("demo ready", metadata: ["company": "\(Self.companyName)", "chat.id": "\(Self.chatID)"])
        return secret
    }

    /// A company key for the demo company, printed (in the banner) for the dashboard login and
    /// the admin API (it sees the demo company only). Earlier demo keys are revoked: only this
    /// run's works.
    private func makeDemoKey(company: Int64) async throws -> String {
        let keys = try await call("GET", admin, "api/v1/companies/\(company)/keys", nil, authorized: true)
        for key in keys["keys"] as? [[String: Any]] ?? [] where key["label"] as? String == "demo" && (key["revoked_at"] == nil || key["revoked_at"] is NSNull) {
            _ = try await call("DELETE", admin, "api/v1/keys/\(try Self.int(key["id"]))", nil, authorized: true, accept: [204, 404])
        }
        let created = try await call("POST", admin, "api/v1/companies/\(company)/keys", ["label": "demo"], authorized: true)
        guard let secret = created["secret"] as? String else { throw DemoError("the admin API made no access key") }
        return secret
    }

    // MARK: HTTP

    static func int(_ value: Any?) throws -> Int64 {
        if let value = value as? Int64 { return value }
        if let value = value as? Int { return Int64(value) }
        if let value = value as? NSNumber { return value.int64Value }
        throw DemoError("expected an id in the answer")
    }

    private func waitUntilUp(_ what: String, at url: URL, _ isUp: () async -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if await isUp() { return }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw DemoError("the \(what) did not come up within 60 seconds at \(url.host ?? "?"):\(url.port ?? 0)")
    }

    /// Runs `create`; the simulator answering 409 (it exists already, from an earlier run) is fine.
    private static func existingIsFine<T>(_ create: () async throws -> T) async throws {
        do {
            _ = try await create()
        } catch let error as SimulatorClientError where error.status == 409 {}
    }

    @discardableResult
    private func call(
        _ method: String, _ base: URL, _ path: String, _ body: [String: Any]?, authorized: Bool = false,
        accept: Set<Int> = [200, 201, 204]
    ) async throws -> [String: Any] {
        var request = URLRequest(url: base.appendingPathComponent(path))
        request.httpMethod = method
        request.timeoutInterval = 10
        if authorized { request.setValue("Bearer \(adminToken)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, status) = try await Self.send(request)
        guard accept.contains(status) else {
            throw DemoError("\(method) /\(path) answered \(status): \(String(decoding: data.prefix(300), as: UTF8.self))")
        }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }
}

extension DemoWorld {
    /// One request through a completion handler. `URLSession.data(for:)` can deadlock on Linux
    /// when its task is cancelled mid-request (as at Ctrl-C during set-up); this form is not
    /// cancelled and ends within the request's own timeout.
    static func send(_ request: URLRequest) async throws -> (Data, Int) {
        try await withCheckedThrowingContinuation { continuation in
            URLSession.shared.dataTask(with: request) { data, response, error in
                if let error {
                    continuation.resume(throwing: DemoError("\(request.httpMethod ?? "GET") \(request.url?.path ?? ""): \(error.localizedDescription)"))
                } else {
                    continuation.resume(returning: (data ?? Data(), (response as? HTTPURLResponse)?.statusCode ?? 0))
                }
            }.resume()
        }
    }
}

struct DemoError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
