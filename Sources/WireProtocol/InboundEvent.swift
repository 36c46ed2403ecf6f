import Foundation

/// A Telegram user as the bus carries it.
public struct UserRef: Codable, Sendable, Equatable, Hashable {
    public var id: Int64
    public var username: String?
    public var firstName: String
    public var lastName: String?

    public init(id: Int64, username: String? = nil, firstName: String, lastName: String? = nil) {
        self.id = id
        self.username = username
        self.firstName = firstName
        self.lastName = lastName
    }

    enum CodingKeys: String, CodingKey {
        case id, username, firstName = "first_name", lastName = "last_name"
    }
}

/// A chat as the bus carries it.
public struct WireChat: Codable, Sendable, Equatable, Hashable {
    public enum Kind: String, Codable, Sendable {
        case `private`, group, supergroup, channel
    }
    public var id: Int64
    public var kind: Kind
    public var title: String?

    public init(id: Int64, kind: Kind, title: String? = nil) {
        self.id = id
        self.kind = kind
        self.title = title
    }
}

/// The message a command replied to, which carries the problem's description.
public struct ReferencedMessage: Codable, Sendable, Equatable {
    public var messageID: Int64
    /// The message's text or, for media, its caption; nil when it has neither.
    public var text: String?
    public var from: UserRef?
    /// Its photo, document or location, if any.
    public var attachment: MessageAttachment?

    public init(messageID: Int64, text: String?, from: UserRef?, attachment: MessageAttachment? = nil) {
        self.messageID = messageID
        self.text = text
        self.from = from
        self.attachment = attachment
    }

    enum CodingKeys: String, CodingKey { case messageID = "message_id", text, from, attachment }
}

/// A normalized inbound Telegram update (gateway -> incidents). Idempotent by `updateID`.
public struct InboundEvent: Codable, Sendable, Equatable {
    public var updateID: Int64
    public var chat: WireChat
    /// Who acted (absent only for service events without a sender).
    public var from: UserRef?
    public var kind: Kind
    /// Set when the message was sent on behalf of a chat: an anonymous administrator (the group
    /// itself) or a channel. `from` is then Telegram's placeholder bot (GroupAnonymousBot,
    /// Channel_Bot), not a person. Absent for everything else (and from older gateways).
    public var senderChat: WireChat?
    /// Only on `/activate` commands in groups: whether Telegram (getChatMember) said the sender
    /// is the group's owner or an administrator; absent when it was not asked or could not tell.
    public var senderIsAdministrator: Bool?

    public init(
        updateID: Int64, chat: WireChat, from: UserRef?, kind: Kind, senderChat: WireChat? = nil,
        senderIsAdministrator: Bool? = nil
    ) {
        self.updateID = updateID
        self.chat = chat
        self.from = from
        self.kind = kind
        self.senderChat = senderChat
        self.senderIsAdministrator = senderIsAdministrator
    }

    /// What happened.
    public enum Kind: Codable, Sendable, Equatable {
        /// `/name` or `/name@Bot`, with its arguments, optionally replying to a message.
        case command(name: String, arguments: String, messageID: Int64, replyTo: ReferencedMessage?)
        /// A plain message replying to one of the bot's messages (a WireForceReply prompt).
        case reply(messageID: Int64, text: String, replyTo: ReferencedMessage)
        /// An inline button was pressed.
        case buttonPress(callbackQueryID: String, messageID: Int64?, data: String)
        /// The bot's membership in the chat changed.
        case botMembership(BotMembership)
        /// The group became a supergroup with a new id; `chat` names the old one.
        case chatMigrated(toChatID: Int64)
        /// A person's ordinary message in a group (text, or a caption): kept a few minutes so
        /// that `/new_issue` sent without a reply can take the reporter's last messages as the
        /// description.
        case message(messageID: Int64, text: String, attachment: MessageAttachment? = nil)
    }

    enum CodingKeys: String, CodingKey {
        case updateID = "update_id", chat, from, kind, senderChat = "sender_chat"
        case senderIsAdministrator = "sender_is_administrator"
    }
}

/// The bot's standing in a chat after a `my_chat_member` update.
public struct BotMembership: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        /// Added as a plain member.
        case member
        /// Promoted to administrator.
        case administrator
        /// Removed, kicked or banned.
        case removed
    }
    public var status: Status
    public var canPinMessages: Bool

    public init(status: Status, canPinMessages: Bool) {
        self.status = status
        self.canPinMessages = canPinMessages
    }

    enum CodingKeys: String, CodingKey { case status, canPinMessages = "can_pin_messages" }
}

/// incidents -> gateway: the event with this update id is durably processed (or was refused
/// for good); the gateway may confirm it to Telegram.
public struct Acknowledgement: Codable, Sendable, Equatable {
    public enum Outcome: String, Codable, Sendable {
        /// Applied now.
        case applied
        /// Applied before; nothing changed.
        case duplicate
        /// Could not be applied and never will be (recorded as processed so it is not retried).
        case rejected
    }
    public var updateID: Int64
    public var outcome: Outcome

    public init(updateID: Int64, outcome: Outcome) {
        self.updateID = updateID
        self.outcome = outcome
    }

    enum CodingKeys: String, CodingKey { case updateID = "update_id", outcome }
}

/// scheduler -> incidents: time to look at deadlines. Carries no state; losing one is harmless.
public struct SLATick: Codable, Sendable, Equatable {
    /// Counts up from 1 for each scheduler run; lets a receiver notice gaps in its log.
    public var sequence: Int64
    public var at: Date

    public init(sequence: Int64, at: Date) {
        self.sequence = sequence
        self.at = at
    }
}

/// sender -> incidents: "I am here and can take `credit` more intents". Sent on connect, after
/// results free capacity, and every heartbeat interval; a sender that stays silent for three
/// intervals is considered gone and its unanswered intents go to another sender. `session`
/// is new for every sender process: a new session from the same peer means the sender
/// restarted and lost whatever it held, so those intents are sent again.
public struct SenderReady: Codable, Sendable, Equatable {
    public var session: String
    public var credit: Int

    public init(session: String, credit: Int) {
        self.session = session
        self.credit = credit
    }
}
