import Foundation
import ProcessTestSupport
import SimulatorClient
import Testing
import ZeroMQ
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// `raisedash up` as a new user runs it: four ready roles, a killed child restarted,
/// Ctrl-C stopping everything with no process left.
@Suite("raisedash up", .serialized)
struct UpProcessTests {
    static let roles = ["incidents", "scheduler", "sender", "gateway"]

    /// The pids `up` reported for each child, newest last.
    static func childPIDs(_ output: String) -> [String: [pid_t]] {
        var pids: [String: [pid_t]] = [:]
        for line in output.split(separator: "\n") where line.contains("child started") {
            guard let child = line.firstMatch(of: /child=(\w+)/)?.1,
                  let pid = line.firstMatch(of: /pid=(\d+)/).flatMap({ pid_t($0.1) }) else { continue }
            pids[String(child), default: []].append(pid)
        }
        return pids
    }

    static func readyCount(_ output: String, role: String) -> Int {
        output.split(separator: "\n").filter { $0.hasPrefix(role) && $0.contains("] ready") }.count
    }

    @Test("four ready roles; a killed child restarts; SIGINT stops all and leaves no process")
    func lifecycle() async throws {
        let up = try ChildProcess(arguments: ["up"], environment: isolatedEnvironment())
        try await up.waitFor("four ready roles") { output in Self.roles.allSatisfy { Self.readyCount(output, role: $0) >= 1 } }

        let first = Self.childPIDs(up.text)
        let gateway = try #require(first["gateway"]?.last)
        kill(gateway, SIGKILL)
        try await up.waitFor("the gateway restarted") { output in
            Self.readyCount(output, role: "gateway") >= 2 && (Self.childPIDs(output)["gateway"]?.count ?? 0) >= 2
        }
        #expect(up.text.contains("child exited; restarting"))

        let all = Self.childPIDs(up.text).values.flatMap { $0 }
        up.signal(SIGINT)
        let exit = await up.waitForExit(timeout: .seconds(15))
        #expect(exit == 0, "up exited with \(String(describing: exit)):\n\(up.text)")
        for pid in all {
            #expect(!isAlive(pid), "child \(pid) outlived raisedash up")
        }
        for role in Self.roles + ["simulator"] {
            #expect(up.text.contains("raisedash.\(role): role=\(role) [raisedash] stopped"), "\(role) did not stop cleanly")
        }
    }

