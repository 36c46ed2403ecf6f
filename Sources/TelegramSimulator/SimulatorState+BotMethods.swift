import Foundation

/// The Bot API methods the simulator carries out (getUpdates lives in `Simulation`, since it waits).
extension SimulatorState {
    static let maximumTextLength = 4096
    static let maximumCallbackAnswerLength = 200
    static let callbackQueryLifetime: TimeInterval = 150

    /// Carries out one call whose parameters already passed the spec check.
    mutating func perform(_ method: String, _ p: BotAPIParameters, now: Date, spec: BotAPISpec) throws(BotAPIError) -> JSONValue {
        switch method {
        case "getMe": return getMe()
        case "logOut", "close": return true
        case "sendMessage": return try sendMessage(p, now: now, spec: spec)
        case "editMessageText": return try editMessageText(p, now: now, spec: spec)
        case "editMessageReplyMarkup": return try editMessageReplyMarkup(p, now: now, spec: spec)
        case "answerCallbackQuery": return try answerCallbackQuery(p, now: now)
        case "pinChatMessage": return try pinChatMessage(p, now: now)
        case "unpinChatMessage": return try unpinChatMessage(p)
        case "unpinAllChatMessages": return try unpinAllChatMessages(p)
        case "deleteMessage": return try deleteMessages(p, ids: [p.int("message_id")], single: true, now: now)
        case "deleteMessages":
            let ids = (p.json("message_ids")?.arrayValue ?? []).map(\.intValue)
            return try deleteMessages(p, ids: ids, single: false, now: now)
        case "getChat": return try getChat(p)
        case "getChatMember": return try getChatMember(p)
        case "getChatAdministrators": return try getChatAdministrators(p)
        case "getChatMemberCount": return try getChatMemberCount(p)
        case "leaveChat": return try leaveChat(p, now: now)
        case "sendChatAction":
            _ = try writableChat(p)
            return true
        case "setMyCommands": return try setMyCommands(p, spec: spec)
        case "getMyCommands": return commands[commandScopeKey(p)] ?? .array([])
        case "deleteMyCommands":
            commands[commandScopeKey(p)] = nil
            return true
        case "deleteWebhook":
            if p.bool("drop_pending_updates") { updates.removeAll() }
            markChanged()
            return true
        case "getWebhookInfo":
            return ["url": "", "has_custom_certificate": false, "pending_update_count": .int(updates.count)]
        default:
            throw .notSimulated(method)
        }
    }

    // MARK: Identity

    func getMe() -> JSONValue {
        guard case .object(var object) = userJSON(botUser.id) else { return .null }
        object["can_join_groups"] = true
        object["can_read_all_group_messages"] = .bool(!privacyMode)
        object["supports_inline_queries"] = false
        object["can_connect_to_business"] = false
        object["has_main_web_app"] = false
        return .object(object)
    }

    // MARK: Chats

    /// The chat named by `chat_id` if the bot may act in it, or the error Telegram gives.
    func writableChat(_ p: BotAPIParameters) throws(BotAPIError) -> SimulatedChat {
        guard let raw = p.value("chat_id") else { throw .badRequest("chat_id is empty") }
        guard let id = chatID(for: raw) else { throw .chatNotFound }
        guard let chat = chats[id] else {
            // A known user who never opened a private chat with the bot.
            if users[id] != nil { throw .forbidden("bot can't initiate conversation with a user") }
            throw .chatNotFound
        }
        if let newID = chat.migratedToChatID { throw .upgraded(to: newID) }
        if chat.kind == .private {
            if chat.blockedByUser { throw .forbidden("bot was blocked by the user") }
            return chat
        }
        switch chat.bot.status {
        case .kicked: throw .forbidden("bot was kicked from the \(chat.kind.describedAs)")
        case .left: throw .forbidden("bot is not a member of the \(chat.kind.describedAs)")
        case .creator, .administrator, .member: return chat
        }
    }

