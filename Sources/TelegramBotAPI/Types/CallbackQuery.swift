/// A press on an inline keyboard button.
///
/// Every callback query must be answered (``BotAPIClient/answerCallbackQuery(id:text:showAlert:cacheTime:)``)
/// within about 150 seconds, or the client keeps showing a spinner and later answers fail
/// with ``BotAPIError/Kind/queryTooOld``.
public struct CallbackQuery: Sendable, Hashable, Decodable {
    public let id: String
    /// Who pressed the button.
    public let from: User
    /// The message with the button; possibly inaccessible (``Message/isInaccessible``), absent
    /// for messages sent in inline mode.
    public let message: Message?
    public let inlineMessageID: String?
    /// Identifies the chat the message was in, across bots.
    public let chatInstance: String
    /// The button's `callback_data`.
    public let data: String?

    public init(
        id: String, from: User, message: Message? = nil, inlineMessageID: String? = nil, chatInstance: String,
        data: String? = nil
    ) {
        self.id = id
        self.from = from
        self.message = message
        self.inlineMessageID = inlineMessageID
        self.chatInstance = chatInstance
        self.data = data
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, from, message
        case inlineMessageID = "inline_message_id"
        case chatInstance = "chat_instance"
        case data
    }
}
