import Foundation

/// What people write: in groups and in private, whether the bot gets it (privacy mode), and the
/// entities Telegram finds in what they typed.
extension SimulatorState {
    /// A person writes in a group, optionally replying; the bot gets it if Telegram would send it.
    /// `identity` posts as an anonymous administrator or as a channel (`sender_chat`);
    /// `attachment` makes it a photo or document (`text` is then the caption, may be empty) or a
    /// location (no text).
    mutating func postUserMessage(
        chatID: Int, fromID: Int, text: String, replyTo: Int?, now: Date,
        identity: PostingIdentity = .person, attachment: Attachment? = nil
    ) throws(ControlError) -> (SimulatedMessage, Int?) {
        var chat = try requireChat(chatID)
        _ = try requireUser(fromID)
        guard chat.migratedToChatID == nil else {
            throw .badRequest("chat \(chatID) was upgraded to supergroup \(chat.migratedToChatID ?? 0)")
        }
        if chat.isGroup {
            guard chat.memberStatus[fromID]?.isPresent == true else { throw .badRequest("user \(fromID) is not a member of chat \(chatID)") }
        } else {
            guard chat.id == fromID else { throw .badRequest("only user \(chat.id) writes in this private chat") }
        }
        switch attachment {
        case nil:
            guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, text.utf16.count <= Self.maximumTextLength else {
                throw .badRequest("text must be 1-4096 characters")
            }
        case .location:
            guard text.isEmpty else { throw .badRequest("a location has no text or caption") }
        case .photo, .document:
            guard text.utf16.count <= Self.maximumCaptionLength else { throw .badRequest("caption must be at most 1024 characters") }
        }
        var senderID = fromID
        var senderChat: SenderChat?
        switch identity {
        case .person:
            break
        case .anonymousAdministrator:
            guard chat.isGroup, [.creator, .administrator].contains(chat.memberStatus[fromID]) else {
                throw .badRequest("only an administrator of a group can post anonymously")
            }
            senderID = SenderChat.groupAnonymousBot.id
            senderChat = SenderChat(id: chat.id, type: chat.kind.rawValue, title: chat.title, username: chat.username)
        case .channel(let id, let title, let username):
            guard chat.isGroup else { throw .badRequest("only group messages can be sent as a channel") }
            guard id < -1_000_000_000_000 else { throw .badRequest("a channel id looks like -100xxxxxxxxxx") }
            senderID = SenderChat.channelBot.id
            senderChat = SenderChat(id: id, type: "channel", title: title, username: username)
        }
        if let replyTo { guard chat.liveMessage(replyTo) != nil else { throw .notFound("message \(replyTo) not found in chat \(chatID)") } }
        let message = SimulatedMessage(
            id: chat.nextMessageID, senderID: senderID, date: now,
            revisions: [MessageRevision(text: FormattedText(text: text, entities: Self.detectEntities(text)), inlineKeyboard: nil, date: now)],
            replyToMessageID: replyTo, senderChat: senderChat, attachment: attachment
        )
        chat.messages.append(message)
        chats[chatID] = chat
        markChanged()
        var updateID: Int?
        if botReceives(message, in: chat) {
            updateID = enqueueUpdate(kind: "message", payload: messageJSON(chat, message))
        }
        return (message, updateID)
    }

    /// A person writes to the bot in private, opening the private chat (and unblocking the bot).
    mutating func postPrivateMessage(userID: Int, text: String, now: Date) throws(ControlError) -> (SimulatedMessage, Int?) {
        let user = try requireUser(userID)
        var chat = chats[userID] ?? SimulatedChat(
            id: userID, kind: .private, title: nil, username: user.username,
            bot: BotMembership(status: .member, canPinMessages: true, canDeleteMessages: true),
            chatInstance: String(UInt64(userID) &* 2_654_435_761 % 9_000_000_000_000_000_000)
        )
        if chats[userID] == nil { chatOrder.append(userID) }
        chat.blockedByUser = false
        chats[userID] = chat
        return try postUserMessage(chatID: userID, fromID: userID, text: text, replyTo: nil, now: now)
    }

