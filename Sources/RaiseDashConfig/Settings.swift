/// RaiseDash's settings: read from the environment first, then a `.env` file in the working
/// directory, then defaults; validated once at start. An invalid value stops the process with
/// one line naming the variable, the value and what is expected (`SettingsError`).
import Foundation
import Logging

/// A secret string (a bot token, an API token). Its description never shows the value.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The secret itself. Read it only where it is used, never to log.
    public let value: String

    public init(_ value: String) { self.value = value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}

/// A ZeroMQ endpoint (`tcp://host:port`, `ipc://path` or `inproc://name`), validated.
public struct Endpoint: Sendable, Equatable, CustomStringConvertible {
    public let value: String

    /// Accepts `tcp://HOST:PORT` (PORT 1-65535 or `*` for binding), `ipc://PATH`, `inproc://NAME`.
    public init?(_ text: String) {
        if text.hasPrefix("tcp://") {
            let rest = text.dropFirst("tcp://".count)
            guard let colon = rest.lastIndex(of: ":") else { return nil }
            let host = rest[..<colon]
            let port = rest[rest.index(after: colon)...]
            guard !host.isEmpty, !host.contains("/"), !host.contains(" ") else { return nil }
            guard port == "*" || (UInt16(port).map { $0 > 0 } ?? false) else { return nil }
        } else if text.hasPrefix("ipc://") {
            guard text.count > "ipc://".count else { return nil }
        } else if text.hasPrefix("inproc://") {
            guard text.count > "inproc://".count else { return nil }
        } else {
            return nil
        }
        value = text
    }

    public var description: String { value }
}

