import Configuration
import Foundation
import Logging
import SystemPackage

extension Settings {
    /// Loads settings: process environment first, then `envFile` (if it exists), then defaults.
    public static func load(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        envFile: String? = ".env"
    ) async throws -> Settings {
        let secrets: SecretsSpecifier<String, String> = .specific(["TELEGRAM_BOT_TOKEN", "ADMIN_API_TOKEN"])
        var providers: [any ConfigProvider] = [
            EnvironmentVariablesProvider(environmentVariables: environment, secretsSpecifier: secrets)
        ]
        if let envFile {
            do {
                providers.append(
                    try await EnvironmentVariablesProvider(
                        environmentFilePath: FilePath(envFile), allowMissing: true, secretsSpecifier: secrets))
            } catch {
                throw SettingsError(variable: "(.env file)", shownValue: envFile, expected: "a readable KEY=VALUE file")
            }
        }
        let reader = ConfigReader(providers: providers)
        return try Settings(lookup: { name in reader.string(forKey: ConfigKey(name)) })
    }

    /// Builds settings from a lookup of raw values (nil: not set), validating each one.
    public init(lookup: (String) -> String?) throws(SettingsError) {
        func raw(_ name: String) -> String? {
            guard let value = lookup(name)?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
            return value
        }
        func value(_ name: String) -> String {
            raw(name) ?? Settings.variables.first { $0.name == name }!.defaultValue!
        }
        func minutes(_ name: String, allowZero: Bool) throws(SettingsError) -> TimeInterval {
            let text = value(name)
            guard let minutes = Double(text), minutes.isFinite, allowZero ? minutes >= 0 : minutes > 0 else {
                throw SettingsError(
                    variable: name, shownValue: text,
                    expected: allowZero ? "a number of minutes >= 0 (decimals allowed, e.g. 0.05)"
                        : "a number of minutes > 0 (decimals allowed, e.g. 0.05)")
            }
            return minutes * 60
        }
        func port(_ name: String) throws(SettingsError) -> Int {
            let text = value(name)
            guard let port = Int(text), (0...65535).contains(port) else {
                throw SettingsError(variable: name, shownValue: text, expected: "a TCP port from 0 to 65535")
            }
            return port
        }
        func endpoint(_ name: String) throws(SettingsError) -> Endpoint {
            let text = value(name)
            guard let endpoint = Endpoint(text) else {
                throw SettingsError(
                    variable: name, shownValue: text,
                    expected: "a ZeroMQ endpoint like tcp://127.0.0.1:5601, ipc:///path or inproc://name")
            }
            return endpoint
        }
        func rate(_ name: String) throws(SettingsError) -> Double {
            let text = value(name)
            guard let rate = Double(text), rate.isFinite, rate > 0 else {
                throw SettingsError(variable: name, shownValue: text, expected: "a number > 0")
            }
            return rate
        }

        if let token = raw("TELEGRAM_BOT_TOKEN") {
            // Never echo a token, not even a wrong one.
            guard token.contains(":"), !token.contains(where: { $0.isWhitespace || $0 == "/" }) else {
                throw SettingsError(
                    variable: "TELEGRAM_BOT_TOKEN", shownValue: "<redacted>",
                    expected: "a token of the form 123456:ABC... from @BotFather")
            }
            botToken = Secret(token)
        }
        let base = value("TELEGRAM_API_BASE_URL")
        guard let url = URL(string: base), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw SettingsError(variable: "TELEGRAM_API_BASE_URL", shownValue: base, expected: "an http(s) URL like https://api.telegram.org")
        }
        telegramAPIBaseURL = url
        databasePath = value("DATABASE_PATH")
        unclaimedNudgeInterval = try minutes("SLA_UNCLAIMED_NUDGE_MINUTES", allowZero: false)
        summaryTimeout = try minutes("SLA_SUMMARY_TIMEOUT_MINUTES", allowZero: false)
        slaClaimThreshold = try minutes("SLA_CLAIM_MINUTES", allowZero: false)
        slaResolveThreshold = try minutes("SLA_RESOLVE_MINUTES", allowZero: false)
        reminderCheckInterval = try minutes("REMINDER_CHECK_INTERVAL_MINUTES", allowZero: false)
        escalationNudge = try minutes("SLA_ESCALATION_NUDGE_MINUTES", allowZero: false)
        escalationDirect = try minutes("SLA_ESCALATION_DIRECT_MINUTES", allowZero: false)
        clockOffsetFile = lookup("RAISEDASH_CLOCK_OFFSET_FILE").flatMap { $0.isEmpty ? nil : $0 }
        issueContextWindow = try minutes("ISSUE_CONTEXT_WINDOW_MINUTES", allowZero: true)
        let limit = value("ISSUE_CONTEXT_MESSAGE_LIMIT")
        guard let limitValue = Int(limit), (0...20).contains(limitValue) else {
            throw SettingsError(variable: "ISSUE_CONTEXT_MESSAGE_LIMIT", shownValue: limit, expected: "a whole number from 0 to 20")
        }
        issueContextMessageLimit = limitValue
        let replies = value("FLOOD_REPLIES_PER_PERSON")
        guard let repliesValue = Int(replies), (0...1000).contains(repliesValue) else {
            throw SettingsError(variable: "FLOOD_REPLIES_PER_PERSON", shownValue: replies, expected: "a whole number from 0 (no limit) to 1000")
        }
        floodRepliesPerPerson = repliesValue
        let window = value("FLOOD_PERSON_WINDOW_SECONDS")
        guard let windowValue = Double(window), windowValue.isFinite, windowValue >= 1, windowValue <= 86_400 else {
            throw SettingsError(variable: "FLOOD_PERSON_WINDOW_SECONDS", shownValue: window, expected: "a number of seconds from 1 to 86400")
        }
        floodPersonWindow = windowValue
        let level = value("LOG_LEVEL")
        guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
            throw SettingsError(
                variable: "LOG_LEVEL", shownValue: level,
                expected: "one of trace, debug, info, notice, warning, error, critical")
        }
        logLevel = parsed
        httpPort = try port("HTTP_PORT")
        adminAPIToken = raw("ADMIN_API_TOKEN").map(Secret.init)
        httpHost = value("RAISEDASH_HTTP_HOST")
        gatewayHTTPPort = try port("RAISEDASH_GATEWAY_HTTP_PORT")
        senderHTTPPort = try port("RAISEDASH_SENDER_HTTP_PORT")
        schedulerHTTPPort = try port("RAISEDASH_SCHEDULER_HTTP_PORT")
        inboundEndpoint = try endpoint("RAISEDASH_INBOUND_ENDPOINT")
        intentsEndpoint = try endpoint("RAISEDASH_INTENTS_ENDPOINT")
        ticksEndpoint = try endpoint("RAISEDASH_TICKS_ENDPOINT")
        bindHost = raw("RAISEDASH_BIND_HOST")
        senderGlobalPerSecond = try rate("SENDER_GLOBAL_PER_SECOND")
        senderGroupPerMinute = try rate("SENDER_GROUP_PER_MINUTE")
        senderChatPerSecond = try rate("SENDER_CHAT_PER_SECOND")
        let burst = value("SENDER_CHAT_BURST")
        guard let burstValue = Int(burst), burstValue >= 1 else {
            throw SettingsError(variable: "SENDER_CHAT_BURST", shownValue: burst, expected: "a whole number >= 1")
        }
        senderChatBurst = burstValue
        simulatorPort = try port("RAISEDASH_SIMULATOR_PORT")
        busKeys = try BusKeys.load(raw)
        curveKeysDirectory = raw("RAISEDASH_CURVE_KEYS_DIR")
    }

    /// The endpoint a binding role binds: the configured one, with its host replaced by
    /// `bindHost` when that is set (tcp only).
    public func bindAddress(for endpoint: Endpoint) -> String {
        guard let bindHost, endpoint.value.hasPrefix("tcp://"),
              let colon = endpoint.value.lastIndex(of: ":") else { return endpoint.value }
        return "tcp://\(bindHost)\(endpoint.value[colon...])"
    }
}
