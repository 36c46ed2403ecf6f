/// The kinds of chat the simulator knows.
public enum ChatType: String, Codable, Sendable, Hashable {
    case group
    case supergroup
    case `private`
}

/// The bot's standing in a group and the rights it has there.
public struct BotRights: Codable, Sendable, Hashable {
    public var status: MembershipStatus
    /// An administrator's rights; the simulator gives both unless told otherwise.
    public var canPinMessages: Bool?
    public var canDeleteMessages: Bool?

    public init(status: MembershipStatus, canPinMessages: Bool? = nil, canDeleteMessages: Bool? = nil) {
        self.status = status
        self.canPinMessages = canPinMessages
        self.canDeleteMessages = canDeleteMessages
    }

    /// An administrator that may pin and delete messages.
    public static let administrator = BotRights(status: .administrator, canPinMessages: true, canDeleteMessages: true)

    enum CodingKeys: String, CodingKey {
        case status
        case canPinMessages = "can_pin_messages"
        case canDeleteMessages = "can_delete_messages"
    }
}

/// A chat without its messages: `GET /control/chats`, and what the chat routes answer.
public struct ChatSummary: Codable, Sendable, Hashable {
    public var id: Int64
    public var type: ChatType
    public var title: String
    public var username: String?
    public var bot: BotRights
    /// Everyone who was ever in the chat, with their standing now.
    public var members: [UserSummary]
    public var messageCount: Int
    /// Pinned messages, most recently pinned last.
    public var pinnedMessageIDs: [Int]
    public var pinnedMessageID: Int?
    public var migratedToChatID: Int64?
    public var migratedFromChatID: Int64?
    /// Private chats only.
    public var blockedByUser: Bool?

    enum CodingKeys: String, CodingKey {
        case id, type, title, username, bot, members
        case messageCount = "message_count"
        case pinnedMessageIDs = "pinned_message_ids"
        case pinnedMessageID = "pinned_message_id"
        case migratedToChatID = "migrated_to_chat_id"
        case migratedFromChatID = "migrated_from_chat_id"
        case blockedByUser = "blocked_by_user"
    }
}

/// A new group: `POST /control/chats`. The first member (or `creator`) owns it; without an id
/// the simulator gives one.
public struct NewChat: Codable, Sendable, Hashable {
    public var title: String
    public var type: ChatType
    public var id: Int64?
    public var username: String?
    public var members: [Int64]
    public var creator: Int64?
    /// The bot's standing from the start; a member without rights when nil.
    public var bot: BotRights?

    public init(
        title: String, type: ChatType = .group, id: Int64? = nil, username: String? = nil, members: [Int64] = [],
        creator: Int64? = nil, bot: BotRights? = nil
    ) {
        self.title = title
        self.type = type
        self.id = id
        self.username = username
        self.members = members
        self.creator = creator
        self.bot = bot
    }
}

/// The bot added, promoted, demoted or removed by someone: `POST /control/chats/{id}/bot`.
public struct BotChange: Codable, Sendable, Hashable {
    public var status: MembershipStatus
    public var canPinMessages: Bool?
    public var canDeleteMessages: Bool?
    /// Who did it (the chat's creator when nil).
    public var by: Int64?

    public init(_ rights: BotRights, by: Int64? = nil) {
        status = rights.status
        canPinMessages = rights.canPinMessages
        canDeleteMessages = rights.canDeleteMessages
        self.by = by
    }

    enum CodingKeys: String, CodingKey {
        case status, by
        case canPinMessages = "can_pin_messages"
        case canDeleteMessages = "can_delete_messages"
    }
}

/// Someone joins a chat: `POST /control/chats/{id}/members`.
public struct NewMember: Codable, Sendable, Hashable {
    public var userID: Int64
    /// `member` or `administrator`.
    public var status: MembershipStatus

    public init(userID: Int64, status: MembershipStatus = .member) {
        self.userID = userID
        self.status = status
    }

    enum CodingKeys: String, CodingKey {
        case status
        case userID = "user_id"
    }
}

/// A basic group upgraded to a supergroup: `POST /control/chats/{id}/migrate`.
public struct Migration: Codable, Sendable, Hashable {
    public var by: Int64?
    /// The supergroup's id; the simulator gives one when nil.
    public var newChatID: Int64?

    public init(by: Int64? = nil, newChatID: Int64? = nil) {
        self.by = by
        self.newChatID = newChatID
    }

    enum CodingKeys: String, CodingKey {
        case by
        case newChatID = "new_chat_id"
    }
}
