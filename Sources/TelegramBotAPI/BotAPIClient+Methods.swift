/// Typed calls, one per Bot API method the bot uses. Each builds a ``BotAPIRequest`` and sends
/// it with ``BotAPIClient/call(_:as:)``.
extension BotAPIClient {
    /// The bot's own user (checks the token).
    public func getMe() async throws(BotAPIError) -> User {
        try await call(.getMe)
    }

    /// Fetches updates, confirming every update below `offset`; waits up to `timeout` seconds
    /// for one to arrive. The request timeout is extended to cover the wait.
    public func getUpdates(
        offset: Int? = nil, limit: Int? = nil, timeout: Int = 0, allowedUpdates: [UpdateKind]? = nil
    ) async throws(BotAPIError) -> [Update] {
        try await call(
            .getUpdates(.init(offset: offset, limit: limit, timeout: timeout, allowedUpdates: allowedUpdates)))
    }

    /// Removes the webhook so `getUpdates` works.
    public func deleteWebhook(dropPendingUpdates: Bool = false) async throws(BotAPIError) {
        _ = try await call(.deleteWebhook(.init(dropPendingUpdates: dropPendingUpdates)), as: Bool.self)
    }

    /// Sets the command menu.
    public func setMyCommands(
        _ commands: [BotCommand], scope: BotCommandScope? = nil, languageCode: String? = nil
    ) async throws(BotAPIError) {
        _ = try await call(
            .setMyCommands(.init(commands: commands, scope: scope, languageCode: languageCode)), as: Bool.self)
    }

    /// Sends a text message and returns it as sent (its `messageID` identifies it later).
    public func sendMessage(
        chatID: Int64, text: String, parseMode: ParseMode? = nil, messageThreadID: Int? = nil,
        replyParameters: ReplyParameters? = nil, replyMarkup: ReplyMarkup? = nil,
        disableNotification: Bool = false, disableLinkPreview: Bool = false
    ) async throws(BotAPIError) -> Message {
        try await call(
            .sendMessage(
                .init(
                    chatID: chatID, text: text, parseMode: parseMode, messageThreadID: messageThreadID,
                    replyParameters: replyParameters, replyMarkup: replyMarkup,
                    disableNotification: disableNotification, disableLinkPreview: disableLinkPreview)))
    }

    /// Replaces the text and the buttons of a message in one call. `replyMarkup: nil`
    /// removes the buttons (Telegram's behaviour for an edit without `reply_markup`).
    public func editMessageText(
        chatID: Int64, messageID: Int, text: String, parseMode: ParseMode? = nil,
        replyMarkup: InlineKeyboardMarkup? = nil, disableLinkPreview: Bool = false
    ) async throws(BotAPIError) -> Message {
        try await call(
            .editMessageText(
                .init(
                    chatID: chatID, messageID: messageID, text: text, parseMode: parseMode,
                    replyMarkup: replyMarkup, disableLinkPreview: disableLinkPreview)))
    }

    /// Replaces only the buttons of a message; `nil` removes them.
    public func editMessageReplyMarkup(
        chatID: Int64, messageID: Int, replyMarkup: InlineKeyboardMarkup?
    ) async throws(BotAPIError) -> Message {
        try await call(.editMessageReplyMarkup(.init(chatID: chatID, messageID: messageID, replyMarkup: replyMarkup)))
    }

    /// Answers a button press: stops the spinner and optionally shows `text` (up to 200 characters).
    public func answerCallbackQuery(
        id: String, text: String? = nil, showAlert: Bool = false, cacheTime: Int? = nil
    ) async throws(BotAPIError) {
        _ = try await call(
            .answerCallbackQuery(.init(callbackQueryID: id, text: text, showAlert: showAlert, cacheTime: cacheTime)),
            as: Bool.self)
    }

    /// Pins a message (the bot needs the pin right in groups).
    public func pinChatMessage(chatID: Int64, messageID: Int, disableNotification: Bool = false) async throws(BotAPIError) {
        _ = try await call(
            .pinChatMessage(.init(chatID: chatID, messageID: messageID, disableNotification: disableNotification)),
            as: Bool.self)
    }

    /// Unpins a message, or the most recently pinned one when `messageID` is `nil`.
    public func unpinChatMessage(chatID: Int64, messageID: Int?) async throws(BotAPIError) {
        _ = try await call(.unpinChatMessage(.init(chatID: chatID, messageID: messageID)), as: Bool.self)
    }

    /// Deletes a message.
    public func deleteMessage(chatID: Int64, messageID: Int) async throws(BotAPIError) {
        _ = try await call(.deleteMessage(.init(chatID: chatID, messageID: messageID)), as: Bool.self)
    }

    /// A user's status and rights in a chat.
    public func getChatMember(chatID: Int64, userID: Int64) async throws(BotAPIError) -> ChatMember {
        try await call(.getChatMember(.init(chatID: chatID, userID: userID)))
    }

    /// The owner and administrators of a group.
    public func getChatAdministrators(chatID: Int64) async throws(BotAPIError) -> [ChatMember] {
        try await call(.getChatAdministrators(.init(chatID: chatID)))
    }
}