    /// A person blocks or unblocks the bot in their private chat.
    mutating func setBlocked(userID: Int, blocked: Bool, now: Date) throws(ControlError) {
        _ = try requireUser(userID)
        guard var chat = chats[userID] else { throw .notFound("user \(userID) has no private chat with the bot") }
        guard chat.blockedByUser != blocked else { return }
        let botJSON = userJSON(botUser.id)
        let member: JSONValue = ["status": "member", "user": botJSON]
        let kicked: JSONValue = ["status": "kicked", "user": botJSON, "until_date": 0]
        let (old, new) = blocked ? (member, kicked) : (kicked, member)
        chat.blockedByUser = blocked
        chats[userID] = chat
        markChanged()
        enqueueUpdate(kind: "my_chat_member", payload: [
            "chat": chatJSON(chat), "from": userJSON(userID), "date": .int(Int(now.timeIntervalSince1970)),
            "old_chat_member": old, "new_chat_member": new,
        ])
    }

    /// Whether Telegram would send this group message to the bot (privacy mode rules).
    func botReceives(_ message: SimulatedMessage, in chat: SimulatedChat) -> Bool {
        if chat.kind == .private { return !chat.blockedByUser }
        guard chat.bot.status.isPresent else { return false }
        if message.service != nil || !privacyMode || chat.bot.status == .administrator { return true }
        let text = message.current.text
        let botName = (botUser.username ?? "").lowercased()
        for entity in text.entities {
            let units = Array(text.text.utf16)
            guard entity.offset + entity.length <= units.count else { continue }
            let value = String(decoding: units[entity.offset..<(entity.offset + entity.length)], as: UTF16.self).lowercased()
            if entity.type == "bot_command", entity.offset == 0 {
                // "/cmd" is for every bot (ours is the only one); "/cmd@OtherBot" is not ours.
                if let at = value.firstIndex(of: "@") { if value[value.index(after: at)...] == botName { return true } } else { return true }
            }
            if entity.type == "mention", value == "@" + botName { return true }
        }
        if let replyID = message.replyToMessageID, chat.message(replyID)?.senderID == botUser.id { return true }
        return false
    }

    /// The entities Telegram finds in plain text a person typed: commands and @mentions.
    static func detectEntities(_ text: String) -> [MessageEntity] {
        let units = Array(text.utf16)
        var entities: [MessageEntity] = []
        var index = 0
        func isWordUnit(_ unit: UInt16) -> Bool {
            (unit >= 0x30 && unit <= 0x39) || (unit >= 0x41 && unit <= 0x5A) || (unit >= 0x61 && unit <= 0x7A) || unit == 0x5F
        }
        while index < units.count {
            let unit = units[index]
            // As tdlib: not after a letter, digit, "/", "@", "<" or ">" (so "</b>" is no command).
            let atWordStart = index == 0 || !(isWordUnit(units[index - 1]) || [0x2F, 0x40, 0x3C, 0x3E].contains(units[index - 1]))
            if (unit == 0x2F || unit == 0x40), atWordStart {  // "/" or "@"
                var end = index + 1
                while end < units.count, isWordUnit(units[end]) { end += 1 }
                let nameLength = end - index - 1
                if unit == 0x2F, (1...32).contains(nameLength) {
                    if end < units.count, units[end] == 0x40 {
                        var mentionEnd = end + 1
                        while mentionEnd < units.count, isWordUnit(units[mentionEnd]) { mentionEnd += 1 }
                        if mentionEnd - end - 1 >= 3 { end = mentionEnd }
                    }
                    entities.append(MessageEntity(type: "bot_command", offset: index, length: end - index))
                    index = end
                    continue
                }
                if unit == 0x40, (5...32).contains(nameLength) {
                    entities.append(MessageEntity(type: "mention", offset: index, length: end - index))
                    index = end
                    continue
                }
            }
            index += 1
        }
        return entities
    }
}
