import Foundation

/// A user's status and rights in a chat (`getChatMember`, `getChatAdministrators`, and the
/// old/new states of a ``ChatMemberUpdated``).
///
/// Telegram sends one of six shapes keyed by `status`; they are decoded into one struct whose
/// rights are `nil` where that shape does not carry them.
public struct ChatMember: Sendable, Hashable, Decodable {
    /// A struct so a status Telegram adds later still decodes.
    public struct Status: RawRepresentable, Sendable, Hashable, Decodable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The owner.
        public static let creator = Status(rawValue: "creator")
        public static let administrator = Status(rawValue: "administrator")
        public static let member = Status(rawValue: "member")
        /// Limited by an admin; may or may not still be in the chat (``ChatMember/isMember``).
        public static let restricted = Status(rawValue: "restricted")
        /// Not in the chat (left, or never joined).
        public static let left = Status(rawValue: "left")
        /// Banned (removed by an admin).
        public static let kicked = Status(rawValue: "kicked")

        public var description: String { rawValue }
    }

    public let status: Status
    public let user: User
    /// Owner and administrators: hidden as the group itself.
    public let isAnonymous: Bool?
    public let customTitle: String?
    public let canManageChat: Bool?
    public let canDeleteMessages: Bool?
    public let canRestrictMembers: Bool?
    public let canPromoteMembers: Bool?
    public let canChangeInfo: Bool?
    public let canInviteUsers: Bool?
    public let canPinMessages: Bool?
    /// Restricted members only: still in the chat.
    public let isMember: Bool?
    /// Restricted or banned until this time; `nil` if forever or not applicable.
    public let untilDate: Date?

    public init(
        status: Status, user: User, isAnonymous: Bool? = nil, customTitle: String? = nil,
        canManageChat: Bool? = nil, canDeleteMessages: Bool? = nil, canRestrictMembers: Bool? = nil,
        canPromoteMembers: Bool? = nil, canChangeInfo: Bool? = nil, canInviteUsers: Bool? = nil,
        canPinMessages: Bool? = nil, isMember: Bool? = nil, untilDate: Date? = nil
    ) {
        self.status = status
        self.user = user
        self.isAnonymous = isAnonymous
        self.customTitle = customTitle
        self.canManageChat = canManageChat
        self.canDeleteMessages = canDeleteMessages
        self.canRestrictMembers = canRestrictMembers
        self.canPromoteMembers = canPromoteMembers
        self.canChangeInfo = canChangeInfo
        self.canInviteUsers = canInviteUsers
        self.canPinMessages = canPinMessages
        self.isMember = isMember
        self.untilDate = untilDate
    }

    /// The user is currently in the chat (owner, admin, member, or restricted but present).
    public var isPresent: Bool {
        switch status {
        case .creator, .administrator, .member: true
        case .restricted: isMember ?? false
        default: false
        }
    }

    /// The user is the owner or an administrator.
    public var isAdministrator: Bool { status == .creator || status == .administrator }

    /// The user may pin messages: the owner always; others only with the explicit right.
    /// (Ordinary members of a group whose default permissions allow pinning report `false`
    /// here, as their member record does not carry that right.)
    public var mayPinMessages: Bool {
        status == .creator || (isPresent && canPinMessages == true)
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case status, user
        case isAnonymous = "is_anonymous"
        case customTitle = "custom_title"
        case canManageChat = "can_manage_chat"
        case canDeleteMessages = "can_delete_messages"
        case canRestrictMembers = "can_restrict_members"
        case canPromoteMembers = "can_promote_members"
        case canChangeInfo = "can_change_info"
        case canInviteUsers = "can_invite_users"
        case canPinMessages = "can_pin_messages"
        case isMember = "is_member"
        case untilDate = "until_date"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        status = try c.decode(Status.self, forKey: .status)
        user = try c.decode(User.self, forKey: .user)
        isAnonymous = try c.decodeIfPresent(Bool.self, forKey: .isAnonymous)
        customTitle = try c.decodeIfPresent(String.self, forKey: .customTitle)
        canManageChat = try c.decodeIfPresent(Bool.self, forKey: .canManageChat)
        canDeleteMessages = try c.decodeIfPresent(Bool.self, forKey: .canDeleteMessages)
        canRestrictMembers = try c.decodeIfPresent(Bool.self, forKey: .canRestrictMembers)
        canPromoteMembers = try c.decodeIfPresent(Bool.self, forKey: .canPromoteMembers)
        canChangeInfo = try c.decodeIfPresent(Bool.self, forKey: .canChangeInfo)
        canInviteUsers = try c.decodeIfPresent(Bool.self, forKey: .canInviteUsers)
        canPinMessages = try c.decodeIfPresent(Bool.self, forKey: .canPinMessages)
        isMember = try c.decodeIfPresent(Bool.self, forKey: .isMember)
        // 0 means "forever" (or does not apply).
        let until = try c.decodeIfPresent(Int64.self, forKey: .untilDate) ?? 0
        untilDate = until > 0 ? Date(timeIntervalSince1970: TimeInterval(until)) : nil
    }
}

extension ChatMember.Status {
    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }
}

/// A change of someone's membership in a chat: `my_chat_member` for the bot itself (added,
/// promoted, kicked), `chat_member` for others (needs admin rights and `allowed_updates`).
public struct ChatMemberUpdated: Sendable, Hashable, Decodable {
    public let chat: Chat
    /// Who made the change.
    public let from: User
    public let date: Date
    public let oldChatMember: ChatMember
    public let newChatMember: ChatMember

    public init(chat: Chat, from: User, date: Date, oldChatMember: ChatMember, newChatMember: ChatMember) {
        self.chat = chat
        self.from = from
        self.date = date
        self.oldChatMember = oldChatMember
        self.newChatMember = newChatMember
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case chat, from, date
        case oldChatMember = "old_chat_member"
        case newChatMember = "new_chat_member"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        chat = try c.decode(Chat.self, forKey: .chat)
        from = try c.decode(User.self, forKey: .from)
        date = Date(timeIntervalSince1970: TimeInterval(try c.decode(Int64.self, forKey: .date)))
        oldChatMember = try c.decode(ChatMember.self, forKey: .oldChatMember)
        newChatMember = try c.decode(ChatMember.self, forKey: .newChatMember)
    }
}
