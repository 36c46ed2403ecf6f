import TelegramBotAPI

/// Every request shape the client can build: for each method the barest request and one with
/// every option set, and every variant of the nested markup and scope types.
enum RequestSamples {
    static let keyboard = InlineKeyboardMarkup(rows: [
        [.callback("Claim", data: "claim:12"), .link("Open", url: "https://example.com/incidents/12")],
        [.callback("Resolve ✅", data: "resolve:12")],
    ])

    static let commands = [
        BotCommand(command: "new_issue", description: "Report an issue (reply to the message)"),
        BotCommand(command: "help", description: "What the bot does"),
    ]

    static let scopes: [BotCommandScope] = [
        .default, .allPrivateChats, .allGroupChats, .allChatAdministrators, .chat(chatID: -1_001_234_567_890),
        .chatAdministrators(chatID: -1_001_234_567_890), .chatMember(chatID: -1_001_234_567_890, userID: 42),
    ]

    static let all: [BotAPIRequest] =
        [
            .getMe,
            .getUpdates(.init()),
            .getUpdates(.init(offset: 900_011, limit: 100, timeout: 30, allowedUpdates: UpdateKind.allCases)),
            .deleteWebhook(.init()),
            .deleteWebhook(.init(dropPendingUpdates: true)),
            .setMyCommands(.init(commands: commands)),
            .setMyCommands(.init(commands: commands, scope: .allGroupChats, languageCode: "en")),
        ]
        + scopes.map { .setMyCommands(.init(commands: commands, scope: $0)) }
        + [
            .sendMessage(.init(chatID: -1_001_234_567_890, text: "plain")),
            .sendMessage(
                .init(
                    chatID: -1_001_234_567_890, text: "<b>Incident #12</b> &amp; more", parseMode: .html,
                    messageThreadID: 7,
                    replyParameters: .init(messageID: 480, chatID: -1_001_234_567_890, allowSendingWithoutReply: true),
                    replyMarkup: .inlineKeyboard(keyboard), disableNotification: true, disableLinkPreview: true)),
            .sendMessage(
                .init(
                    chatID: -1_001_234_567_890, text: "Reply with a summary", parseMode: .markdownV2,
                    replyParameters: .init(messageID: 503),
                    replyMarkup: .forceReply(.init(selective: true, inputFieldPlaceholder: "What fixed it?")))),
            .sendMessage(.init(chatID: 42, text: "x", replyMarkup: .forceReply(.init()))),
            .editMessageText(.init(chatID: -1_001_234_567_890, messageID: 503, text: "closed")),
            .editMessageText(
                .init(
                    chatID: -1_001_234_567_890, messageID: 503, text: "<i>claimed</i>", parseMode: .html,
                    replyMarkup: keyboard, disableLinkPreview: true)),
            .editMessageReplyMarkup(.init(chatID: -1_001_234_567_890, messageID: 503, replyMarkup: nil)),
            .editMessageReplyMarkup(.init(chatID: -1_001_234_567_890, messageID: 503, replyMarkup: keyboard)),
            .answerCallbackQuery(.init(callbackQueryID: "4382bfdwdsb323b2d9")),
            .answerCallbackQuery(
                .init(callbackQueryID: "4382bfdwdsb323b2d9", text: "Only Maintenance can claim", showAlert: true, cacheTime: 5)),
            .pinChatMessage(.init(chatID: -1_001_234_567_890, messageID: 503)),
            .pinChatMessage(.init(chatID: -1_001_234_567_890, messageID: 503, disableNotification: true)),
            .unpinChatMessage(.init(chatID: -1_001_234_567_890, messageID: nil)),
            .unpinChatMessage(.init(chatID: -1_001_234_567_890, messageID: 503)),
            .deleteMessage(.init(chatID: -1_001_234_567_890, messageID: 503)),
            .getChatMember(.init(chatID: -1_001_234_567_890, userID: 42)),
            .getChatAdministrators(.init(chatID: -1_001_234_567_890)),
        ]

    /// A name for each scope case; the exhaustive switch makes a new case a compile error here.
    static func name(_ scope: BotCommandScope) -> String {
        switch scope {
        case .default: "default"
        case .allPrivateChats: "all_private_chats"
        case .allGroupChats: "all_group_chats"
        case .allChatAdministrators: "all_chat_administrators"
        case .chat: "chat"
        case .chatAdministrators: "chat_administrators"
        case .chatMember: "chat_member"
        }
    }

    static let allScopeNames: Set<String> = [
        "default", "all_private_chats", "all_group_chats", "all_chat_administrators", "chat", "chat_administrators",
        "chat_member",
    ]

    /// A name for each reply markup case (exhaustive, like ``name(_:)-scope``).
    static func name(_ markup: ReplyMarkup) -> String {
        switch markup {
        case .inlineKeyboard: "inline_keyboard"
        case .forceReply: "force_reply"
        }
    }

    static let allReplyMarkupNames: Set<String> = ["inline_keyboard", "force_reply"]

    /// A name for each button action (exhaustive).
    static func name(_ action: InlineKeyboardButton.Action) -> String {
        switch action {
        case .callbackData: "callback_data"
        case .url: "url"
        }
    }

    static let allButtonActionNames: Set<String> = ["callback_data", "url"]
}
