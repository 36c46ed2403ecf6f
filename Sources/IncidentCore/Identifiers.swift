#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An identifier that is a 64-bit integer on the wire and in storage.
///
/// Telegram ids (users, chats, messages) and the store's own ids (companies, departments,
/// incidents) all share this shape; distinct types keep a user id from being passed where a
/// chat id is expected.
public protocol Int64Identifier: RawRepresentable, Hashable, Comparable, Codable, Sendable,
    ExpressibleByIntegerLiteral, CustomStringConvertible where RawValue == Int64
{
    init(_ rawValue: Int64)
}

extension Int64Identifier {
    public init(rawValue: Int64) { self.init(rawValue) }
    public init(integerLiteral value: Int64) { self.init(value) }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self.init(try container.decode(Int64.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// A Telegram user id.
public struct UserID: Int64Identifier {
    public let rawValue: Int64
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
}

/// A Telegram chat id (negative for groups and supergroups).
public struct ChatID: Int64Identifier {
    public let rawValue: Int64
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
}

/// A Telegram message id, unique within its chat.
public struct MessageID: Int64Identifier {
    public let rawValue: Int64
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
}

/// The store's id of an incident; it appears in callback data, so it never changes and is
/// never reused.
public struct IncidentID: Int64Identifier {
    public let rawValue: Int64
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
}

/// The store's id of a department.
public struct DepartmentID: Int64Identifier {
    public let rawValue: Int64
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
}

/// The store's id of a company.
public struct CompanyID: Int64Identifier {
    public let rawValue: Int64
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
}

/// The id Telegram gives a button press (`callback_query.id`); the press is answered with it.
public struct CallbackQueryID: RawRepresentable, Hashable, Codable, Sendable,
    ExpressibleByStringLiteral, CustomStringConvertible
{
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        self.rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