    func getChat(_ p: BotAPIParameters) throws(BotAPIError) -> JSONValue {
        let chat = try writableChat(p)
        guard case .object(var object) = chatJSON(chat) else { return .null }
        object["accent_color_id"] = 0
        object["max_reaction_count"] = 11
        object["accepted_gift_types"] = [
            "unlimited_gifts": false, "limited_gifts": false, "unique_gifts": false,
            "premium_subscription": false, "gifts_from_channels": false,
        ]
        if let pinnedID = chat.pinnedMessageIDs.last, let pinned = chat.liveMessage(pinnedID) {
            object["pinned_message"] = messageJSON(chat, pinned, nested: true)
        }
        if chat.isGroup {
            object["permissions"] = [
                "can_send_messages": true, "can_pin_messages": .bool(chat.kind == .group),
                "can_invite_users": true, "can_change_info": false,
            ]
        }
        return .object(object)
    }

    func getChatMember(_ p: BotAPIParameters) throws(BotAPIError) -> JSONValue {
        let chat = try writableChat(p)
        guard let userID = p.int("user_id"), user(userID) != nil else { throw .userNotFound }
        if chat.kind == .private {
            return userID == chat.id || userID == botUser.id
                ? ["status": "member", "user": userJSON(userID)] : ["status": "left", "user": userJSON(userID)]
        }
        return chatMemberJSON(chat, userID: userID)
    }

    func getChatAdministrators(_ p: BotAPIParameters) throws(BotAPIError) -> JSONValue {
        let chat = try writableChat(p)
        guard chat.isGroup else { return .array([]) }
        var administrators = chat.memberIDs.filter {
            chat.memberStatus[$0] == .creator || chat.memberStatus[$0] == .administrator
        }
        if chat.bot.status == .administrator { administrators.append(botUser.id) }
        return .array(administrators.map { chatMemberJSON(chat, userID: $0) })
    }

    func getChatMemberCount(_ p: BotAPIParameters) throws(BotAPIError) -> JSONValue {
        let chat = try writableChat(p)
        guard chat.isGroup else { return 2 }
        let people = chat.memberIDs.filter { chat.memberStatus[$0]?.isPresent == true }.count
        return .int(people + (chat.bot.status.isPresent ? 1 : 0))
    }

    mutating func leaveChat(_ p: BotAPIParameters, now: Date) throws(BotAPIError) -> JSONValue {
        let chat = try writableChat(p)
        guard chat.isGroup else { throw .badRequest("chat member status can't be changed in private chats") }
        changeBotMembership(chatID: chat.id, to: .absent, by: botUser.id, now: now)
        return true
    }

    // MARK: Sending

    mutating func sendMessage(_ p: BotAPIParameters, now: Date, spec: BotAPISpec) throws(BotAPIError) -> JSONValue {
        let text = try formattedText(p)
        let markup = try replyMarkup(p, spec: spec)
        var chat = try writableChat(p)
        let replyTo = try replyTarget(p, in: chat)
        let message = SimulatedMessage(
            id: chat.nextMessageID,
            senderID: botUser.id,
            date: now,
            revisions: [MessageRevision(text: text, inlineKeyboard: markup.inlineKeyboard, date: now)],
            replyToMessageID: replyTo,
            forceReply: markup.forceReply
        )
        chat.messages.append(message)
        chats[chat.id] = chat
        markChanged()
        return messageJSON(chat, message)
    }

