import Foundation
import Testing
@testable import RaiseDashConfig

@Suite("Settings")
struct SettingsTests {
    @Test func defaultsMatchTheSeed() throws {
        let settings = try Settings(lookup: { _ in nil })
        #expect(settings.botToken == nil)
        #expect(settings.databasePath == "incidents.db")
        #expect(settings.unclaimedNudgeInterval == 600)
        #expect(settings.summaryTimeout == 600)
        #expect(settings.reminderCheckInterval == 300)
        #expect(settings.logLevel == .info)
        #expect(settings.telegramAPIBaseURL.absoluteString == "https://api.telegram.org")
        #expect(settings.httpPort == 8080)
        #expect(settings.inboundEndpoint.value == "tcp://127.0.0.1:5601")
        #expect(settings.senderGroupPerMinute == 20)
    }

    @Test func decimalMinutes() throws {
        let settings = try Settings(lookup: ["SLA_UNCLAIMED_NUDGE_MINUTES": "0.05", "LOG_LEVEL": "debug"].lookup)
        #expect(abs(settings.unclaimedNudgeInterval - 3) < 1e-9)
        #expect(settings.logLevel == .debug)
    }

    static let invalid: [(String, String, String)] = [
        ("SLA_UNCLAIMED_NUDGE_MINUTES", "abc", "a number of minutes > 0"),
        ("SLA_SUMMARY_TIMEOUT_MINUTES", "-5", "a number of minutes > 0"),
        ("REMINDER_CHECK_INTERVAL_MINUTES", "0", "a number of minutes > 0"),
        ("REMINDER_CHECK_INTERVAL_MINUTES", "inf", "a number of minutes > 0"),
        ("LOG_LEVEL", "LOUD", "one of trace, debug"),
        ("HTTP_PORT", "70000", "a TCP port"),
        ("RAISEDASH_INBOUND_ENDPOINT", "tcp://127.0.0.1", "a ZeroMQ endpoint"),
        ("RAISEDASH_TICKS_ENDPOINT", "udp://x:1", "a ZeroMQ endpoint"),
        ("RAISEDASH_INTENTS_ENDPOINT", "tcp://:99", "a ZeroMQ endpoint"),
        ("TELEGRAM_API_BASE_URL", "ftp://example", "an http(s) URL"),
        ("SENDER_CHAT_BURST", "0", "a whole number >= 1"),
        ("SENDER_GLOBAL_PER_SECOND", "-1", "a number > 0"),
        ("FLOOD_REPLIES_PER_PERSON", "-1", "a whole number from 0 (no limit) to 1000"),
        ("FLOOD_REPLIES_PER_PERSON", "many", "a whole number from 0 (no limit) to 1000"),
        ("FLOOD_PERSON_WINDOW_SECONDS", "0", "a number of seconds from 1 to 86400"),
    ]

    @Test func floodControlPerPerson() throws {
        let defaults = try Settings(lookup: { _ in nil })
        #expect(defaults.floodRepliesPerPerson == 5)
        #expect(defaults.floodPersonWindow == 60)
        let set = try Settings(lookup: ["FLOOD_REPLIES_PER_PERSON": "0", "FLOOD_PERSON_WINDOW_SECONDS": "90.5"].lookup)
        #expect(set.floodRepliesPerPerson == 0)
        #expect(set.floodPersonWindow == 90.5)
    }

    @Test("invalid values stop with one line naming variable, value and expectation", arguments: invalid)
    func invalidValue(name: String, value: String, expected: String) {
        do {
            _ = try Settings(lookup: [name: value].lookup)
            Issue.record("\(name)=\(value) was accepted")
        } catch {
            #expect(error.variable == name)
            #expect(error.description.hasPrefix("invalid setting \(name)=\(value): expected \(expected)"))
            #expect(!error.description.contains("\n"))
        }
    }

    @Test func tokenNeverShown() throws {
        let token = "999999:SECRET-should-never-print"
        let settings = try Settings(lookup: ["TELEGRAM_BOT_TOKEN": token].lookup)
        #expect(settings.botToken?.value == token)
        #expect(!"\(settings)".contains("SECRET"))
        #expect(!String(reflecting: settings.botToken!).contains("SECRET"))
        do {
            _ = try Settings(lookup: ["TELEGRAM_BOT_TOKEN": "no colon SECRET"].lookup)
            Issue.record("malformed token accepted")
        } catch {
            #expect(!error.description.contains("SECRET"))
            #expect(error.variable == "TELEGRAM_BOT_TOKEN")
        }
    }

    @Test func environmentBeatsEnvFileWhichBeatsDefaults() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rd-settings-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent(".env")
        try "DATABASE_PATH=/data/from-file.db\nHTTP_PORT=9000\n# a comment\n".write(to: file, atomically: true, encoding: .utf8)
        let settings = try await Settings.load(environment: ["HTTP_PORT": "9100"], envFile: file.path)
        #expect(settings.httpPort == 9100)
        #expect(settings.databasePath == "/data/from-file.db")
        #expect(settings.summaryTimeout == 600)
        let noFile = try await Settings.load(environment: [:], envFile: dir.appendingPathComponent("absent").path)
        #expect(noFile.databasePath == "incidents.db")
    }

    @Test func bindHostReplacesTheHostOfTCPEndpoints() throws {
        let settings = try Settings(lookup: ["RAISEDASH_BIND_HOST": "0.0.0.0", "RAISEDASH_INBOUND_ENDPOINT": "tcp://incidents:5601"].lookup)
        #expect(settings.bindAddress(for: settings.inboundEndpoint) == "tcp://0.0.0.0:5601")
        let plain = try Settings(lookup: ["RAISEDASH_TICKS_ENDPOINT": "ipc:///tmp/t"].lookup)
        #expect(plain.bindAddress(for: plain.ticksEndpoint) == "ipc:///tmp/t")
    }

    @Test func everyVariableHasAnExampleEntry() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let example = try String(contentsOf: root.appendingPathComponent("config/raisedash.env.example"), encoding: .utf8)
        for variable in Settings.variables {
            #expect(example.contains(variable.name), "config/raisedash.env.example misses \(variable.name)")
        }
    }
}

extension Dictionary where Key == String, Value == String {
    var lookup: (String) -> String? { { self[$0] } }
}
