import Foundation
import IncidentCore
@testable import IncidentService
import RaiseDashConfig
import Storage
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Admin API: authentication details, name rules, constraint errors, dead letters.
@Suite("Admin API hardening")
struct AdminAPIHardeningTests {
    typealias Server = AdminAPITests.Server

    /// A call with a raw Authorization header.
    static func call(_ server: Server, _ path: String, authorization: String?) async throws -> (Int, [String: String]) {
        var request = URLRequest(url: URL(string: server.base + path)!)
        request.timeoutInterval = 10
        if let authorization { request.setValue(authorization, forHTTPHeaderField: "Authorization") }
        let (_, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        let headers = (http?.allHeaderFields ?? [:]).reduce(into: [String: String]()) { $0["\($1.key)".lowercased()] = "\($1.value)" }
        return (http?.statusCode ?? 0, headers)
    }

    @Test("the Bearer scheme is case-insensitive; other schemes and empty credentials are refused")
    func schemeCase() async throws {
        try await AdminAPITests.withServer { (server: Server) async throws in
            for header in ["Bearer admin-secret", "bearer admin-secret", "BEARER admin-secret", "BeArEr   admin-secret"] {
                #expect(try await Self.call(server, "/api/v1/companies", authorization: header).0 == 200, "\(header)")
            }
            for header in ["Basic admin-secret", "Bearer", "Bearer ", "Beareradmin-secret", "admin-secret", "Bearer admin-secreT"] {
                #expect(try await Self.call(server, "/api/v1/companies", authorization: header).0 == 401, "\(header)")
            }
        }
    }

    @Test("failed authentications beyond the limit are answered 429 with Retry-After, a correct token included")
    func throttled() async throws {
        try await AdminAPITests.withServer(throttle: FailedAuthentications(limit: 3, window: .seconds(600))) { (server: Server) async throws in
            for _ in 0..<3 {
                #expect(try await Self.call(server, "/api/v1/companies", authorization: "Bearer wrong").0 == 401)
            }
            let (status, headers) = try await Self.call(server, "/api/v1/companies", authorization: "Bearer wrong")
            #expect(status == 429)
            #expect(Int(headers["retry-after"] ?? "").map { (1...601).contains($0) } == true, "\(headers)")
            #expect(try await Self.call(server, "/api/v1/companies", authorization: "Bearer admin-secret").0 == 429)
        }
    }

    @Test("the throttle counts failures in a sliding window and lets calls through once it has moved on")
    func throttleWindow() {
        let throttle = FailedAuthentications(limit: 3, window: .seconds(60))
        let start = ContinuousClock.now
        throttle.recordFailure(now: start)
        throttle.recordFailure(now: start + .seconds(10))
        #expect(throttle.retryAfter(now: start + .seconds(11)) == nil)
        throttle.recordFailure(now: start + .seconds(20))
        #expect(throttle.retryAfter(now: start + .seconds(21)) == 40)
        #expect(throttle.retryAfter(now: start + .seconds(59)) == 2)
        // The first failure has left the window: two remain, below the limit.
        #expect(throttle.retryAfter(now: start + .seconds(61)) == nil)
    }

    @Test("an admin token shorter than 32 characters, or with spaces, is refused")
    func tokenRules() {
        #expect(AdminAPI.tokenProblem(Secret("short")) != nil)
        #expect(AdminAPI.tokenProblem(Secret(String(repeating: "a", count: 31))) != nil)
        #expect(AdminAPI.tokenProblem(Secret(String(repeating: "a", count: 32))) == nil)
        #expect(AdminAPI.tokenProblem(Secret(String(repeating: "a", count: 31) + " b")) != nil)
        #expect(AdminAPI.tokenProblem(Secret(String(repeating: "é", count: 40))) != nil)
    }

    static let refusedNames: [String] = [
        "Acme\u{0007}",  // BEL
        "Ac\u{0085}me",  // NEL (C1)
        "Ac\u{202E}emca",  // right-to-left override
        "\u{2066}Acme\u{2069}",  // isolates
        "Acme\u{200F}",  // right-to-left mark
        // 201 scalars that are 101 Swift characters: the schema's length() counts scalars.
        String(repeating: "e\u{0301}", count: 100) + "e",
    ]

    @Test("company and department names with control or bidi characters, or too many scalars, are 400s that write nothing", arguments: refusedNames)
    func refusedName(name: String) async throws {
        try await AdminAPITests.withServer { (server: Server) async throws in
            let body = String(decoding: try JSONEncoder().encode(["name": name]), as: UTF8.self)
            let (status, json) = try await server.call("POST", "/api/v1/companies", body)
            #expect(status == 400, "\(json)")
            let message = json["error"] as? String ?? ""
            #expect(!message.isEmpty)
            #expect(!message.contains("SQLITE") && !message.contains("CHECK"), "\(message)")
            #expect(try await server.store.companies().isEmpty)

            let (_, company) = try await server.call("POST", "/api/v1/companies", #"{"name":"Acme"}"#)
            let id = try #require(company["id"] as? Int)
            let department = String(decoding: try JSONEncoder().encode(["name": String(name.unicodeScalars.prefix(70))]), as: UTF8.self)
            #expect(try await server.call("POST", "/api/v1/companies/\(id)/departments", department).0 == 400)
            #expect(try await server.store.departments(company: CompanyID(Int64(id))).isEmpty)
        }
    }

    @Test("dead letters are listed newest first, without the update's text")
    func deadLetters() async throws {
        try await AdminAPITests.withServer { (server: Server) async throws in
            let update = InboundUpdate(
                updateID: 77, chat: ChatRef(id: ChatID(-100), kind: .supergroup), sender: nil,
                event: .help(command: MessageID(5)), receivedAt: Date(timeIntervalSince1970: 1_700_000_000))
            try await server.store.recordDeadLetter(
                update, reason: "deferred", attempts: 10, firstFailedAt: Date(timeIntervalSince1970: 1_700_000_000),
                now: Date(timeIntervalSince1970: 1_700_000_100))
            let (status, json) = try await server.call("GET", "/api/v1/dead-letters")
            #expect(status == 200)
            #expect(json["total"] as? Int == 1)
            let letters = try #require(json["dead_letters"] as? [[String: Any]])
            #expect(letters.count == 1)
            #expect(letters.first?["update_id"] as? Int == 77)
            #expect(letters.first?["chat_id"] as? Int == -100)
            #expect(letters.first?["reason"] as? String == "deferred")
            #expect(letters.first?["attempts"] as? Int == 10)
            #expect(letters.first?["event"] as? String == "help")
            #expect(try await server.call("GET", "/api/v1/dead-letters?limit=0").0 == 400)
            #expect(try await server.call("GET", "/api/v1/dead-letters", token: nil).0 == 401)
        }
    }
}