    /// The message a send replies to: `reply_parameters.message_id` or the older `reply_to_message_id`.
    func replyTarget(_ p: BotAPIParameters, in chat: SimulatedChat) throws(BotAPIError) -> Int? {
        var target: Int?
        var allowWithout = p.bool("allow_sending_without_reply")
        if let parameters = p.json("reply_parameters") {
            guard let id = parameters["message_id"]?.intValue else {
                throw .badRequest("can't parse reply parameters JSON object")
            }
            if let otherChat = parameters["chat_id"], chatID(for: otherChat) != chat.id {
                throw .badRequest("cross-chat replies are not simulated")
            }
            target = id
            allowWithout = parameters["allow_sending_without_reply"]?.boolValue ?? allowWithout
        } else if let id = p.int("reply_to_message_id") {
            target = id
        }
        guard let target else { return nil }
        guard chat.liveMessage(target) != nil else {
            if allowWithout { return nil }
            throw .replyNotFound
        }
        return target
    }

    /// Text after applying `parse_mode` (or `entities`), checked against Telegram's limits.
    func formattedText(_ p: BotAPIParameters) throws(BotAPIError) -> FormattedText {
        let raw = p.string("text") ?? ""
        var formatted: FormattedText
        switch p.string("parse_mode") {
        case nil:
            formatted = FormattedText(text: raw, entities: [])
            if let entities = p.json("entities") {
                guard let list = entities.arrayValue else { throw .badRequest("can't parse entities JSON object") }
                let length = raw.utf16.count
                formatted.entities = try list.map { item throws(BotAPIError) in
                    guard let entity = MessageEntity(json: item), entity.offset + entity.length <= length else {
                        throw .badRequest("can't parse entities: entity is out of the text bounds")
                    }
                    return entity
                }
            }
        case let mode? where mode.lowercased() == "html":
            switch TelegramHTML.parse(raw) {
            case .success(let parsed): formatted = parsed
            case .failure(let error): throw .badRequest("can't parse entities: \(error.reason)")
            }
        case let mode? where ["markdown", "markdownv2"].contains(mode.lowercased()):
            throw .notSimulated("parse_mode \(mode)")
        case .some:
            throw .badRequest("unsupported parse_mode")
        }
        if formatted.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw .messageTextEmpty }
        if formatted.length > Self.maximumTextLength { throw .messageTooLong }
        return formatted
    }

    /// `reply_markup` split into what the simulator keeps: an inline keyboard or a ForceReply.
    func replyMarkup(_ p: BotAPIParameters, spec: BotAPISpec, inlineOnly: Bool = false) throws(BotAPIError)
        -> (inlineKeyboard: JSONValue?, forceReply: JSONValue?)
    {
        guard p.value("reply_markup") != nil else { return (nil, nil) }
        let unparsable = BotAPIError.badRequest(
            inlineOnly ? "can't parse inline keyboard markup JSON object" : "can't parse reply keyboard markup JSON object"
        )
        guard let raw = p.json("reply_markup"), raw.objectValue != nil else { throw unparsable }
        if raw["inline_keyboard"] != nil {
            guard spec.problems(raw, as: ["InlineKeyboardMarkup"], path: "reply_markup", strictness: .request).isEmpty else {
                throw unparsable
            }
            let keyboard = spec.normalized(raw, as: ["InlineKeyboardMarkup"])
            for row in keyboard["inline_keyboard"]?.arrayValue ?? [] {
                for button in row.arrayValue ?? [] {
                    try checkButton(button)
                }
            }
            // An empty keyboard shows nothing, as an absent one.
            let rows = keyboard["inline_keyboard"]?.arrayValue ?? []
            return (rows.allSatisfy { $0.arrayValue?.isEmpty ?? true } ? nil : keyboard, nil)
        }
        if inlineOnly { throw unparsable }
        for type in ["ForceReply", "ReplyKeyboardMarkup", "ReplyKeyboardRemove"]
        where spec.problems(raw, as: [type], path: "reply_markup", strictness: .request).isEmpty {
            return (nil, type == "ForceReply" ? spec.normalized(raw, as: [type]) : nil)
        }
        throw unparsable
    }

    private func checkButton(_ button: JSONValue) throws(BotAPIError) {
        guard let text = button["text"]?.stringValue, !text.isEmpty else { throw .badRequest("BUTTON_TEXT_EMPTY") }
        let actions = ["url", "callback_data", "web_app", "login_url", "switch_inline_query",
                       "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
                       "callback_game", "pay"]
        let present = actions.filter { button[$0] != nil }
        guard present.count == 1 else {
            throw .badRequest("can't parse inline keyboard button: exactly one of the optional fields must be used")
        }
        if let data = button["callback_data"]?.stringValue {
            let bytes = data.utf8.count
            guard bytes >= 1, bytes <= 64 else { throw .badRequest("BUTTON_DATA_INVALID") }
        }
    }

    // MARK: Editing

    /// The bot's own live message named by `chat_id` and `message_id`.
    func editableMessage(_ p: BotAPIParameters) throws(BotAPIError) -> (SimulatedChat, SimulatedMessage) {
        if p.value("inline_message_id") != nil, p.value("chat_id") == nil { throw .badRequest("MESSAGE_ID_INVALID") }
        let chat = try writableChat(p)
        guard let messageID = p.int("message_id") else { throw .badRequest("message identifier is not specified") }
        guard let message = chat.liveMessage(messageID) else { throw .messageToEditNotFound }
        guard message.senderID == botUser.id, message.service == nil else { throw .messageCantBeEdited }
        return (chat, message)
    }

    mutating func editMessageText(_ p: BotAPIParameters, now: Date, spec: BotAPISpec) throws(BotAPIError) -> JSONValue {
        let text = try formattedText(p)
        let markup = try replyMarkup(p, spec: spec, inlineOnly: true)
        let (chat, message) = try editableMessage(p)
        return try applyEdit(chat, message, text: text, inlineKeyboard: markup.inlineKeyboard, now: now)
    }

    mutating func editMessageReplyMarkup(_ p: BotAPIParameters, now: Date, spec: BotAPISpec) throws(BotAPIError) -> JSONValue {
        let markup = try replyMarkup(p, spec: spec, inlineOnly: true)
        let (chat, message) = try editableMessage(p)
        return try applyEdit(chat, message, text: message.current.text, inlineKeyboard: markup.inlineKeyboard, now: now)
    }

    /// Records a new revision, or refuses an edit that changes nothing, as Telegram does.
    private mutating func applyEdit(
        _ chat: SimulatedChat, _ message: SimulatedMessage, text: FormattedText, inlineKeyboard: JSONValue?, now: Date
    ) throws(BotAPIError) -> JSONValue {
        let current = message.current
        guard current.text != text || current.inlineKeyboard != inlineKeyboard else { throw .notModified }
        var chat = chat
        chat.messages[message.id - 1].revisions.append(MessageRevision(text: text, inlineKeyboard: inlineKeyboard, date: now))
        chats[chat.id] = chat
        markChanged()
        return messageJSON(chat, chat.messages[message.id - 1])
    }

    // MARK: Callback queries

    mutating func answerCallbackQuery(_ p: BotAPIParameters, now: Date) throws(BotAPIError) -> JSONValue {
        guard let id = p.string("callback_query_id"), var query = callbackQueries[id], query.answer == nil,
              now.timeIntervalSince(query.date) <= Self.callbackQueryLifetime
        else { throw .queryTooOld }
        let text = p.string("text")
        if let text, text.count > Self.maximumCallbackAnswerLength { throw .badRequest("MESSAGE_TOO_LONG") }
        query.answer = .init(
            text: text, showAlert: p.bool("show_alert"), url: p.string("url"),
            cacheTime: p.int("cache_time"), date: now
        )
        callbackQueries[id] = query
        markChanged()
        return true
    }

    // MARK: Pinning

    private func requirePinRight(_ chat: SimulatedChat) throws(BotAPIError) {
        guard chat.kind == .private || (chat.bot.status == .administrator && chat.bot.canPinMessages) else {
            throw .notEnoughRightsToPin
        }
    }

    mutating func pinChatMessage(_ p: BotAPIParameters, now: Date) throws(BotAPIError) -> JSONValue {
        var chat = try writableChat(p)
        try requirePinRight(chat)
        guard let messageID = p.int("message_id"), let message = chat.liveMessage(messageID), message.service == nil else {
            throw .messageToPinNotFound
        }
        chat.pinnedMessageIDs.removeAll { $0 == message.id }
        chat.pinnedMessageIDs.append(message.id)
        chat.messages.append(SimulatedMessage(
            id: chat.nextMessageID, senderID: botUser.id, date: now,
            revisions: [MessageRevision(text: FormattedText(text: "", entities: []), inlineKeyboard: nil, date: now)],
            service: .pinnedMessage(message.id)
        ))
        chats[chat.id] = chat
        markChanged()
        return true
    }

    mutating func unpinChatMessage(_ p: BotAPIParameters) throws(BotAPIError) -> JSONValue {
        var chat = try writableChat(p)
        try requirePinRight(chat)
        if let messageID = p.int("message_id") {
            guard chat.pinnedMessageIDs.contains(messageID), chat.liveMessage(messageID) != nil else {
                throw .messageToUnpinNotFound
            }
            chat.pinnedMessageIDs.removeAll { $0 == messageID }
        } else if !chat.pinnedMessageIDs.isEmpty {
            chat.pinnedMessageIDs.removeLast()
        }
        chats[chat.id] = chat
        markChanged()
        return true
    }

    mutating func unpinAllChatMessages(_ p: BotAPIParameters) throws(BotAPIError) -> JSONValue {
        var chat = try writableChat(p)
        try requirePinRight(chat)
        chat.pinnedMessageIDs.removeAll()
        chats[chat.id] = chat
        markChanged()
        return true
    }

    // MARK: Deleting

    mutating func deleteMessages(_ p: BotAPIParameters, ids: [Int?], single: Bool, now: Date) throws(BotAPIError) -> JSONValue {
        var chat = try writableChat(p)
        var deletedAny = false
        for case let id? in ids {
            guard let message = chat.liveMessage(id) else {
                if single { throw .messageToDeleteNotFound }
                continue
            }
            let ownMessage = message.senderID == botUser.id
            let mayDeleteOthers = chat.kind == .private || (chat.bot.status == .administrator && chat.bot.canDeleteMessages)
            guard ownMessage || mayDeleteOthers else {
                if single { throw .messageCantBeDeleted }
                continue
            }
            chat.messages[id - 1].deletedAt = now
            chat.pinnedMessageIDs.removeAll { $0 == id }
            deletedAny = true
        }
        if single, ids.first.flatMap({ $0 }) == nil { throw .messageToDeleteNotFound }
        guard deletedAny || single else { throw .badRequest("message to delete not found") }
        chats[chat.id] = chat
        markChanged()
        return true
    }

    // MARK: Commands

    private func commandScopeKey(_ p: BotAPIParameters) -> String {
        let scope = p.json("scope")?.serializedString ?? "{\"type\":\"default\"}"
        return scope + "|" + (p.string("language_code") ?? "")
    }

    mutating func setMyCommands(_ p: BotAPIParameters, spec: BotAPISpec) throws(BotAPIError) -> JSONValue {
        guard let list = p.json("commands").map({ spec.normalized($0, as: ["Array of BotCommand"]) })?.arrayValue else {
            throw .badRequest("can't parse commands JSON object")
        }
        guard list.count <= 100 else { throw .badRequest("too many commands") }
        for command in list {
            let name = command["command"]?.stringValue ?? ""
            let description = command["description"]?.stringValue ?? ""
            let validName = (1...32).contains(name.count)
                && name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
            guard validName else { throw .badRequest("BOT_COMMAND_INVALID") }
            guard (1...256).contains(description.count) else { throw .badRequest("command description must be 1-256 characters") }
        }
        commands[commandScopeKey(p)] = .array(list)
        markChanged()
        return true
    }
}
