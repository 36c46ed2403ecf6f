import Foundation
import ProcessTestSupport
import SimulatorClient
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The whole system as separate processes of the built binary: the simulator and the four
/// roles, each on its own free ports, with a seeded world. Tests act as the people in the
/// group through the simulator's control API and read the transcript.
final class RunningSystem: @unchecked Sendable {
    // Safe: `processes` is only touched under `lock`; everything else is immutable.
    static let token = "123456:TEST-TOKEN-raisedash-simulator"
    static let adminToken = "e2e-admin-token-0123456789abcdefghij"
    static let roles = ["incidents", "scheduler", "sender", "gateway"]

    let environment: [String: String]
    let simulatorPort: Int
    let httpPort: Int
    /// The simulator's control API: tests act as the people in the group through it.
    let simulator: SimulatorClient
    /// Added to one role's environment only (e.g. its own bus keys).
    let roleEnvironment: [String: [String: String]]
    private let lock = NSLock()
    private var processes: [String: ChildProcess] = [:]

    init(extra: [String: String] = [:], roleEnvironment: [String: [String: String]] = [:]) async throws {
        self.roleEnvironment = roleEnvironment
        var environment = isolatedEnvironment(extra: extra)
        simulatorPort = Int(environment["RAISEDASH_SIMULATOR_PORT"]!)!
        httpPort = Int(environment["HTTP_PORT"]!)!
        simulator = SimulatorClient(port: simulatorPort, requestTimeout: 15)
        environment["TELEGRAM_API_BASE_URL"] = "http://127.0.0.1:\(simulatorPort)"
        environment["TELEGRAM_BOT_TOKEN"] = Self.token
        environment["ADMIN_API_TOKEN"] = Self.adminToken
        self.environment = environment
        do {
            // Telegram's flood limits on: a call beyond them is answered 429 (see `with`).
            try start("simulator", arguments: ["simulator", "--port", "\(simulatorPort)", "--enforce-limits"])
            try await waitForHTTP("http://127.0.0.1:\(simulatorPort)/control/state")
            if let perGroup = extra["SENDER_GROUP_PER_MINUTE"].flatMap(Int.init) {
                // The sender's group budget was changed: Telegram (the simulator) allows the same.
                try await simulator.setLimits(RateLimitChange(perGroupPerMinute: perGroup))
            }
            for role in Self.roles { try start(role) }
            for role in Self.roles { try await process(role).waitFor(line: "] ready") }
            // Every role healthy on its own port. A role whose port was taken between choosing
            // and binding it exits; say so at once, so `start` can try other ports.
            let healthPorts = [
                "incidents": "HTTP_PORT", "gateway": "RAISEDASH_GATEWAY_HTTP_PORT",
                "sender": "RAISEDASH_SENDER_HTTP_PORT", "scheduler": "RAISEDASH_SCHEDULER_HTTP_PORT",
            ]
            for role in Self.roles {
                let url = "http://127.0.0.1:\(environment[healthPorts[role]!]!)/healthz"
                let child = try process(role)
                var healthy = false
                for _ in 0..<300 {
                    if !child.process.isRunning {
                        throw TestFailure("\(role) exited during start:\n\(child.text)")
                    }
                    if await httpStatus(url) == 200 { healthy = true; break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                if !healthy { throw TestFailure("\(role) did not answer 200 at \(url) within 30 s") }
            }
        } catch {
            // Whatever did start must not outlive the failed start.
            let started: [ChildProcess] = { lock.lock(); defer { lock.unlock() }; return Array(processes.values) }()
            for process in started { process.signal(SIGKILL) }
            throw error
        }
    }

    func start(_ role: String, arguments: [String]? = nil) throws {
        let child = try ChildProcess(
            arguments: arguments ?? [role], environment: environment.merging(roleEnvironment[role] ?? [:]) { _, own in own })
        lock.lock(); processes[role] = child; lock.unlock()
    }

    func process(_ role: String) throws -> ChildProcess {
        lock.lock(); defer { lock.unlock() }
        guard let process = processes[role] else { throw TestFailure("no process \(role)") }
        return process
    }

    /// Kills a role with `signal` and starts it again, waiting until it is ready.
    func restart(_ role: String, signal: Int32 = SIGKILL) async throws {
        let old = try process(role)
        old.signal(signal)
        _ = await old.waitForExit(timeout: .seconds(10))
        try start(role)
        try await process(role).waitFor(line: "] ready")
    }

    /// Starts a system, runs `body` with it and stops it, also when `body` throws. Afterwards
    /// it checks what every test must keep: the sender stayed inside Telegram's limits (the
    /// simulator answered no call with 429).
    static func with(
        extra: [String: String] = [:], roleEnvironment: [String: [String: String]] = [:],
        sourceLocation: SourceLocation = #_sourceLocation,
        _ body: (RunningSystem) async throws -> Void
    ) async throws {
        let system = try await start(extra: extra, roleEnvironment: roleEnvironment)
        do {
            try await body(system)
            let limited = try await system.calls().filter { $0.errorCode == 429 }
            #expect(limited.isEmpty, "calls answered 429: \(limited.map(\.method))", sourceLocation: sourceLocation)
        } catch {
            await system.stop()
            throw error
        }
        await system.stop()
    }

    /// Starts a system; if a port was taken by some other process between choosing it and
    /// binding it, starts again on other ports.
    static func start(extra: [String: String] = [:], roleEnvironment: [String: [String: String]] = [:]) async throws -> RunningSystem {
        var attempt = 1
        while true {
            do {
                return try await RunningSystem(extra: extra, roleEnvironment: roleEnvironment)
            } catch let failure as TestFailure where failure.description.contains("Address already in use") && attempt < 3 {
                attempt += 1
            }
        }
    }

    func stop() async {
        let all: [ChildProcess] = { lock.lock(); defer { lock.unlock() }; return Array(processes.values) }()
        for process in all { process.signal(SIGTERM) }
        for process in all { _ = await process.waitForExit(timeout: .seconds(10)) }
    }

    /// Output of every process, for failure messages: the last lines of each here, the whole
    /// of each in `<role>.log` in the installation's temporary directory.
    var logs: String {
        lock.lock(); defer { lock.unlock() }
        let directory = environment["RAISEDASH_TEST_DIR"] ?? NSTemporaryDirectory()
        for (role, process) in processes {
            try? process.text.write(toFile: directory + "/\(role).log", atomically: true, encoding: .utf8)
        }
        return "(full logs in \(directory))\n" + processes.map { "=== \($0.key)\n\($0.value.text.suffix(4000))" }.joined(separator: "\n")
    }

    // MARK: HTTP

    private func waitForHTTP(_ url: String) async throws {
        for _ in 0..<300 {
            if await httpStatus(url) == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("\(url) did not answer 200 within 30 s")
    }

    @discardableResult
    func admin(_ method: String, _ path: String, _ body: [String: Any]? = nil, expect: Set<Int> = [200, 201, 204]) async throws -> Any {
        try await request(method, "http://127.0.0.1:\(httpPort)/api/v1/\(path)", body, token: Self.adminToken, expect: expect)
    }

    func request(_ method: String, _ url: String, _ body: [String: Any]?, token: String?, expect: Set<Int>) async throws -> Any {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.timeoutInterval = 15
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard expect.contains(status) else {
            throw TestFailure("\(method) \(url) answered \(status): \(String(decoding: data.prefix(500), as: UTF8.self))")
        }
        return data.isEmpty ? [String: Any]() : try JSONSerialization.jsonObject(with: data)
    }

    // MARK: The group

    /// Messages of a chat as the simulator shows them.
    func messages(_ chat: Int64) async throws -> [TranscriptMessage] {
        try await simulator.transcript(chat).messages
    }

    /// One message of a chat as the simulator shows it.
    func message(_ id: Int, in chat: Int64) async throws -> TranscriptMessage? {
        try await messages(chat).first { $0.messageID == id }
    }

    /// A person presses a button (by its label) on a message; returns the callback query id.
    @discardableResult
    func press(_ chat: Int64, message: Int, button: String, as user: Int64) async throws -> String {
        try await simulator.press(.labelled(button), on: message, in: chat, by: user).id
    }

    /// Waits until the callback query was answered; returns the answer.
    func answer(_ query: String, timeout: Duration = .seconds(20)) async throws -> CallbackAnswer {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let answer = try await simulator.callbackQuery(query).answer { return answer }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("callback query \(query) was never answered; logs:\n\(logs)")
    }
}

/// A world to play in: a company with departments, an active group, a driver, members.
struct World {
    static let chat: Int64 = -1_009_000_000_001
    static let driver: Int64 = 501
    static let dispatcher: Int64 = 502
    static let secondDispatcher: Int64 = 503
    static let mechanic: Int64 = 504
    static let manager: Int64 = 505
    static let stranger: Int64 = 506
    /// The bot in the world's groups: an administrator that may pin.
    static let botAdministrator = BotRights(status: .administrator, canPinMessages: true)

    var departments: [String: Int64] = [:]
    var companyID = 0

    static func build(on system: RunningSystem) async throws -> World {
        let people: [(Int64, String, String)] = [
            (driver, "Ann", "ann_driver"), (dispatcher, "Dave", "dave_dispatch"), (secondDispatcher, "Dina", "dina_dispatch"),
            (mechanic, "Mia", "mia_mechanic"), (manager, "Olivia", "olivia_ops"), (stranger, "Stan", "stan_stranger"),
        ]
        for (id, name, username) in people {
            try await system.simulator.addUser(NewUser(id: id, firstName: name, username: username))
        }
        try await system.simulator.createChat(NewChat(
            title: "Fleet <Ops> & Co", type: .supergroup, id: chat, members: people.map(\.0), creator: manager, bot: botAdministrator))
        let company = try await system.admin("POST", "companies", ["name": "Acme Freight"]) as? [String: Any]
        let companyID = company?["id"] as? Int ?? 0
        var world = World()
        world.companyID = companyID
        for (name, restricted) in [("Dispatch", false), ("Maintenance", false), ("Safety", true)] {
            let department = try await system.admin("POST", "companies/\(companyID)/departments", ["name": name, "restricted": restricted]) as? [String: Any]
            world.departments[name] = Int64(department?["id"] as? Int ?? 0)
        }
        for (member, department) in [(dispatcher, "Dispatch"), (secondDispatcher, "Dispatch"), (mechanic, "Maintenance")] {
            try await system.admin("POST", "departments/\(world.departments[department]!)/members", ["user_id": member])
        }
        try await system.admin("PUT", "groups/\(chat)", ["company_id": companyID, "manager_user_ids": [manager]])
        try await world.addDriver(in: chat, on: system)
        return world
    }

    /// Another activated group of the same company with everyone in it and the driver
    /// registered. (Telegram lets a bot send 20 messages a minute to a group: tests that make
    /// many use several groups.)
    func addGroup(_ chat: Int64, title: String, on system: RunningSystem) async throws {
        try await system.simulator.createChat(NewChat(
            title: title, type: .supergroup, id: chat,
            members: [World.driver, World.dispatcher, World.secondDispatcher, World.mechanic, World.manager, World.stranger],
            creator: World.manager, bot: World.botAdministrator))
        try await system.admin("PUT", "groups/\(chat)", ["company_id": companyID, "manager_user_ids": [World.manager]])
        try await addDriver(in: chat, on: system)
    }

    private func addDriver(in chat: Int64, on system: RunningSystem) async throws {
        try await system.simulator.send(NewCommand(from: World.driver, command: "/register_driver"), in: chat)
        try await system.waitFor(chat, "the driver's registration to be answered") { messages in
            messages.contains { $0.text.localizedCaseInsensitiveContains("driver") && $0.fromBot }
        }
    }
}

/// The end-to-end suites: the simulator and the four roles as separate processes, driven
/// through the simulator's control API (`swift test --filter EndToEnd`).
enum EndToEnd {}
