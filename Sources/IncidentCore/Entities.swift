#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A Telegram @username, normalised: without the leading `@`, lower-cased (Telegram compares
/// usernames case-insensitively).
public struct Handle: Hashable, Codable, Sendable, Comparable, CustomStringConvertible {
    /// The normalised name, e.g. `alice_k`.
    public let name: String

    /// Parses `@Alice_K` or `Alice_K`; nil unless it is 1 to 32 of `A-Z a-z 0-9 _`.
    public init?(_ text: String) {
        var text = Substring(text)
        if text.first == "@" { text = text.dropFirst() }
        guard (1...32).contains(text.utf8.count),
            text.utf8.allSatisfy({ byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A)
                    || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
            })
        else { return nil }
        self.name = text.lowercased()
    }

    /// `@alice_k`.
    public var description: String { "@" + name }
    public static func < (lhs: Handle, rhs: Handle) -> Bool { lhs.name < rhs.name }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let handle = Handle(text) else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath, debugDescription: "not a Telegram username"))
        }
        self = handle
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }
}

/// A Telegram user as the bot last saw them.
public struct Person: Hashable, Codable, Sendable {
    public var id: UserID
    /// The @username, if the user has one.
    public var handle: Handle?
    public var firstName: String
    public var lastName: String?

    public init(id: UserID, handle: Handle? = nil, firstName: String, lastName: String? = nil) {
        self.id = id
        self.handle = handle
        self.firstName = firstName
        self.lastName = lastName
    }

    /// "First Last", or the first name alone.
    public var displayName: String {
        guard let lastName, !lastName.isEmpty else { return firstName }
        return firstName + " " + lastName
    }

    /// How to notify this person in a message.
    public var mention: Mention { .user(id: id, handle: handle, name: displayName) }
}

/// A company: owns departments and Telegram groups.
public struct Company: Hashable, Codable, Sendable {
    public var id: CompanyID
    public var name: String
    public init(id: CompanyID, name: String) {
        self.id = id
        self.name = name
    }
}

/// Whether the bot may run incidents in a group.
public enum GroupStatus: String, Hashable, Codable, Sendable, CaseIterable {
    /// The bot was added but an administrator has not yet tied the group to a company.
    case pending
    /// Tied to a company; incidents can be created.
    case active
    /// The bot was removed; nothing more is sent there.
    case inactive
}

/// A Telegram group the bot is in.
public struct Group: Hashable, Codable, Sendable {
    public var chatID: ChatID
    /// Nil while pending.
    public var companyID: CompanyID?
    public var status: GroupStatus
    /// Users who may do everything in this group's incidents.
    public var managerIDs: Set<UserID>
    public var title: String?

    public init(
        chatID: ChatID, companyID: CompanyID?, status: GroupStatus, managerIDs: Set<UserID> = [],
        title: String? = nil
    ) {
        self.chatID = chatID
        self.companyID = companyID
        self.status = status
        self.managerIDs = managerIDs
        self.title = title
    }

    /// True when incidents may be created here.
    public var isActive: Bool { status == .active && companyID != nil }
}

/// A department of a company (Dispatch, Maintenance, ...).
public struct Department: Hashable, Codable, Sendable {
    public var id: DepartmentID
    public var companyID: CompanyID
    public var name: String
    /// A restricted department can be chosen only by its own members or a manager.
    public var restricted: Bool

    public init(id: DepartmentID, companyID: CompanyID, name: String, restricted: Bool = false) {
        self.id = id
        self.companyID = companyID
        self.name = name
        self.restricted = restricted
    }
}

/// How a department member is named by an administrator: by user id, or by @handle until
/// that user is first seen (then the membership is bound to their id).
public enum MemberRef: Hashable, Codable, Sendable {
    case user(UserID)
    case handle(Handle)
}

/// Someone to notify in a message.
public enum Mention: Hashable, Codable, Sendable {
    /// A known user: mentioned by @handle when they have one, otherwise by a `tg://user` link.
    case user(id: UserID, handle: Handle?, name: String)
    /// A member known only by @handle (not seen yet).
    case handle(Handle)

    /// The user id, when known.
    public var userID: UserID? {
        if case .user(let id, _, _) = self { return id }
        return nil
    }
}

/// The kind of chat an update came from.
public enum ChatKind: String, Hashable, Codable, Sendable {
    case `private`, group, supergroup, channel

    /// Groups and supergroups are where the bot works.
    public var isGroup: Bool { self == .group || self == .supergroup }
}

/// The chat an inbound update came from.
public struct ChatRef: Hashable, Codable, Sendable {
    public var id: ChatID
    public var kind: ChatKind
    public var title: String?

    public init(id: ChatID, kind: ChatKind, title: String? = nil) {
        self.id = id
        self.kind = kind
        self.title = title
    }
}