    @Test("without a token: the simulator, a demo world, and the addresses to use")
    func demo() async throws {
        let adminToken = "demo-admin-token-of-at-least-32-characters"
        let environment = isolatedEnvironment(extra: ["ADMIN_API_TOKEN": adminToken])
        let up = try ChildProcess(arguments: ["up"], environment: environment)
        defer { up.signal(SIGTERM) }
        try await up.waitFor(line: "Chat page:  http://127.0.0.1:\(environment["RAISEDASH_SIMULATOR_PORT"]!)/", timeout: .seconds(60))
        #expect(up.text.contains("Admin API:  http://127.0.0.1:\(environment["HTTP_PORT"]!)/api/v1"))
        #expect(!up.text.contains(adminToken), "a chosen admin token is not echoed")
        // The demo world exists: four departments in the demo company, and the group is active.
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(environment["HTTP_PORT"]!)/api/v1/companies/1/departments")!)
        request.setValue("Bearer \(adminToken)", forHTTPHeaderField: "Authorization")
        let (data, _) = try await URLSession.shared.data(for: request)
        let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let names = (json?["departments"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        #expect(Set(names) == ["Dispatch", "Maintenance", "Safety", "Billing"])
        let page = await httpStatus("http://127.0.0.1:\(environment["RAISEDASH_SIMULATOR_PORT"]!)/")
        #expect(page == 200)
        // A demo company key is printed, and it reaches the demo company (and only it).
        let key = try #require(up.text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .first { $0.hasPrefix("rdk_") }, "no demo key in:\n\(up.text)")
        var keyed = URLRequest(url: URL(string: "http://127.0.0.1:\(environment["HTTP_PORT"]!)/api/v1/companies")!)
        keyed.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization")
        let (companies, keyedResponse) = try await URLSession.shared.data(for: keyed)
        #expect((keyedResponse as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: companies, as: UTF8.self).contains("Demo Logistics"))
        // The dashboard's address is printed too, and the key logs in there.
        let dashboard = "http://127.0.0.1:\(environment["HTTP_PORT"]!)/dashboard"
        #expect(up.text.contains("Dashboard:  \(dashboard)"))
        #expect(try await dashboardLogin(dashboard, key: key) == 303)
        #expect(try await dashboardLogin(dashboard, key: key + "x") == 401)
        up.signal(SIGTERM)
        #expect(await up.waitForExit(timeout: .seconds(15)) == 0)
        // The demo wrote to a database of its own, never to the configured one.
        let configured = environment["DATABASE_PATH"]!
        let demoDatabase = URL(fileURLWithPath: configured).deletingLastPathComponent().appendingPathComponent("raisedash-demo.db").path
        #expect(!FileManager.default.fileExists(atPath: configured), "the demo created \(configured)")
        #expect(FileManager.default.fileExists(atPath: demoDatabase))
        #expect(up.text.contains(demoDatabase))
    }

    @Test("a child that fails the same way five times in a row is not restarted again, and up says why")
    func crashLoop() async throws {
        // The incident service cannot open its database: it exits 1 at every start.
        let environment = isolatedEnvironment(extra: [
            "DATABASE_PATH": "/nonexistent-raisedash-directory/incidents.db",
            "TELEGRAM_BOT_TOKEN": RunningSystem.token,
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:\(freePort())",
        ])
        let up = try ChildProcess(arguments: ["up"], environment: environment)
        defer { up.signal(SIGKILL) }
        let output = try await up.waitFor("up to give up on the incident service", timeout: .seconds(60)) {
            $0.contains("not restarting it")
        }
        let line = try #require(output.split(separator: "\n").first { $0.contains("not restarting it") })
        #expect(line.contains("child=incidents"))
        #expect(line.contains("5 times in a row"))
        #expect(line.contains("status=1"))
        #expect(line.contains("cannot start"), "the last line the child wrote says why: \(line)")
        #expect(Self.childPIDs(output)["incidents"]?.count == 5)
        // The others keep running.
        try await Task.sleep(for: .seconds(1))
        #expect(up.process.isRunning)
        up.signal(SIGTERM)
        #expect(await up.waitForExit(timeout: .seconds(15)) == 0, "output:\n\(up.text)")
    }

    @Test("children stop by themselves when up is killed with SIGKILL")
    func noOrphans() async throws {
        let up = try ChildProcess(arguments: ["up"], environment: isolatedEnvironment())
        try await up.waitFor("four ready roles") { output in Self.roles.allSatisfy { Self.readyCount(output, role: $0) >= 1 } }
        let children = Self.childPIDs(up.text).values.flatMap { $0 }
        #expect(children.count == 5, "four roles and the simulator")
        up.signal(SIGKILL)
        _ = await up.waitForExit(timeout: .seconds(5))
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline, children.contains(where: isAlive) {
            try await Task.sleep(for: .milliseconds(100))
        }
        for pid in children {
            #expect(!isAlive(pid), "child \(pid) was orphaned")
            if isAlive(pid) { kill(pid, SIGKILL) }
        }
    }

    @Test("with RAISEDASH_CURVE_KEYS_DIR, up gives each child its role's keys: the bus works, a stranger's key is refused")
    func keysDirectory() async throws {
        let keys = FileManager.default.temporaryDirectory.appendingPathComponent("rd-keys-\(UUID().uuidString)").path
        let generate = try ChildProcess(arguments: ["keys", "generate", "--out", keys], environment: isolatedEnvironment())
        #expect(await generate.waitForExit(timeout: .seconds(20)) == 0)
        let environment = isolatedEnvironment(extra: [
            "RAISEDASH_CURVE_KEYS_DIR": keys, "ADMIN_API_TOKEN": "up-keys-admin-token-of-at-least-32-characters",
        ])
        let up = try ChildProcess(arguments: ["up"], environment: environment)
        defer { up.signal(SIGKILL) }
        try await up.waitFor(line: "Chat page:", timeout: .seconds(60))
        #expect(up.text.contains("bus: CURVE"))

        // A /help in the demo group goes gateway -> incidents -> sender: all over CURVE.
        let simulator = SimulatorClient(port: Int(environment["RAISEDASH_SIMULATOR_PORT"]!)!)
        let chat: Int64 = -1_001_234_567_890
        try await simulator.send(NewCommand(from: 1001, command: "/help"), in: chat)
        var answered = false
        for _ in 0..<300 where !answered {
            answered = try await simulator.transcript(chat).messages.contains { $0.fromBot && $0.text.contains("I run incidents") }
            if !answered { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(answered, "the bot never answered /help over the CURVE bus:\n\(up.text.suffix(4000))")

        // The incident service is a CURVE server with the allow-list: a stranger's key is refused.
        let serverKey = try #require(ZMQCurveKey(z85: try String(contentsOfFile: "\(keys)/incidents.key", encoding: .utf8)))
        let context = try ZMQContext()
        let stranger = try context.socket(.dealer, options: ZMQSocketOptions(
            linger: .zero, sendTimeout: .seconds(2), security: .curveClient(serverKey: serverKey, pair: try ZMQCurveKeyPair.generate())))
        try await stranger.connect(environment["RAISEDASH_INBOUND_ENDPOINT"]!)
        try? await stranger.send([Data("junk".utf8)])
        try await up.waitFor(line: "refused a bus peer", timeout: .seconds(30))
        await context.terminate()
        up.signal(SIGTERM)
        #expect(await up.waitForExit(timeout: .seconds(15)) == 0)
    }

    @Test("up refuses per-role key files and an incomplete keys directory with one line", arguments: ["per-role", "incomplete"])
    func badKeySettings(problem: String) async throws {
        let keys = FileManager.default.temporaryDirectory.appendingPathComponent("rd-keys-\(UUID().uuidString)").path
        let generate = try ChildProcess(arguments: ["keys", "generate", "--out", keys], environment: isolatedEnvironment())
        #expect(await generate.waitForExit(timeout: .seconds(20)) == 0)
        var extra = ["RAISEDASH_CURVE_KEYS_DIR": keys]
        if problem == "per-role" {
            extra["RAISEDASH_CURVE_SECRET_KEY_FILE"] = "\(keys)/incidents.key_secret"
        } else {
            try FileManager.default.removeItem(atPath: "\(keys)/scheduler.allowed")
        }
        let up = try ChildProcess(arguments: ["up"], environment: isolatedEnvironment(extra: extra))
        defer { up.signal(SIGKILL) }
        #expect(await up.waitForExit(timeout: .seconds(15)) == 2, "output:\n\(up.text)")
        let lines = up.text.split(separator: "\n")
        #expect(lines.count == 1, "expected one line:\n\(up.text)")
        let expected = problem == "per-role" ? "RAISEDASH_CURVE_SECRET_KEY_FILE" : "RAISEDASH_CURVE_KEYS_DIR"
        #expect(lines.first?.contains(expected) == true, "\(up.text)")
        #expect(!up.text.contains("child started"))
    }
}

/// Logs in to the dashboard at `base` with `key` as a browser does (the login page's form
/// and cookie, then the POST); returns the status of the POST (303 when the key opens it).
func dashboardLogin(_ base: String, key: String) async throws -> Int {
    let delegate = NoRedirects()
    let session = URLSession(configuration: .ephemeral, delegate: delegate, delegateQueue: nil)
    let (data, response) = try await session.data(from: URL(string: base + "/login")!)
    let html = String(decoding: data, as: UTF8.self)
    guard let range = html.range(of: #"name="csrf" value="[^"]+""#, options: .regularExpression) else { return 0 }
    let csrf = html[range].split(separator: "\"")[3]
    let cookie = ((response as? HTTPURLResponse)?.value(forHTTPHeaderField: "Set-Cookie") ?? "").split(separator: ";")[0]
    var request = URLRequest(url: URL(string: base + "/login")!)
    request.httpMethod = "POST"
    request.setValue(String(cookie), forHTTPHeaderField: "Cookie")
    request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
    request.httpBody = Data("csrf=\(csrf)&key=\(key)".utf8)
    let (_, answer) = try await session.data(for: request)
    return (answer as? HTTPURLResponse)?.statusCode ?? 0
}

/// Keeps redirects as answers, so a test sees the 303 itself.
final class NoRedirects: NSObject, URLSessionTaskDelegate, Sendable {
    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
