import TelegramBotAPI
import WireProtocol

/// Turns an outbound intent into the Bot API request that carries it out.
enum IntentTranslation {
    /// Why an intent cannot become a request; reported as `rejected`.
    struct Untranslatable: Error, Equatable {
        let description: String
    }

    /// The message an action targets, if it targets one.
    static func target(of action: OutboundIntent.Action) -> MessageTarget? {
        switch action {
        case .sendMessage, .answerCallback: nil
        case .editMessage(let target, _, _), .editKeyboard(let target, _), .pin(let target, _),
            .unpin(let target), .delete(let target):
            target
        }
    }

    /// The request for `intent`, sent to `intent.chatID`. `messageID` is the resolved id of the
    /// target (the intent's own `.message(id)` or the id a `sentBy` send produced).
    static func request(for intent: OutboundIntent, messageID: Int64?) throws(Untranslatable) -> BotAPIRequest {
        let chatID = intent.chatID
        func target() throws(Untranslatable) -> Int {
            guard let messageID, let id = Int(exactly: messageID), id > 0 else {
                throw Untranslatable(description: "no valid target message id")
            }
            return id
        }
        switch intent.action {
        case .sendMessage(let message):
            var replyParameters: ReplyParameters?
            if let replyTo = message.replyToMessageID {
                guard let id = Int(exactly: replyTo), id > 0 else {
                    throw Untranslatable(description: "invalid reply_to_message_id \(replyTo)")
                }
                // If the message replied to is gone, the card is still worth sending.
                replyParameters = ReplyParameters(messageID: id, allowSendingWithoutReply: true)
            }
            let markup: ReplyMarkup?
            if let forceReply = message.forceReply {
                // Telegram takes one reply_markup: a prompt asking for a reply has no buttons.
                markup = .forceReply(
                    ForceReply(selective: forceReply.selective, inputFieldPlaceholder: forceReply.placeholder))
            } else {
                markup = keyboard(message.keyboard).map(ReplyMarkup.inlineKeyboard)
            }
            return .sendMessage(
                .init(
                    chatID: chatID, text: message.text, parseMode: .html, replyParameters: replyParameters,
                    replyMarkup: markup, disableNotification: message.disableNotification,
                    disableLinkPreview: true))
        case .editMessage(_, let text, let buttons):
            return .editMessageText(
                .init(
                    chatID: chatID, messageID: try target(), text: text, parseMode: .html,
                    replyMarkup: keyboard(buttons), disableLinkPreview: true))
        case .editKeyboard(_, let buttons):
            return .editMessageReplyMarkup(.init(chatID: chatID, messageID: try target(), replyMarkup: keyboard(buttons)))
        case .answerCallback(let queryID, let text, let showAlert):
            return .answerCallbackQuery(.init(callbackQueryID: queryID, text: text, showAlert: showAlert))
        case .pin(_, let disableNotification):
            return .pinChatMessage(.init(chatID: chatID, messageID: try target(), disableNotification: disableNotification))
        case .unpin:
            return .unpinChatMessage(.init(chatID: chatID, messageID: try target()))
        case .delete:
            return .deleteMessage(.init(chatID: chatID, messageID: try target()))
        }
    }

    /// Inline buttons; no rows means no keyboard (an edit without one removes the buttons).
    static func keyboard(_ rows: [[WireButton]]) -> InlineKeyboardMarkup? {
        let rows = rows.filter { !$0.isEmpty }
        guard !rows.isEmpty else { return nil }
        return InlineKeyboardMarkup(rows: rows.map { row in row.map { .callback($0.text, data: $0.callbackData) } })
    }
}

extension OutboundIntent.Action {
    /// Edits are what a coalescing key can supersede.
    var isEdit: Bool {
        switch self {
        case .editMessage, .editKeyboard: true
        default: false
        }
    }

    var isCallbackAnswer: Bool {
        if case .answerCallback = self { return true }
        return false
    }
}