/// Every setting of every role. Each role reads what it needs.
public struct Settings: Sendable {
    /// TELEGRAM_BOT_TOKEN: unset means "run on the simulator" for `raisedash up`.
    public var botToken: Secret?
    /// TELEGRAM_API_BASE_URL: requests go to `{base}/bot{token}/{method}`.
    public var telegramAPIBaseURL: URL
    /// DATABASE_PATH: the incident service's SQLite file.
    public var databasePath: String
    /// SLA_UNCLAIMED_NUDGE_MINUTES, in seconds.
    public var unclaimedNudgeInterval: TimeInterval
    /// SLA_SUMMARY_TIMEOUT_MINUTES, in seconds.
    public var summaryTimeout: TimeInterval
    /// SLA_CLAIM_MINUTES, in seconds: a company's claim SLA unless it sets its own.
    public var slaClaimThreshold: TimeInterval
    /// SLA_RESOLVE_MINUTES, in seconds: a company's resolve SLA unless it sets its own.
    public var slaResolveThreshold: TimeInterval
    /// SLA_ESCALATION_NUDGE_MINUTES, in seconds: a company's default time from the start of
    /// waiting for a claim to mentioning the department's leads and the group's managers.
    public var escalationNudge: TimeInterval = 1800
    /// SLA_ESCALATION_DIRECT_MINUTES, in seconds: a company's default time from that mention to
    /// the personal messages to them.
    public var escalationDirect: TimeInterval = 900
    /// RAISEDASH_CLOCK_OFFSET_FILE (tests only): a file holding a number of seconds that the
    /// incident service and the scheduler add to the wall clock; nil: the wall clock as is.
    public var clockOffsetFile: String?
    /// ISSUE_CONTEXT_WINDOW_MINUTES, in seconds: `/new_issue` without a reply takes the
    /// reporter's messages of this long before it as the description (0: off).
    public var issueContextWindow: TimeInterval = 180
    /// ISSUE_CONTEXT_MESSAGE_LIMIT: at most this many of them.
    public var issueContextMessageLimit: Int = 3
    /// FLOOD_REPLIES_PER_PERSON: general notices (help, refusals) one person's commands get in
    /// one chat per FLOOD_PERSON_WINDOW_SECONDS; 0: no limit.
    public var floodRepliesPerPerson: Int = 5
    /// FLOOD_PERSON_WINDOW_SECONDS, in seconds.
    public var floodPersonWindow: TimeInterval = 60
    /// REMINDER_CHECK_INTERVAL_MINUTES, in seconds: how often the scheduler ticks.
    public var reminderCheckInterval: TimeInterval
    /// LOG_LEVEL.
    public var logLevel: Logger.Level
    /// HTTP_PORT: the incident service's admin API, dashboard, /healthz and /metrics.
    public var httpPort: Int
    /// ADMIN_API_TOKEN: bearer token of the admin API; unset disables the admin API.
    public var adminAPIToken: Secret?
    /// RAISEDASH_HTTP_HOST: the address every role's HTTP listener binds.
    public var httpHost: String
    /// RAISEDASH_GATEWAY_HTTP_PORT, RAISEDASH_SENDER_HTTP_PORT, RAISEDASH_SCHEDULER_HTTP_PORT.
    public var gatewayHTTPPort: Int
    public var senderHTTPPort: Int
    public var schedulerHTTPPort: Int
    /// RAISEDASH_INBOUND_ENDPOINT: gateway -> incidents events and their acks (incidents binds).
    public var inboundEndpoint: Endpoint
    /// RAISEDASH_INTENTS_ENDPOINT: incidents -> sender intents and their results (incidents binds).
    public var intentsEndpoint: Endpoint
    /// RAISEDASH_TICKS_ENDPOINT: scheduler -> incidents ticks (scheduler binds).
    public var ticksEndpoint: Endpoint
    /// RAISEDASH_BIND_HOST: the host a binding role uses in place of the endpoint's host
    /// (containers bind 0.0.0.0 and connect by service name). Unset: bind the endpoint itself.
    public var bindHost: String?
    /// SENDER_GLOBAL_PER_SECOND, SENDER_GROUP_PER_MINUTE, SENDER_CHAT_PER_SECOND, SENDER_CHAT_BURST.
    public var senderGlobalPerSecond: Double
    public var senderGroupPerMinute: Double
    public var senderChatPerSecond: Double
    public var senderChatBurst: Int
    /// RAISEDASH_SIMULATOR_PORT: where `raisedash up` starts the simulator when no token is set.
    public var simulatorPort: Int
    /// RAISEDASH_CURVE_*: CURVE keys for the bus; nil (none set): plain links.
    public var busKeys: BusKeys?
    /// RAISEDASH_CURVE_KEYS_DIR: for `raisedash up`, the directory of `raisedash keys generate`
    /// from which each child gets its role's keys; nil: plain links.
    public var curveKeysDirectory: String?

