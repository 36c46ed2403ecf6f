import Foundation

/// The control API's views of the simulated world (not Bot API objects: these show what a
/// person in the chat would see, plus what tests need to check).
extension SimulatorState {
    func userSummary(_ id: Int) -> JSONValue {
        guard let user = user(id) else { return ["id": .int(id)] }
        return JSONValue.object([
            "id": .int(user.id),
            "first_name": .string(user.firstName),
            "last_name": user.lastName.map(JSONValue.string) ?? .null,
            "username": user.username.map(JSONValue.string) ?? .null,
            "is_bot": .bool(user.isBot),
        ].withoutNulls)
    }

    func chatSummary(_ chat: SimulatedChat) -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .int(chat.id),
            "type": .string(chat.kind.rawValue),
            "title": .string(chat.title ?? users[chat.id]?.firstName ?? ""),
            "bot": [
                "status": .string(chat.bot.status.rawValue),
                "can_pin_messages": .bool(chat.bot.canPinMessages),
                "can_delete_messages": .bool(chat.bot.canDeleteMessages),
            ],
            "members": .array(chat.memberIDs.compactMap { id in
                guard case .object(var user) = userSummary(id) else { return nil }
                user["status"] = .string((chat.memberStatus[id] ?? .left).rawValue)
                return .object(user)
            }),
            "message_count": .int(chat.messages.count),
            "pinned_message_ids": .array(chat.pinnedMessageIDs.map(JSONValue.int)),
        ]
        if let username = chat.username { object["username"] = .string(username) }
        if let to = chat.migratedToChatID { object["migrated_to_chat_id"] = .int(to) }
        if let from = chat.migratedFromChatID { object["migrated_from_chat_id"] = .int(from) }
        if chat.kind == .private { object["blocked_by_user"] = .bool(chat.blockedByUser) }
        if let top = chat.pinnedMessageIDs.last { object["pinned_message_id"] = .int(top) }
        return .object(object)
    }

    /// A chat with every message: current text and formatting, buttons, reply-to, pinned and
    /// deleted state, edit history and callback queries with their answers.
    func transcript(_ chatID: Int) -> JSONValue? {
        guard let chat = chats[chatID], case .object(var object) = chatSummary(chat) else { return nil }
        object["messages"] = .array(chat.messages.map { transcriptEntry(chat, $0) })
        object["version"] = .int(version)
        return .object(object)
    }

    private func revisionJSON(_ revision: MessageRevision) -> [String: JSONValue] {
        var object: [String: JSONValue] = [
            "text": .string(revision.text.text),
            "html": .string(TelegramHTML.render(revision.text)),
            "entities": .array(revision.text.entities.map { entity in
                guard case .object(var object) = entity.json(user: nil) else { return .null }
                if let userID = entity.userID { object["user_id"] = .int(userID) }
                return .object(object)
            }),
            "date": .int(Int(revision.date.timeIntervalSince1970)),
        ]
        if let keyboard = revision.inlineKeyboard {
            object["buttons"] = .array((keyboard["inline_keyboard"]?.arrayValue ?? []).map { row in
                .array((row.arrayValue ?? []).map { button in
                    JSONValue.object([
                        "text": button["text"] ?? "",
                        "callback_data": button["callback_data"] ?? .null,
                        "url": button["url"] ?? .null,
                    ].withoutNulls)
                })
            })
        }
        return object
    }

    private func transcriptEntry(_ chat: SimulatedChat, _ message: SimulatedMessage) -> JSONValue {
        var object = revisionJSON(message.current)
        object["message_id"] = .int(message.id)
        object["date"] = .int(Int(message.date.timeIntervalSince1970))
        object["from"] = userSummary(message.senderID)
        object["pinned"] = .bool(chat.pinnedMessageIDs.contains(message.id))
        object["deleted"] = .bool(message.isDeleted)
        if object["buttons"] == nil { object["buttons"] = .array([]) }
        if let reply = message.replyToMessageID { object["reply_to_message_id"] = .int(reply) }
        if let forceReply = message.forceReply { object["force_reply"] = forceReply }
        if let editDate = message.editDate {
            object["edit_date"] = .int(Int(editDate.timeIntervalSince1970))
            object["revisions"] = .array(message.revisions.map { .object(revisionJSON($0)) })
        }
        if let service = message.service {
            object["service"] = serviceJSON(service)
            object["text"] = .string(serviceDescription(service, sender: message.senderID))
            object["html"] = .string(TelegramHTML.escape(serviceDescription(service, sender: message.senderID)))
        }
        if let senderChat = message.senderChat { object["sender_chat"] = senderChat.json }
        if let attachment = message.attachment {
            // The same fields the bot sees (photo, document, location; the caption stays in `text`).
            var media: [String: JSONValue] = [:]
            attachment.add(to: &media, caption: FormattedText(text: "", entities: []), entityJSON: { _ in .null })
            for (key, value) in media { object[key] = value }
        }
        object["callback_queries"] = .array(message.callbackQueryIDs.compactMap { callbackQueries[$0].map(callbackJSON) })
        return .object(object)
    }

    func callbackJSON(_ query: SimulatedCallbackQuery) -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(query.id),
            "chat_id": .int(query.chatID),
            "message_id": .int(query.messageID),
            "from": userSummary(query.fromID),
            "date": .int(Int(query.date.timeIntervalSince1970)),
            "update_id": .int(query.updateID),
            "answered": .bool(query.answer != nil),
        ]
        if let data = query.data { object["data"] = .string(data) }
        if let answer = query.answer {
            object["answer"] = JSONValue.object([
                "text": answer.text.map(JSONValue.string) ?? .null,
                "show_alert": .bool(answer.showAlert),
                "url": answer.url.map(JSONValue.string) ?? .null,
                "cache_time": answer.cacheTime.map(JSONValue.int) ?? .null,
                "date": .int(Int(answer.date.timeIntervalSince1970)),
            ].withoutNulls)
        }
        return .object(object)
    }

    private func serviceJSON(_ service: ServiceAction) -> JSONValue {
        switch service {
        case .groupCreated: ["kind": "group_chat_created"]
        case .newChatMembers(let ids): ["kind": "new_chat_members", "user_ids": .array(ids.map(JSONValue.int))]
        case .leftChatMember(let id): ["kind": "left_chat_member", "user_id": .int(id)]
        case .migrateToChatID(let id): ["kind": "migrate_to_chat_id", "chat_id": .int(id)]
        case .migrateFromChatID(let id): ["kind": "migrate_from_chat_id", "chat_id": .int(id)]
        case .pinnedMessage(let id): ["kind": "pinned_message", "message_id": .int(id)]
        }
    }

    private func serviceDescription(_ service: ServiceAction, sender: Int) -> String {
        let name = user(sender)?.firstName ?? "Someone"
        switch service {
        case .groupCreated: return "\(name) created the group"
        case .newChatMembers(let ids):
            let names = ids.map { user($0)?.firstName ?? String($0) }.joined(separator: ", ")
            return ids == [sender] ? "\(name) joined the group" : "\(name) added \(names)"
        case .leftChatMember(let id):
            return id == sender ? "\(name) left the group" : "\(name) removed \(user(id)?.firstName ?? String(id))"
        case .migrateToChatID(let id): return "The group was upgraded to a supergroup (\(id))"
        case .migrateFromChatID(let id): return "Upgraded from the group \(id)"
        case .pinnedMessage(let id): return "\(name) pinned message \(id)"
        }
    }

    func stateSummary(settingsJSON: JSONValue) -> JSONValue {
        [
            "bot": userSummary(botUser.id),
            "version": .int(version),
            "privacy_mode": .bool(privacyMode),
            "limits": settingsJSON,
            "users": .array(userOrder.map { userSummary($0) }),
            "chats": .array(chatOrder.compactMap { chats[$0].map(chatSummary) }),
            "pending_update_count": .int(updates.count),
            "next_update_id": .int(nextUpdateID),
        ]
    }
}
