import Foundation

/// One Bot API call as a value: which method, with which parameters.
///
/// Every call the client makes goes through a `BotAPIRequest`, so a request can be built in
/// one place (the sender's intent translation), carried as data, inspected (``chatID`` for
/// per-chat pacing) and checked against the published Bot API description in tests.
public enum BotAPIRequest: Sendable, Hashable {
    case getMe
    case getUpdates(GetUpdates)
    case deleteWebhook(DeleteWebhook)
    case setMyCommands(SetMyCommands)
    case sendMessage(SendMessage)
    case editMessageText(EditMessageText)
    case editMessageReplyMarkup(EditMessageReplyMarkup)
    case answerCallbackQuery(AnswerCallbackQuery)
    case pinChatMessage(PinChatMessage)
    case unpinChatMessage(UnpinChatMessage)
    case deleteMessage(DeleteMessage)
    case getChatMember(GetChatMember)
    case getChatAdministrators(GetChatAdministrators)

    /// The Bot API method this request calls.
    public var method: BotAPIMethod {
        switch self {
        case .getMe: .getMe
        case .getUpdates: .getUpdates
        case .deleteWebhook: .deleteWebhook
        case .setMyCommands: .setMyCommands
        case .sendMessage: .sendMessage
        case .editMessageText: .editMessageText
        case .editMessageReplyMarkup: .editMessageReplyMarkup
        case .answerCallbackQuery: .answerCallbackQuery
        case .pinChatMessage: .pinChatMessage
        case .unpinChatMessage: .unpinChatMessage
        case .deleteMessage: .deleteMessage
        case .getChatMember: .getChatMember
        case .getChatAdministrators: .getChatAdministrators
        }
    }

    /// The chat the request writes to or reads from, if any (for per-chat rate limits).
    public var chatID: Int64? {
        switch self {
        case .getMe, .getUpdates, .deleteWebhook, .answerCallbackQuery: nil
        case .setMyCommands(let p):
            switch p.scope {
            case .chat(let id), .chatAdministrators(let id), .chatMember(let id, _): id
            default: nil
            }
        case .sendMessage(let p): p.chatID
        case .editMessageText(let p): p.chatID
        case .editMessageReplyMarkup(let p): p.chatID
        case .pinChatMessage(let p): p.chatID
        case .unpinChatMessage(let p): p.chatID
        case .deleteMessage(let p): p.chatID
        case .getChatMember(let p): p.chatID
        case .getChatAdministrators(let p): p.chatID
        }
    }

    /// The shape of the `result` Telegram answers this request with.
    public var resultShape: BotAPIResult.Shape {
        switch self {
        case .getMe: .user
        case .getUpdates: .updates
        case .sendMessage, .editMessageText, .editMessageReplyMarkup: .message
        case .getChatMember: .chatMember
        case .getChatAdministrators: .chatMembers
        case .deleteWebhook, .setMyCommands, .answerCallbackQuery, .pinChatMessage, .unpinChatMessage,
            .deleteMessage:
            .done
        }
    }

    /// The JSON body sent to Telegram: the parameters with Telegram's field names, absent
    /// options left out.
    public func jsonBody() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        switch self {
        case .getMe: return Data("{}".utf8)
        case .getUpdates(let p): return try encoder.encode(p)
        case .deleteWebhook(let p): return try encoder.encode(p)
        case .setMyCommands(let p): return try encoder.encode(p)
        case .sendMessage(let p): return try encoder.encode(p)
        case .editMessageText(let p): return try encoder.encode(p)
        case .editMessageReplyMarkup(let p): return try encoder.encode(p)
        case .answerCallbackQuery(let p): return try encoder.encode(p)
        case .pinChatMessage(let p): return try encoder.encode(p)
        case .unpinChatMessage(let p): return try encoder.encode(p)
        case .deleteMessage(let p): return try encoder.encode(p)
        case .getChatMember(let p): return try encoder.encode(p)
        case .getChatAdministrators(let p): return try encoder.encode(p)
        }
    }

    /// How long to wait for the answer: the long-poll wait plus a margin for `getUpdates`,
    /// the ordinary request timeout for everything else.
    func timeout(ordinary: Duration, longPollMargin: Duration) -> Duration {
        guard case .getUpdates(let p) = self, p.timeout > 0 else { return ordinary }
        return max(ordinary, .seconds(p.timeout) + longPollMargin)
    }
}
