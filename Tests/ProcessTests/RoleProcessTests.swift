import Foundation
import ProcessTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("Roles as real processes", .serialized)
struct RoleProcessTests {
    static let roles: [(name: String, portVariable: String)] = [
        ("incidents", "HTTP_PORT"),
        ("gateway", "RAISEDASH_GATEWAY_HTTP_PORT"),
        ("sender", "RAISEDASH_SENDER_HTTP_PORT"),
        ("scheduler", "RAISEDASH_SCHEDULER_HTTP_PORT"),
    ]

    @Test("each role starts, is healthy, and stops on SIGTERM within 5 seconds", arguments: roles)
    func startAndStop(role: String, portVariable: String) async throws {
        var environment = isolatedEnvironment()
        var simulator: ChildProcess?
        if role == "gateway" || role == "sender" {
            // They need a token and a Bot API to be ready: the simulator.
            let port = environment["RAISEDASH_SIMULATOR_PORT"]!
            environment["TELEGRAM_API_BASE_URL"] = "http://127.0.0.1:\(port)"
            environment["TELEGRAM_BOT_TOKEN"] = RunningSystem.token
            simulator = try ChildProcess(arguments: ["simulator", "--port", port], environment: environment)
        }
        defer { simulator?.signal(SIGKILL) }
        let child = try ChildProcess(arguments: [role], environment: environment)
        try await child.waitFor(line: "ready")
        let port = try #require(environment[portVariable])
        var status: Int?
        for _ in 0..<100 {
            status = await httpStatus("http://127.0.0.1:\(port)/healthz")
            if status == 200 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(status == 200)
        #expect(await httpStatus("http://127.0.0.1:\(port)/metrics") == 200)
        child.signal(SIGTERM)
        let exit = await child.waitForExit(timeout: .seconds(5))
        #expect(exit == 0, "exit status \(String(describing: exit)); output:\n\(child.text)")
        #expect(child.text.contains("stopped"))
    }

    @Test("gateway and sender without a token exit at once with one line", arguments: ["gateway", "sender"])
    func noToken(role: String) async throws {
        let child = try ChildProcess(arguments: [role], environment: isolatedEnvironment())
        let exit = await child.waitForExit(timeout: .seconds(10))
        #expect(exit == 2, "output:\n\(child.text)")
        let lines = child.text.split(separator: "\n")
        #expect(lines.count == 1, "expected one line, got:\n\(child.text)")
        #expect(lines.first?.contains("TELEGRAM_BOT_TOKEN is not set") == true)
    }

    @Test("the incident service refuses an admin token shorter than 32 characters at start, with one line")
    func shortAdminToken() async throws {
        let child = try ChildProcess(arguments: ["incidents"], environment: isolatedEnvironment(extra: ["ADMIN_API_TOKEN": "too-short"]))
        let exit = await child.waitForExit(timeout: .seconds(10))
        #expect(exit == 2, "output:\n\(child.text)")
        let lines = child.text.split(separator: "\n")
        #expect(lines.count == 1, "expected one line, got:\n\(child.text)")
        #expect(lines.first?.contains("at least 32") == true)
        #expect(!child.text.contains("too-short"), "the token itself is not printed")
    }

    @Test("SIGINT stops a role too")
    func sigint() async throws {
        let child = try ChildProcess(arguments: ["scheduler"], environment: isolatedEnvironment())
        try await child.waitFor(line: "ready")
        child.signal(SIGINT)
        #expect(await child.waitForExit(timeout: .seconds(5)) == 0)
    }

    static let invalidSettings: [(String, String)] = [
        ("SLA_UNCLAIMED_NUDGE_MINUTES", "abc"),
        ("SLA_SUMMARY_TIMEOUT_MINUTES", "-1"),
        ("LOG_LEVEL", "chatty"),
        ("RAISEDASH_TICKS_ENDPOINT", "tcp://nowhere"),
    ]

    @Test("an invalid setting stops the process at start with one line", arguments: invalidSettings)
    func invalidSetting(name: String, value: String) async throws {
        let child = try ChildProcess(arguments: ["scheduler"], environment: isolatedEnvironment(extra: [name: value]))
        let exit = await child.waitForExit(timeout: .seconds(10))
        #expect(exit == 2)
        let lines = child.text.split(separator: "\n")
        #expect(lines.count == 1, "expected one line, got:\n\(child.text)")
        #expect(lines.first?.contains("\(name)=\(value)") == true)
        #expect(lines.first?.contains("expected") == true)
    }

    @Test("a .env file in the working directory is read, the environment wins")
    func envFile() async throws {
        var environment = isolatedEnvironment()
        let dir = try #require(environment["RAISEDASH_TEST_DIR"])
        try "LOG_LEVEL=nonsense\nREMINDER_CHECK_INTERVAL_MINUTES=abc\n".write(toFile: dir + "/.env", atomically: true, encoding: .utf8)
        let fromFile = try ChildProcess(arguments: ["scheduler"], environment: environment)
        #expect(await fromFile.waitForExit(timeout: .seconds(10)) == 2)
        #expect(fromFile.text.contains("REMINDER_CHECK_INTERVAL_MINUTES=abc") || fromFile.text.contains("LOG_LEVEL=nonsense"))
        environment["LOG_LEVEL"] = "info"
        environment["REMINDER_CHECK_INTERVAL_MINUTES"] = "5"
        let overridden = try ChildProcess(arguments: ["scheduler"], environment: environment)
        try await overridden.waitFor(line: "ready")
        overridden.signal(SIGTERM)
        #expect(await overridden.waitForExit(timeout: .seconds(5)) == 0)
    }

    @Test("the scheduler publishes ticks the incident service receives (decimal minutes)")
    func ticksFlow() async throws {
        let environment = isolatedEnvironment(extra: ["REMINDER_CHECK_INTERVAL_MINUTES": "0.005", "LOG_LEVEL": "debug"])
        let incidents = try ChildProcess(arguments: ["incidents"], environment: environment)
        let scheduler = try ChildProcess(arguments: ["scheduler"], environment: environment)
        try await incidents.waitFor("two ticks received") { $0.components(separatedBy: "tick.sequence=").count >= 3 }
        scheduler.signal(SIGTERM)
        incidents.signal(SIGTERM)
        #expect(await scheduler.waitForExit(timeout: .seconds(5)) == 0)
        #expect(await incidents.waitForExit(timeout: .seconds(5)) == 0)
    }

    static let subcommands = ["up", "gateway", "incidents", "sender", "scheduler", "simulator"]

    @Test("every subcommand's --help explains its options", arguments: subcommands)
    func help(subcommand: String) async throws {
        let child = try ChildProcess(arguments: [subcommand, "--help"], environment: isolatedEnvironment())
        #expect(await child.waitForExit(timeout: .seconds(10)) == 0)
        let help = child.text
        #expect(help.contains("OVERVIEW:"))
        // In the OPTIONS section every option has a description: on its own line after two
        // spaces, or on the next, more indented line.
        let lines = help.components(separatedBy: "\n")
        let options = try #require(lines.firstIndex(of: "OPTIONS:"))
        var checked = 0
        for index in (options + 1)..<lines.count {
            let line = lines[index]
            guard line.hasPrefix("  -") else { continue }
            let described = line.dropFirst(2).range(of: "  ").map { !line.dropFirst(2)[$0.upperBound...].trimmingCharacters(in: .whitespaces).isEmpty } ?? false
            let continued = index + 1 < lines.count && lines[index + 1].hasPrefix("        ")
            #expect(described || continued, "no help text for: \(line)")
            checked += 1
        }
        #expect(checked >= 1)
    }
}
