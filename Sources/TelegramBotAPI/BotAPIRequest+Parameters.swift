/// The parameters of each request, encoded with Telegram's field names; options left at
/// their defaults are not sent.
extension BotAPIRequest {
    /// `getUpdates`: fetch (and, through `offset`, confirm) updates, long-polling up to `timeout`.
    public struct GetUpdates: Sendable, Hashable, Encodable {
        /// One more than the last update id already handled; confirms everything below it.
        public var offset: Int?
        /// 1 to 100; Telegram's default is 100.
        public var limit: Int?
        /// Long-poll wait in seconds (0 for a short poll; Telegram caps it at 50).
        public var timeout: Int
        /// Only these kinds of update; `nil` keeps the previous setting.
        public var allowedUpdates: [UpdateKind]?

        public init(offset: Int? = nil, limit: Int? = nil, timeout: Int = 0, allowedUpdates: [UpdateKind]? = nil) {
            self.offset = offset
            self.limit = limit
            self.timeout = timeout
            self.allowedUpdates = allowedUpdates
        }

        private enum CodingKeys: String, CodingKey {
            case offset, limit, timeout
            case allowedUpdates = "allowed_updates"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeIfPresent(offset, forKey: .offset)
            try c.encodeIfPresent(limit, forKey: .limit)
            if timeout > 0 { try c.encode(timeout, forKey: .timeout) }
            try c.encodeIfPresent(allowedUpdates, forKey: .allowedUpdates)
        }
    }

    /// `deleteWebhook`: switch the bot to polling.
    public struct DeleteWebhook: Sendable, Hashable, Encodable {
        /// Also throw away the updates waiting to be fetched.
        public var dropPendingUpdates: Bool

        public init(dropPendingUpdates: Bool = false) {
            self.dropPendingUpdates = dropPendingUpdates
        }

        private enum CodingKeys: String, CodingKey {
            case dropPendingUpdates = "drop_pending_updates"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            if dropPendingUpdates { try c.encode(true, forKey: .dropPendingUpdates) }
        }
    }

    /// `setMyCommands`: the command menu for a scope and language.
    public struct SetMyCommands: Sendable, Hashable, Encodable {
        public var commands: [BotCommand]
        /// `nil` means Telegram's default scope.
        public var scope: BotCommandScope?
        /// Two-letter ISO 639-1 code; `nil` for every language without its own list.
        public var languageCode: String?

        public init(commands: [BotCommand], scope: BotCommandScope? = nil, languageCode: String? = nil) {
            self.commands = commands
            self.scope = scope
            self.languageCode = languageCode
        }

        private enum CodingKeys: String, CodingKey {
            case commands, scope
            case languageCode = "language_code"
        }
    }

    /// `sendMessage`.
    public struct SendMessage: Sendable, Hashable, Encodable {
        public var chatID: Int64
        /// 1 to 4096 characters after entity parsing.
        public var text: String
        public var parseMode: ParseMode?
        /// The forum topic to post in.
        public var messageThreadID: Int?
        public var replyParameters: ReplyParameters?
        public var replyMarkup: ReplyMarkup?
        /// Deliver silently (no sound on the recipients' devices).
        public var disableNotification: Bool
        /// Do not show a preview for the first link in the text.
        public var disableLinkPreview: Bool

        public init(
            chatID: Int64, text: String, parseMode: ParseMode? = nil, messageThreadID: Int? = nil,
            replyParameters: ReplyParameters? = nil, replyMarkup: ReplyMarkup? = nil,
            disableNotification: Bool = false, disableLinkPreview: Bool = false
        ) {
            self.chatID = chatID
            self.text = text
            self.parseMode = parseMode
            self.messageThreadID = messageThreadID
            self.replyParameters = replyParameters
            self.replyMarkup = replyMarkup
            self.disableNotification = disableNotification
            self.disableLinkPreview = disableLinkPreview
        }

        private enum CodingKeys: String, CodingKey {
            case chatID = "chat_id"
            case text
            case parseMode = "parse_mode"
            case messageThreadID = "message_thread_id"
            case replyParameters = "reply_parameters"
            case replyMarkup = "reply_markup"
            case disableNotification = "disable_notification"
            case linkPreviewOptions = "link_preview_options"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(chatID, forKey: .chatID)
            try c.encode(text, forKey: .text)
            try c.encodeIfPresent(parseMode, forKey: .parseMode)
            try c.encodeIfPresent(messageThreadID, forKey: .messageThreadID)
            try c.encodeIfPresent(replyParameters, forKey: .replyParameters)
            try c.encodeIfPresent(replyMarkup, forKey: .replyMarkup)
            if disableNotification { try c.encode(true, forKey: .disableNotification) }
            if disableLinkPreview { try c.encode(LinkPreviewDisabled(), forKey: .linkPreviewOptions) }
        }
    }

    /// `editMessageText`: new text and new buttons in one call.
    ///
    /// Telegram removes the buttons of a message whose text is edited without `reply_markup`,
    /// so `replyMarkup == nil` means "no buttons any more", not "keep the buttons".
    public struct EditMessageText: Sendable, Hashable, Encodable {
        public var chatID: Int64
        public var messageID: Int
        public var text: String
        public var parseMode: ParseMode?
        public var replyMarkup: InlineKeyboardMarkup?
        public var disableLinkPreview: Bool

