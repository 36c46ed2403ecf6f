import Foundation
import ProcessTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `raisedash admin keys` as a real process, on the database directly and through the admin
/// API of a running incident service.
@Suite("raisedash admin keys", .serialized)
struct AdminKeysProcessTests {
    static let adminToken = "process-admin-token-0123456789abcdef"

    /// Runs `raisedash ARGS` to its end; returns the exit status and the output.
    static func run(_ arguments: [String], _ environment: [String: String]) async throws -> (Int32?, String) {
        let child = try ChildProcess(arguments: arguments, environment: environment)
        let status = await child.waitForExit(timeout: .seconds(60))
        return (status, child.text)
    }

    static func api(_ method: String, _ url: String, _ body: String? = nil, token: String = adminToken) async throws -> (Int, [String: Any]) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.timeoutInterval = 10
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        if let body { request.httpBody = Data(body.utf8) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:])
    }

    /// The key printed by `create`: the line that is a key.
    static func key(in output: String) -> String? {
        output.split(separator: "\n").map(String.init).first { $0.hasPrefix("rdk_") && $0.count == 47 }
    }

    @Test("create, list and revoke on the database and through the API; the key works until revoked")
    func keys() async throws {
        let environment = isolatedEnvironment(extra: ["ADMIN_API_TOKEN": Self.adminToken])
        let base = "http://127.0.0.1:\(environment["HTTP_PORT"]!)"

        // No database yet: a clear refusal, and none is created.
        let (missingStatus, missing) = try await Self.run(["admin", "keys", "list"], environment)
        #expect(missingStatus == 1 && missing.contains("no database at"), "\(missing)")
        #expect(!FileManager.default.fileExists(atPath: environment["DATABASE_PATH"]!))

        let incidents = try ChildProcess(arguments: ["incidents"], environment: environment)
        defer { incidents.signal(SIGKILL) }
        // "ready" is the bus; the admin API is served by its own service, bound a little later.
        try await incidents.waitFor(line: "ready")
        try await incidents.waitFor(line: "http listening")
        let (created, company) = try await Self.api("POST", "\(base)/api/v1/companies", #"{"name":"Acme"}"#)
        #expect(created == 201)
        let companyID = try #require(company["id"] as? Int)

        // On the database, while the service runs.
        let (status, output) = try await Self.run(["admin", "keys", "create", "--company", "\(companyID)", "--label", "Ops laptop"], environment)
        #expect(status == 0, "\(output)")
        let key = try #require(Self.key(in: output), "\(output)")
        #expect(output.contains("shown only now"))
        #expect(try await Self.api("GET", "\(base)/api/v1/companies", token: key).0 == 200)

        // Through the API.
        let (apiStatus, apiOutput) = try await Self.run(
            ["admin", "keys", "create", "--company", "\(companyID)", "--label", "Night desk", "--api", base], environment)
        #expect(apiStatus == 0, "\(apiOutput)")
        let second = try #require(Self.key(in: apiOutput), "\(apiOutput)")
        #expect(second != key)

        for arguments in [["admin", "keys", "list"], ["admin", "keys", "list", "--company", "\(companyID)", "--api", base]] {
            let (listStatus, list) = try await Self.run(arguments, environment)
            #expect(listStatus == 0, "\(list)")
            #expect(list.contains("Ops laptop") && list.contains("Night desk"), "\(list)")
            #expect(!list.contains(key) && !list.contains(second), "a listing shows a secret")
        }

        // Revoke the first through the API, the second on the database.
        let (revoked, revokeOutput) = try await Self.run(["admin", "keys", "revoke", "1", "--api", base], environment)
        #expect(revoked == 0, "\(revokeOutput)")
        #expect(try await Self.api("GET", "\(base)/api/v1/companies", token: key).0 == 401)
        #expect(try await Self.api("GET", "\(base)/api/v1/companies", token: second).0 == 200)
        let (revokedDirect, _) = try await Self.run(["admin", "keys", "revoke", "2"], environment)
        #expect(revokedDirect == 0)
        #expect(try await Self.api("GET", "\(base)/api/v1/companies", token: second).0 == 401)
        let (listStatus, list) = try await Self.run(["admin", "keys", "list", "--company", "\(companyID)"], environment)
        #expect(listStatus == 0 && list.split(separator: "\n").filter { $0.hasSuffix("Z") }.count == 2, "two revoked keys: \(list)")
    }

    @Test("bad input: a clear line, a non-zero status, nothing written")
    func badInput() async throws {
        let environment = isolatedEnvironment(extra: ["ADMIN_API_TOKEN": Self.adminToken])
        let base = "http://127.0.0.1:\(environment["HTTP_PORT"]!)"
        let incidents = try ChildProcess(arguments: ["incidents"], environment: environment)
        defer { incidents.signal(SIGKILL) }
        // "ready" is the bus; the admin API is served by its own service, bound a little later.
        try await incidents.waitFor(line: "ready")
        try await incidents.waitFor(line: "http listening")
        _ = try await Self.api("POST", "\(base)/api/v1/companies", #"{"name":"Acme"}"#)

        let cases: [([String], String)] = [
            (["admin", "keys", "create", "--company", "0", "--label", "x"], "--company must be a positive company id"),
            (["admin", "keys", "create", "--company", "1", "--label", "  "], "--label must not be empty"),
            (["admin", "keys", "create", "--company", "99", "--label", "x"], "not found: company 99"),
            (["admin", "keys", "create", "--company", "1", "--label", String(repeating: "x", count: 101)], "1 to 100 characters"),
            (["admin", "keys", "create", "--company", "99", "--label", "x", "--api", base], "answered 404"),
            (["admin", "keys", "create", "--company", "1", "--label", "x", "--api", "ftp://host"], "--api must be an http(s) URL"),
            (["admin", "keys", "revoke", "42"], "no key 42"),
            (["admin", "keys", "revoke", "42", "--api", base], "answered 404"),
            (["admin", "keys", "revoke", "abc"], "abc"),
            (["admin", "keys", "list", "--api", base], "--api needs --company"),
        ]
        for (arguments, expected) in cases {
            let (status, output) = try await Self.run(arguments, environment)
            #expect(status != 0 && status != nil, "\(arguments): \(output)")
            #expect(output.contains(expected), "\(arguments): expected \"\(expected)\" in:\n\(output)")
        }
        // Without the platform token, --api says so.
        var noToken = environment
        noToken["ADMIN_API_TOKEN"] = nil
        let (status, output) = try await Self.run(["admin", "keys", "list", "--company", "1", "--api", base], noToken)
        #expect(status == 1 && output.contains("--api needs ADMIN_API_TOKEN"), "\(output)")
        let (_, list) = try await Self.run(["admin", "keys", "list"], environment)
        #expect(list.split(separator: "\n").count == 1, "no key was created: \(list)")
    }
}
