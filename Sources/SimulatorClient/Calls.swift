import Foundation

/// One Bot API call as the simulator saw it: `GET /control/calls` (the last 10 000, oldest first).
public struct RecordedCall: Codable, Sendable, Hashable {
    public var sequence: Int
    public var method: String
    public var chatID: Int64?
    /// When the call arrived, in the simulator's time (the system clock in a simulator whose
    /// clock nobody advanced), seconds since 1970.
    public var at: Double
    public var ok: Bool
    public var errorCode: Int?
    public var description: String?

    public var arrival: Date { Date(timeIntervalSince1970: at) }

    enum CodingKeys: String, CodingKey {
        case sequence, method, at, ok, description
        case chatID = "chat_id"
        case errorCode = "error_code"
    }
}

/// A failure the next calls of a method will meet: `POST /control/faults`.
public struct Fault: Codable, Sendable, Hashable {
    /// How the call fails.
    public enum Kind: String, Codable, Sendable, Hashable {
        /// A Bot API error answer (`errorCode`, `description`, `retryAfter`, `migrateToChatID`).
        case error
        /// 502 with nginx's HTML page.
        case badGateway = "bad_gateway"
        /// 504 with an HTML page.
        case gatewayTimeout = "gateway_timeout"
        /// The call waits `latencyMS`, then runs normally.
        case latency
    }

    /// A Bot API method, or `*` for all.
    public var method: String
    public var kind: Kind
    /// How many calls meet it (1 when nil).
    public var count: Int?
    public var errorCode: Int?
    /// Required for error codes other than 429, 500 and a migration.
    public var description: String?
    public var retryAfter: Int?
    public var migrateToChatID: Int64?
    public var latencyMS: Int?
    /// Carry the call out, then answer with the fault ("sent, but the answer was lost").
    public var afterEffect: Bool?

    public init(
        method: String, kind: Kind, count: Int? = nil, errorCode: Int? = nil, description: String? = nil,
        retryAfter: Int? = nil, migrateToChatID: Int64? = nil, latencyMS: Int? = nil, afterEffect: Bool? = nil
    ) {
        self.method = method
        self.kind = kind
        self.count = count
        self.errorCode = errorCode
        self.description = description
        self.retryAfter = retryAfter
        self.migrateToChatID = migrateToChatID
        self.latencyMS = latencyMS
        self.afterEffect = afterEffect
    }

    /// The next `count` calls of `method` answer with a Bot API error.
    public static func error(
        _ code: Int, on method: String, count: Int? = nil, description: String? = nil, retryAfter: Int? = nil,
        migrateToChatID: Int64? = nil, afterEffect: Bool? = nil
    ) -> Fault {
        Fault(method: method, kind: .error, count: count, errorCode: code, description: description, retryAfter: retryAfter,
              migrateToChatID: migrateToChatID, afterEffect: afterEffect)
    }

    /// The next `count` calls of `method` wait `milliseconds` first.
    public static func latency(_ milliseconds: Int, on method: String, count: Int? = nil) -> Fault {
        Fault(method: method, kind: .latency, count: count, latencyMS: milliseconds)
    }

    enum CodingKeys: String, CodingKey {
        case method, kind, count, description
        case errorCode = "error_code"
        case retryAfter = "retry_after"
        case migrateToChatID = "migrate_to_chat_id"
        case latencyMS = "latency_ms"
        case afterEffect = "after_effect"
    }
}

/// A fault waiting for calls: `GET /control/faults`.
public struct PendingFault: Codable, Sendable, Hashable {
    public var id: Int
    /// Calls still to meet it.
    public var remaining: Int
    /// What it does (its `count` is what was asked, not what is left).
    public var fault: Fault

    enum CodingKeys: String, CodingKey {
        case id, remaining
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(Int.self, forKey: .id)
        remaining = try container.decode(Int.self, forKey: .remaining)
        fault = try Fault(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        try fault.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(remaining, forKey: .remaining)
    }
}
