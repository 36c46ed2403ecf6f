/// How Telegram parses entities in a message text.
public enum ParseMode: String, Sendable, Hashable, Encodable {
    /// `parse_mode: "HTML"`: every `<`, `>` and `&` that is not markup must be escaped.
    case html = "HTML"
    case markdownV2 = "MarkdownV2"
}

/// Which message a sent message answers (`reply_parameters`).
public struct ReplyParameters: Sendable, Hashable, Encodable {
    /// The message to reply to.
    public var messageID: Int
    /// The chat of that message, when it is not the chat the message is sent to.
    public var chatID: Int64?
    /// Send anyway (as a plain message) if the message to reply to is gone.
    public var allowSendingWithoutReply: Bool

    public init(messageID: Int, chatID: Int64? = nil, allowSendingWithoutReply: Bool = false) {
        self.messageID = messageID
        self.chatID = chatID
        self.allowSendingWithoutReply = allowSendingWithoutReply
    }

    private enum CodingKeys: String, CodingKey {
        case messageID = "message_id"
        case chatID = "chat_id"
        case allowSendingWithoutReply = "allow_sending_without_reply"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(messageID, forKey: .messageID)
        try c.encodeIfPresent(chatID, forKey: .chatID)
        if allowSendingWithoutReply { try c.encode(true, forKey: .allowSendingWithoutReply) }
    }
}

/// A button under a message.
public struct InlineKeyboardButton: Sendable, Hashable, Encodable {
    /// What pressing the button does.
    public enum Action: Sendable, Hashable {
        /// Sends a callback query carrying this data (1 to 64 bytes) to the bot.
        case callbackData(String)
        /// Opens a URL (`https://`, `tg://`).
        case url(String)
    }

    /// The label on the button.
    public var text: String
    public var action: Action

    public init(text: String, action: Action) {
        self.text = text
        self.action = action
    }

    /// A button that sends `data` back to the bot as a callback query.
    public static func callback(_ text: String, data: String) -> Self {
        Self(text: text, action: .callbackData(data))
    }

    /// A button that opens `url`.
    public static func link(_ text: String, url: String) -> Self {
        Self(text: text, action: .url(url))
    }

    private enum CodingKeys: String, CodingKey {
        case text
        case callbackData = "callback_data"
        case url
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(text, forKey: .text)
        switch action {
        case .callbackData(let data): try c.encode(data, forKey: .callbackData)
        case .url(let url): try c.encode(url, forKey: .url)
        }
    }
}

/// Rows of buttons attached to a message.
public struct InlineKeyboardMarkup: Sendable, Hashable, Encodable {
    public var rows: [[InlineKeyboardButton]]

    public init(rows: [[InlineKeyboardButton]]) {
        self.rows = rows
    }

    private enum CodingKeys: String, CodingKey {
        case rows = "inline_keyboard"
    }
}

/// Asks the client to open a reply to the bot's message, as if the user had chosen "Reply".
public struct ForceReply: Sendable, Hashable, Encodable {
    /// Only the users mentioned in the text (and the sender of the replied-to message) see it.
    public var selective: Bool
    /// Placeholder shown in the input field (1 to 64 characters).
    public var inputFieldPlaceholder: String?

    public init(selective: Bool = false, inputFieldPlaceholder: String? = nil) {
        self.selective = selective
        self.inputFieldPlaceholder = inputFieldPlaceholder
    }

    private enum CodingKeys: String, CodingKey {
        case forceReply = "force_reply"
        case selective
        case inputFieldPlaceholder = "input_field_placeholder"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(true, forKey: .forceReply)
        if selective { try c.encode(true, forKey: .selective) }
        try c.encodeIfPresent(inputFieldPlaceholder, forKey: .inputFieldPlaceholder)
    }
}

/// The `reply_markup` of a sent message: buttons under it, or a forced reply.
public enum ReplyMarkup: Sendable, Hashable, Encodable {
    case inlineKeyboard(InlineKeyboardMarkup)
    case forceReply(ForceReply)

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .inlineKeyboard(let markup): try markup.encode(to: encoder)
        case .forceReply(let forceReply): try forceReply.encode(to: encoder)
        }
    }
}

/// A command shown in the client's command menu (`/command`, without the slash here).
public struct BotCommand: Sendable, Hashable, Encodable {
    /// 1 to 32 characters: lowercase letters, digits and underscores.
    public var command: String
    /// 1 to 256 characters.
    public var description: String

    public init(command: String, description: String) {
        self.command = command
        self.description = description
    }
}

/// Who sees a set of commands.
public enum BotCommandScope: Sendable, Hashable, Encodable {
    case `default`
    case allPrivateChats
    case allGroupChats
    case allChatAdministrators
    case chat(chatID: Int64)
    case chatAdministrators(chatID: Int64)
    case chatMember(chatID: Int64, userID: Int64)

    private enum CodingKeys: String, CodingKey {
        case type
        case chatID = "chat_id"
        case userID = "user_id"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .default:
            try c.encode("default", forKey: .type)
        case .allPrivateChats:
            try c.encode("all_private_chats", forKey: .type)
        case .allGroupChats:
            try c.encode("all_group_chats", forKey: .type)
        case .allChatAdministrators:
            try c.encode("all_chat_administrators", forKey: .type)
        case .chat(let chatID):
            try c.encode("chat", forKey: .type)
            try c.encode(chatID, forKey: .chatID)
        case .chatAdministrators(let chatID):
            try c.encode("chat_administrators", forKey: .type)
            try c.encode(chatID, forKey: .chatID)
        case .chatMember(let chatID, let userID):
            try c.encode("chat_member", forKey: .type)
            try c.encode(chatID, forKey: .chatID)
            try c.encode(userID, forKey: .userID)
        }
    }
}

/// The kinds of update a bot can ask `getUpdates` for (`allowed_updates`).
///
/// Only the kinds this client decodes; see ``Update/Content``.
public enum UpdateKind: String, Sendable, Hashable, CaseIterable, Encodable {
    case message
    case editedMessage = "edited_message"
    case callbackQuery = "callback_query"
    case myChatMember = "my_chat_member"
    case chatMember = "chat_member"
}
