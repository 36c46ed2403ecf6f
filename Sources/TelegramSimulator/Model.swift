import Foundation

/// A simulated Telegram user (a group member the tests or the chat page act as).
struct SimulatedUser: Sendable, Equatable {
    var id: Int
    var firstName: String
    var lastName: String?
    var username: String?
    var isBot = false
}

/// The kinds of chat the simulator knows.
enum ChatKind: String, Sendable {
    case group
    case supergroup
    case `private`

    /// How Telegram names the chat in 403 descriptions ("the group chat", "the supergroup chat").
    var describedAs: String {
        switch self {
        case .group: "group chat"
        case .supergroup: "supergroup chat"
        case .private: "private chat"
        }
    }
}

/// A member's standing in a chat, named as `ChatMember.status` names it.
enum MemberStatus: String, Sendable {
    case creator
    case administrator
    case member
    case left
    case kicked

    var isPresent: Bool { self == .creator || self == .administrator || self == .member }
}

/// The bot's standing in a group and the rights it was given.
struct BotMembership: Sendable, Equatable {
    var status: MemberStatus
    var canPinMessages: Bool
    var canDeleteMessages: Bool

    static let absent = BotMembership(status: .left, canPinMessages: false, canDeleteMessages: false)
}

/// One state of a message's content; a message keeps all of them, the last is current.
struct MessageRevision: Sendable, Equatable {
    var text: FormattedText
    /// The inline keyboard as a normalised InlineKeyboardMarkup object, if any.
    var inlineKeyboard: JSONValue?
    var date: Date
}

/// What a service message announces.
enum ServiceAction: Sendable, Equatable {
    case groupCreated
    case newChatMembers([Int])
    case leftChatMember(Int)
    case migrateToChatID(Int)
    case migrateFromChatID(Int)
    case pinnedMessage(Int)
}

/// A message in a simulated chat.
struct SimulatedMessage: Sendable {
    var id: Int
    var senderID: Int
    var date: Date
    var revisions: [MessageRevision]
    var replyToMessageID: Int?
    /// The ForceReply object the bot sent with the message, if any.
    var forceReply: JSONValue?
    var service: ServiceAction?
    var deletedAt: Date?
    var callbackQueryIDs: [String] = []
    /// Sent on behalf of a chat (an anonymous administrator as the group, or a channel);
    /// `senderID` is then Telegram's placeholder bot.
    var senderChat: SenderChat? = nil
    /// A photo, document or location; the text of the revisions is then the caption.
    var attachment: Attachment? = nil

    var current: MessageRevision { revisions[revisions.count - 1] }
    var isDeleted: Bool { deletedAt != nil }
    var editDate: Date? { revisions.count > 1 ? current.date : nil }
}

/// A simulated chat: a group, a supergroup, or a user's private chat with the bot.
struct SimulatedChat: Sendable {
    var id: Int
    var kind: ChatKind
    var title: String?
    var username: String?
    /// Members other than the bot, in the order they joined.
    var memberIDs: [Int] = []
    var memberStatus: [Int: MemberStatus] = [:]
    var bot: BotMembership
    var migratedToChatID: Int?
    var migratedFromChatID: Int?
    /// Messages by id; ids start at 1 and grow by one, so message `n` is at index `n - 1`.
    var messages: [SimulatedMessage] = []
    /// Pinned message ids, most recently pinned last.
    var pinnedMessageIDs: [Int] = []
    /// Private chats only: the user blocked the bot.
    var blockedByUser = false
    var chatInstance: String

    var nextMessageID: Int { messages.count + 1 }

    func message(_ id: Int) -> SimulatedMessage? {
        guard id >= 1, id <= messages.count else { return nil }
        return messages[id - 1]
    }

    /// A live (not deleted) message.
    func liveMessage(_ id: Int) -> SimulatedMessage? {
        message(id).flatMap { $0.isDeleted ? nil : $0 }
    }

    var isGroup: Bool { kind != .private }
}

/// A callback query created by a button press, and the bot's answer once it comes.
struct SimulatedCallbackQuery: Sendable {
    struct Answer: Sendable {
        var text: String?
        var showAlert: Bool
        var url: String?
        var cacheTime: Int?
        var date: Date
    }

    var id: String
    var chatID: Int
    var messageID: Int
    var fromID: Int
    var data: String?
    var date: Date
    var updateID: Int
    var answer: Answer?
}

/// An update waiting to be fetched with getUpdates, built when it happened.
struct PendingUpdate: Sendable {
    var id: Int
    /// When it happened (simulated time); Telegram keeps unconfirmed updates for 24 hours.
    var date: Date
    /// The update's kind, as `allowed_updates` names it (`message`, `callback_query`, ...).
    var kind: String
    var payload: JSONValue

    var json: JSONValue {
        guard case .object(var object) = payload else { return payload }
        object["update_id"] = .int(id)
        return .object(object)
    }
}

/// One Bot API call as the simulator saw it, for tests that check pacing.
struct CallRecord: Sendable {
    var sequence: Int
    var method: String
    var chatID: Int?
    var date: Date
    var errorCode: Int?
    var description: String?

    var json: JSONValue {
        var object: [String: JSONValue] = [
            "sequence": .int(sequence),
            "method": .string(method),
            "at": .double(date.timeIntervalSince1970),
            "ok": .bool(errorCode == nil),
        ]
        if let chatID { object["chat_id"] = .int(chatID) }
        if let errorCode { object["error_code"] = .int(errorCode) }
        if let description { object["description"] = .string(description) }
        return .object(object)
    }
}
