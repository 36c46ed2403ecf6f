/// The Bot API methods this client can call, by their exact Telegram names.
public enum BotAPIMethod: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case getMe
    case getUpdates
    case deleteWebhook
    case setMyCommands
    case sendMessage
    case editMessageText
    case editMessageReplyMarkup
    case answerCallbackQuery
    case pinChatMessage
    case unpinChatMessage
    case deleteMessage
    case getChatMember
    case getChatAdministrators

    public var description: String { rawValue }
}
