/// Telegram's flood limits as the simulator applies them: `GET /control/limits`.
public struct RateLimits: Codable, Sendable, Hashable {
    public var enabled: Bool
    public var perChatBurst: Int
    public var perChatPerSecond: Double
    public var perGroupPerMinute: Int
    public var globalPerSecond: Int
    /// The methods that count.
    public var methods: [String]

    enum CodingKeys: String, CodingKey {
        case enabled, methods
        case perChatBurst = "per_chat_burst"
        case perChatPerSecond = "per_chat_per_second"
        case perGroupPerMinute = "per_group_per_minute"
        case globalPerSecond = "global_per_second"
    }
}

/// New limits, each left as it is when nil: `PUT /control/limits`. Changing them clears the
/// counters.
public struct RateLimitChange: Codable, Sendable, Hashable {
    public var enabled: Bool?
    public var perChatBurst: Int?
    public var perChatPerSecond: Double?
    public var perGroupPerMinute: Int?
    public var globalPerSecond: Int?
    public var methods: [String]?

    public init(
        enabled: Bool? = nil, perChatBurst: Int? = nil, perChatPerSecond: Double? = nil, perGroupPerMinute: Int? = nil,
        globalPerSecond: Int? = nil, methods: [String]? = nil
    ) {
        self.enabled = enabled
        self.perChatBurst = perChatBurst
        self.perChatPerSecond = perChatPerSecond
        self.perGroupPerMinute = perGroupPerMinute
        self.globalPerSecond = globalPerSecond
        self.methods = methods
    }

    typealias CodingKeys = RateLimits.CodingKeys
}

/// Privacy mode (the bot sees only commands, replies and mentions in groups):
/// `GET/PUT /control/privacy`.
public struct PrivacyMode: Codable, Sendable, Hashable {
    public var enabled: Bool

    public init(enabled: Bool) {
        self.enabled = enabled
    }
}

/// The simulator's clock: `GET /control/clock`, `POST /control/clock/advance`.
public struct ClockReading: Codable, Sendable, Hashable {
    /// Simulated time, seconds since 1970.
    public var now: Double
    /// How far simulated time was moved ahead.
    public var offsetSeconds: Double

    enum CodingKeys: String, CodingKey {
        case now
        case offsetSeconds = "offset_seconds"
    }
}

/// `POST /control/clock/advance`.
public struct ClockAdvance: Codable, Sendable, Hashable {
    public var seconds: Double

    public init(seconds: Double) {
        self.seconds = seconds
    }
}

/// The simulated world at a glance: `GET /control/state`.
public struct WorldState: Codable, Sendable, Hashable {
    public var bot: UserSummary
    public var version: Int
    public var privacyMode: Bool
    public var limits: RateLimits
    public var users: [UserSummary]
    public var chats: [ChatSummary]
    public var pendingUpdateCount: Int
    public var nextUpdateID: Int

    enum CodingKeys: String, CodingKey {
        case bot, version, limits, users, chats
        case privacyMode = "privacy_mode"
        case pendingUpdateCount = "pending_update_count"
        case nextUpdateID = "next_update_id"
    }
}

/// `GET /control/wait` answers the state's version once it changed.
public struct StateVersion: Codable, Sendable, Hashable {
    public var version: Int
}

/// An update the bot has not confirmed yet: `GET /control/updates`.
public struct UnconfirmedUpdate: Codable, Sendable, Hashable {
    public var updateID: Int
    /// The update's kind as `allowed_updates` names it: `message`, `callback_query`, ...
    public var kind: String

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        updateID = try container.decode(Int.self, forKey: Key(stringValue: "update_id"))
        kind = container.allKeys.map(\.stringValue).first { $0 != "update_id" } ?? ""
    }

    /// Only the id and kind: the payload is the Bot API's own Update object.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(updateID, forKey: Key(stringValue: "update_id"))
    }
}

/// A command the bot registered with setMyCommands.
public struct RegisteredCommand: Codable, Sendable, Hashable {
    public var command: String
    public var description: String

    public init(command: String, description: String) {
        self.command = command
        self.description = description
    }
}