        public init(
            chatID: Int64, messageID: Int, text: String, parseMode: ParseMode? = nil,
            replyMarkup: InlineKeyboardMarkup? = nil, disableLinkPreview: Bool = false
        ) {
            self.chatID = chatID
            self.messageID = messageID
            self.text = text
            self.parseMode = parseMode
            self.replyMarkup = replyMarkup
            self.disableLinkPreview = disableLinkPreview
        }

        private enum CodingKeys: String, CodingKey {
            case chatID = "chat_id"
            case messageID = "message_id"
            case text
            case parseMode = "parse_mode"
            case replyMarkup = "reply_markup"
            case linkPreviewOptions = "link_preview_options"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(chatID, forKey: .chatID)
            try c.encode(messageID, forKey: .messageID)
            try c.encode(text, forKey: .text)
            try c.encodeIfPresent(parseMode, forKey: .parseMode)
            try c.encodeIfPresent(replyMarkup, forKey: .replyMarkup)
            if disableLinkPreview { try c.encode(LinkPreviewDisabled(), forKey: .linkPreviewOptions) }
        }
    }

    /// `editMessageReplyMarkup`: replace the buttons of a message; `nil` removes them.
    public struct EditMessageReplyMarkup: Sendable, Hashable, Encodable {
        public var chatID: Int64
        public var messageID: Int
        public var replyMarkup: InlineKeyboardMarkup?

        public init(chatID: Int64, messageID: Int, replyMarkup: InlineKeyboardMarkup?) {
            self.chatID = chatID
            self.messageID = messageID
            self.replyMarkup = replyMarkup
        }

        private enum CodingKeys: String, CodingKey {
            case chatID = "chat_id"
            case messageID = "message_id"
            case replyMarkup = "reply_markup"
        }
    }

    /// `answerCallbackQuery`: stop the client's spinner, optionally with a notice.
    public struct AnswerCallbackQuery: Sendable, Hashable, Encodable {
        public var callbackQueryID: String
        /// Up to 200 characters; `nil` answers silently.
        public var text: String?
        /// Show `text` as a dialog the user must dismiss instead of a passing notice.
        public var showAlert: Bool
        /// Seconds the client may cache the answer.
        public var cacheTime: Int?

        public init(callbackQueryID: String, text: String? = nil, showAlert: Bool = false, cacheTime: Int? = nil) {
            self.callbackQueryID = callbackQueryID
            self.text = text
            self.showAlert = showAlert
            self.cacheTime = cacheTime
        }

        private enum CodingKeys: String, CodingKey {
            case callbackQueryID = "callback_query_id"
            case text
            case showAlert = "show_alert"
            case cacheTime = "cache_time"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(callbackQueryID, forKey: .callbackQueryID)
            try c.encodeIfPresent(text, forKey: .text)
            if showAlert { try c.encode(true, forKey: .showAlert) }
            try c.encodeIfPresent(cacheTime, forKey: .cacheTime)
        }
    }

    /// `pinChatMessage`: needs the pin right in groups.
    public struct PinChatMessage: Sendable, Hashable, Encodable {
        public var chatID: Int64
        public var messageID: Int
        /// Pin without notifying the members.
        public var disableNotification: Bool

        public init(chatID: Int64, messageID: Int, disableNotification: Bool = false) {
            self.chatID = chatID
            self.messageID = messageID
            self.disableNotification = disableNotification
        }

        private enum CodingKeys: String, CodingKey {
            case chatID = "chat_id"
            case messageID = "message_id"
            case disableNotification = "disable_notification"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(chatID, forKey: .chatID)
            try c.encode(messageID, forKey: .messageID)
            if disableNotification { try c.encode(true, forKey: .disableNotification) }
        }
    }

    /// `unpinChatMessage`: unpin one message, or the most recent pin when `messageID` is nil.
    public struct UnpinChatMessage: Sendable, Hashable, Encodable {
        public var chatID: Int64
        public var messageID: Int?

        public init(chatID: Int64, messageID: Int?) {
            self.chatID = chatID
            self.messageID = messageID
        }

        private enum CodingKeys: String, CodingKey {
            case chatID = "chat_id"
            case messageID = "message_id"
        }
    }

    /// `deleteMessage`.
    public struct DeleteMessage: Sendable, Hashable, Encodable {
        public var chatID: Int64
        public var messageID: Int

        public init(chatID: Int64, messageID: Int) {
            self.chatID = chatID
            self.messageID = messageID
        }

        private enum CodingKeys: String, CodingKey {
            case chatID = "chat_id"
            case messageID = "message_id"
        }
    }

    /// `getChatMember`: one user's status and rights in a chat.
    public struct GetChatMember: Sendable, Hashable, Encodable {
        public var chatID: Int64
        public var userID: Int64

        public init(chatID: Int64, userID: Int64) {
            self.chatID = chatID
            self.userID = userID
        }

        private enum CodingKeys: String, CodingKey {
            case chatID = "chat_id"
            case userID = "user_id"
        }
    }

    /// `getChatAdministrators`: the administrators of a group (bots other than this one excluded).
    public struct GetChatAdministrators: Sendable, Hashable, Encodable {
        public var chatID: Int64

        public init(chatID: Int64) {
            self.chatID = chatID
        }

        private enum CodingKeys: String, CodingKey {
            case chatID = "chat_id"
        }
    }
}

/// `link_preview_options` with only `is_disabled: true`.
private struct LinkPreviewDisabled: Encodable {
    private enum CodingKeys: String, CodingKey {
        case isDisabled = "is_disabled"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(true, forKey: .isDisabled)
    }
}
