import Foundation

/// One inline button: a label and the callback data it carries (1-64 bytes).
public struct WireButton: Codable, Sendable, Equatable, Hashable {
    public var text: String
    public var callbackData: String

    public init(text: String, callbackData: String) {
        self.text = text
        self.callbackData = callbackData
    }

    enum CodingKeys: String, CodingKey { case text, callbackData = "callback_data" }
}

/// Which message an edit, pin or delete targets.
public enum MessageTarget: Codable, Sendable, Equatable, Hashable {
    /// A message whose id is known.
    case message(id: Int64)
    /// The message that intent `intentID` sent; the sender waits for its id.
    case sentBy(intentID: Int64)
}

/// incidents -> sender: one Telegram call, decided and recorded in the outbox.
///
/// `id` is unique and increasing in decision order (the incident service derives it from the
/// outbox row id, docs/protocol.md "Intent ids"). The sender reports an `IntentResult` with the
/// same id; until it does, the incident service re-sends the intent.
public struct OutboundIntent: Codable, Sendable, Equatable {
    public var id: Int64
    public var chatID: Int64
    public var action: Action
    /// Edits with the same key supersede each other: only the newest waiting one is sent.
    public var coalescingKey: String?

    public init(id: Int64, chatID: Int64, action: Action, coalescingKey: String? = nil) {
        self.id = id
        self.chatID = chatID
        self.action = action
        self.coalescingKey = coalescingKey
    }

    /// The Telegram call.
    public enum Action: Codable, Sendable, Equatable {
        case sendMessage(SendMessage)
        case editMessage(target: MessageTarget, text: String, keyboard: [[WireButton]])
        case editKeyboard(target: MessageTarget, keyboard: [[WireButton]])
        case answerCallback(callbackQueryID: String, text: String?, showAlert: Bool)
        case pin(target: MessageTarget, disableNotification: Bool)
        case unpin(target: MessageTarget)
        case delete(target: MessageTarget)
    }

    /// True for calls that count against a chat's message budget.
    public var countsAgainstChatBudget: Bool {
        if case .answerCallback = action { return false }
        return true
    }

    enum CodingKeys: String, CodingKey { case id, chatID = "chat_id", action, coalescingKey = "coalescing_key" }
}

/// A message to send, HTML parse mode.
public struct SendMessage: Codable, Sendable, Equatable {
    public var text: String
    public var replyToMessageID: Int64?
    public var keyboard: [[WireButton]]
    /// Ask the client to open a reply (selective: only for the mentioned/replied user).
    public var forceReply: WireForceReply?
    public var disableNotification: Bool

    public init(
        text: String, replyToMessageID: Int64? = nil, keyboard: [[WireButton]] = [],
        forceReply: WireForceReply? = nil, disableNotification: Bool = false
    ) {
        self.text = text
        self.replyToMessageID = replyToMessageID
        self.keyboard = keyboard
        self.forceReply = forceReply
        self.disableNotification = disableNotification
    }

    enum CodingKeys: String, CodingKey {
        case text, replyToMessageID = "reply_to_message_id", keyboard
        case forceReply = "force_reply", disableNotification = "disable_notification"
    }
}

/// Telegram's WireForceReply markup.
public struct WireForceReply: Codable, Sendable, Equatable {
    public var selective: Bool
    public var placeholder: String?

    public init(selective: Bool = true, placeholder: String? = nil) {
        self.selective = selective
        self.placeholder = placeholder
    }
}

/// sender -> incidents: what became of an intent.
public struct IntentResult: Codable, Sendable, Equatable {
    public var intentID: Int64
    public var chatID: Int64
    public var outcome: Outcome

    public init(intentID: Int64, chatID: Int64, outcome: Outcome) {
        self.intentID = intentID
        self.chatID = chatID
        self.outcome = outcome
    }

    /// The classified result of the call.
    public enum Outcome: Codable, Sendable, Equatable {
        /// Done; `messageID` is the id of a sent message.
        case delivered(messageID: Int64?)
        /// Telegram said "message is not modified": nothing to do, counts as done.
        case notModified
        /// A newer edit with the same coalescing key replaced this one before it was sent.
        case superseded
        /// The message to edit/pin is gone: the incident service should post the card again.
        case messageNotFound
        /// The bot may not pin in this chat.
        case notEnoughRights
        /// The bot was removed from the chat or blocked: stop sending there.
        case forbidden(description: String)
        /// The group moved; the sender also retries on the new id.
        case chatMigrated(newChatID: Int64)
        /// The callback query expired; the action itself still stands.
        case queryTooOld
        /// A request Telegram refused for good (a bug on our side); not retried.
        case rejected(description: String)
        /// Retryable failures persisted past the attempt budget.
        case gaveUp(description: String)
    }

    enum CodingKeys: String, CodingKey { case intentID = "intent_id", chatID = "chat_id", outcome }
}