    /// Every variable, its default and what it means, in the order of config/raisedash.env.example.
    public static let variables: [(name: String, defaultValue: String?, meaning: String)] = [
        ("TELEGRAM_BOT_TOKEN", nil, "bot token from @BotFather; unset: `raisedash up` runs on the simulator"),
        ("TELEGRAM_API_BASE_URL", "https://api.telegram.org", "Bot API base URL; requests go to {base}/bot{token}/{method}"),
        ("DATABASE_PATH", "incidents.db", "SQLite file of the incident service"),
        ("SLA_UNCLAIMED_NUDGE_MINUTES", "10", "minutes between reminders while an incident is unclaimed (decimals allowed)"),
        ("SLA_SUMMARY_TIMEOUT_MINUTES", "10", "minutes to write a summary before the incident closes without one"),
        ("SLA_CLAIM_MINUTES", "15", "reports: default claim SLA, assignment to first claim (a company may set its own)"),
        ("SLA_RESOLVE_MINUTES", "240", "reports: default resolve SLA, assignment to resolution (a company may set its own)"),
        ("SLA_ESCALATION_NUDGE_MINUTES", "30", "escalation: minutes an incident waits for a claim before the department's leads and the group's managers are mentioned (a company may set its own)"),
        ("SLA_ESCALATION_DIRECT_MINUTES", "15", "escalation: minutes after that until they get a personal message, if they started the bot in private (a company may set its own)"),
        ("REMINDER_CHECK_INTERVAL_MINUTES", "5", "minutes between the scheduler's SLA ticks (greater than 0)"),
        ("ISSUE_CONTEXT_WINDOW_MINUTES", "3", "/new_issue without a reply: the reporter's messages of this many minutes before it are the description (0: off)"),
        ("ISSUE_CONTEXT_MESSAGE_LIMIT", "3", "/new_issue without a reply: at most this many of those messages"),
        ("FLOOD_REPLIES_PER_PERSON", "5", "answers (help, refusals) one person's commands get in one chat per window, then one notice, then none (0: no limit)"),
        ("FLOOD_PERSON_WINDOW_SECONDS", "60", "the window of FLOOD_REPLIES_PER_PERSON, in seconds"),
        ("LOG_LEVEL", "INFO", "trace, debug, info, notice, warning, error or critical"),
        ("HTTP_PORT", "8080", "incident service: admin API, dashboard, /healthz, /metrics"),
        ("ADMIN_API_TOKEN", nil, "bearer token for the admin API; unset: the admin API refuses every call"),
        ("RAISEDASH_HTTP_HOST", "127.0.0.1", "address every role's HTTP listener binds (0.0.0.0 in containers)"),
        ("RAISEDASH_GATEWAY_HTTP_PORT", "8091", "gateway: /healthz and /metrics"),
        ("RAISEDASH_SENDER_HTTP_PORT", "8092", "sender: /healthz and /metrics"),
        ("RAISEDASH_SCHEDULER_HTTP_PORT", "8093", "scheduler: /healthz and /metrics"),
        ("RAISEDASH_INBOUND_ENDPOINT", "tcp://127.0.0.1:5601", "ZeroMQ: gateway -> incidents events and acks (incidents binds)"),
        ("RAISEDASH_INTENTS_ENDPOINT", "tcp://127.0.0.1:5602", "ZeroMQ: incidents -> sender intents and results (incidents binds)"),
        ("RAISEDASH_TICKS_ENDPOINT", "tcp://127.0.0.1:5603", "ZeroMQ: scheduler -> incidents SLA ticks (scheduler binds)"),
        ("RAISEDASH_BIND_HOST", nil, "host a binding role binds instead of the endpoint's host (0.0.0.0 in containers)"),
        ("SENDER_GLOBAL_PER_SECOND", "30", "sender: Bot API calls per second, whole bot"),
        ("SENDER_GROUP_PER_MINUTE", "20", "sender: messages per minute to one group"),
        ("SENDER_CHAT_PER_SECOND", "1", "sender: steady messages per second to one private chat (groups spend SENDER_GROUP_PER_MINUTE in bursts)"),
        ("SENDER_CHAT_BURST", "3", "sender: short burst allowed per private chat"),
        ("RAISEDASH_SIMULATOR_PORT", "8081", "`raisedash up` without a token: the simulator's port"),
        ("RAISEDASH_CURVE_SECRET_KEY_FILE", nil, "bus CURVE: this role's secret key file (raisedash keys generate); unset with the three below: plain links"),
        ("RAISEDASH_CURVE_INCIDENTS_PUBLIC_KEY_FILE", nil, "bus CURVE, gateway and sender: the incident service's public key file"),
        ("RAISEDASH_CURVE_SCHEDULER_PUBLIC_KEY_FILE", nil, "bus CURVE, incidents: the scheduler's public key file"),
        ("RAISEDASH_CURVE_ALLOWED_CLIENTS_FILE", nil, "bus CURVE, incidents and scheduler: client public keys allowed to connect, one per line"),
        ("RAISEDASH_CURVE_KEYS_DIR", nil, "bus CURVE for `raisedash up`: the directory of `raisedash keys generate`; each child gets its role's files from it"),
    ]
}

/// An invalid setting. `description` is the one line printed before the process stops.
public struct SettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    public var variable: String
    /// The offending value as shown to the operator; secrets are never shown.
    public var shownValue: String
    public var expected: String

    public var description: String {
        "invalid setting \(variable)=\(shownValue): expected \(expected)"
    }
}
