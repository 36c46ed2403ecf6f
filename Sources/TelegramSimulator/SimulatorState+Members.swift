import Foundation

/// A control request that cannot be carried out; `status` is the HTTP status of the answer.
struct ControlError: Error, Equatable, Sendable {
    var status: Int
    var message: String

    static func badRequest(_ message: String) -> ControlError { ControlError(status: 400, message: message) }
    static func notFound(_ message: String) -> ControlError { ControlError(status: 404, message: message) }
    static func conflict(_ message: String) -> ControlError { ControlError(status: 409, message: message) }
}

/// What people in the simulated chats do: the control API's operations.
extension SimulatorState {
    // MARK: Users

    mutating func addUser(id: Int?, firstName: String, lastName: String?, username: String?) throws(ControlError) -> SimulatedUser {
        let trimmedName = firstName.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmedName.isEmpty, trimmedName.count <= 64 else {
            throw .badRequest("first_name must be 1-64 characters")
        }
        if let username {
            guard Self.isValidUsername(username) else {
                throw .badRequest("username must be 5-32 characters of a-z, 0-9 and _ starting with a letter")
            }
            let taken = users.values.contains { $0.username?.lowercased() == username.lowercased() }
                || botUser.username?.lowercased() == username.lowercased()
            guard !taken else { throw .conflict("username @\(username) is taken") }
        }
        let userID: Int
        if let id {
            guard id > 0, id < 1 << 52 else { throw .badRequest("a user id must be a positive integer below 2^52") }
            guard users[id] == nil, id != botUser.id else { throw .conflict("user \(id) exists") }
            userID = id
        } else {
            while users[nextUserID] != nil || nextUserID == botUser.id { nextUserID += 1 }
            userID = nextUserID
            nextUserID += 1
        }
        let user = SimulatedUser(id: userID, firstName: trimmedName, lastName: lastName, username: username)
        users[userID] = user
        userOrder.append(userID)
        markChanged()
        return user
    }

    static func isValidUsername(_ name: String) -> Bool {
        guard (5...32).contains(name.count), let first = name.unicodeScalars.first,
              ("a"..."z").contains(first) || ("A"..."Z").contains(first)
        else { return false }
        return name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
        }
    }

    private func requireUser(_ id: Int) throws(ControlError) -> SimulatedUser {
        guard let user = users[id] else { throw .notFound("user \(id) not found") }
        return user
    }

    private func requireChat(_ id: Int) throws(ControlError) -> SimulatedChat {
        guard let chat = chats[id] else { throw .notFound("chat \(id) not found") }
        return chat
    }

    // MARK: Chats

    /// Creates a group or supergroup; the first member (or `creatorID`) owns it. A bot that is
    /// in the group from the start receives my_chat_member and the creation message.
    mutating func createChat(
        kind: ChatKind, title: String, id: Int?, username: String?, memberIDs: [Int], creatorID: Int?,
        bot: BotMembership, now: Date
    ) throws(ControlError) -> SimulatedChat {
        guard kind != .private else { throw .badRequest("type must be group or supergroup") }
        let trimmedTitle = title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...128).contains(trimmedTitle.count) else { throw .badRequest("title must be 1-128 characters") }
        for memberID in memberIDs { _ = try requireUser(memberID) }
        if let creatorID { _ = try requireUser(creatorID) }
        if let username {
            guard kind == .supergroup, Self.isValidUsername(username) else {
                throw .badRequest("only supergroups have a username, of 5-32 characters of a-z, 0-9 and _")
            }
        }
        let chatID: Int
        if let id {
            guard id < 0 else { throw .badRequest("group ids are negative") }
            guard chats[id] == nil else { throw .conflict("chat \(id) exists") }
            chatID = id
        } else {
            chatID = makeGroupID(kind)
        }
        var members = memberIDs
        if let creatorID, !members.contains(creatorID) { members.insert(creatorID, at: 0) }
        var seen = Set<Int>()
        members = members.filter { seen.insert($0).inserted }
        let owner = creatorID ?? members.first
        var chat = SimulatedChat(
            id: chatID, kind: kind, title: trimmedTitle, username: username, bot: .absent,
            chatInstance: String(UInt64(bitPattern: Int64(chatID &* 2_654_435_761)) % 9_000_000_000_000_000_000)
        )
        chat.memberIDs = members
        for member in members { chat.memberStatus[member] = member == owner ? .creator : .member }
        if kind == .group, let owner {
            chat.messages.append(serviceMessage(in: chat, from: owner, .groupCreated, now: now))
        }
        chats[chatID] = chat
        chatOrder.append(chatID)
        markChanged()
        if bot.status.isPresent {
            changeBotMembership(chatID: chatID, to: bot, by: owner ?? botUser.id, now: now, announceJoin: kind == .supergroup)
            if kind == .group, let created = chats[chatID]?.messages.first {
                enqueueUpdate(kind: "message", payload: messageJSON(chats[chatID] ?? chat, created))
            }
        }
        return chats[chatID] ?? chat
    }

    private mutating func makeGroupID(_ kind: ChatKind) -> Int {
        while true {
            let number = nextGroupNumber
            nextGroupNumber += 1
            let id = kind == .group ? -(4_000_000_000 + number) : -(1_002_000_000_000 + number)
            if chats[id] == nil { return id }
        }
    }

    private func serviceMessage(in chat: SimulatedChat, from sender: Int, _ action: ServiceAction, now: Date) -> SimulatedMessage {
        SimulatedMessage(
            id: chat.nextMessageID, senderID: sender, date: now,
            revisions: [MessageRevision(text: FormattedText(text: "", entities: []), inlineKeyboard: nil, date: now)],
            service: action
        )
    }

    /// Appends a service message and sends it to the bot when it is in the chat.
    @discardableResult
    private mutating func postService(chatID: Int, from sender: Int, _ action: ServiceAction, now: Date) -> SimulatedMessage? {
        guard var chat = chats[chatID] else { return nil }
        let message = serviceMessage(in: chat, from: sender, action, now: now)
        chat.messages.append(message)
        chats[chatID] = chat
        markChanged()
        if chat.bot.status.isPresent {
            enqueueUpdate(kind: "message", payload: messageJSON(chat, message))
        }
        return message
    }

    // MARK: Members

    mutating func addMember(chatID: Int, userID: Int, status: MemberStatus, now: Date) throws(ControlError) {
        var chat = try requireChat(chatID)
        _ = try requireUser(userID)
        guard chat.isGroup, chat.migratedToChatID == nil else { throw .badRequest("chat \(chatID) takes no new members") }
        guard status == .member || status == .administrator else { throw .badRequest("status must be member or administrator") }
        let wasPresent = chat.memberStatus[userID]?.isPresent == true
        if !chat.memberIDs.contains(userID) { chat.memberIDs.append(userID) }
        if chat.memberStatus[userID] != .creator { chat.memberStatus[userID] = status }
        chats[chatID] = chat
        markChanged()
        if !wasPresent { postService(chatID: chatID, from: userID, .newChatMembers([userID]), now: now) }
    }

    mutating func removeMember(chatID: Int, userID: Int, now: Date) throws(ControlError) {
        var chat = try requireChat(chatID)
        guard chat.memberStatus[userID]?.isPresent == true else { throw .notFound("user \(userID) is not in chat \(chatID)") }
        chat.memberStatus[userID] = .left
        chats[chatID] = chat
        markChanged()
        postService(chatID: chatID, from: userID, .leftChatMember(userID), now: now)
    }

    // MARK: The bot's membership

    /// Adds, removes, promotes or demotes the bot and tells it with a my_chat_member update.
    mutating func changeBotMembership(chatID: Int, to new: BotMembership, by actor: Int, now: Date, announceJoin: Bool = true) {
        guard var chat = chats[chatID] else { return }
        let oldMember = chatMemberJSON(chat, userID: botUser.id)
        let wasPresent = chat.bot.status.isPresent
        chat.bot = new
        if new.status != .administrator {
            chat.bot.canPinMessages = false
            chat.bot.canDeleteMessages = false
        }
        chats[chatID] = chat
        markChanged()
        let newMember = chatMemberJSON(chat, userID: botUser.id)
        guard oldMember != newMember else { return }
        enqueueUpdate(kind: "my_chat_member", payload: [
            "chat": chatJSON(chat),
            "from": userJSON(actor),
            "date": .int(Int(now.timeIntervalSince1970)),
            "old_chat_member": oldMember,
            "new_chat_member": newMember,
        ])
        if !wasPresent, new.status.isPresent, announceJoin, actor != botUser.id {
            postService(chatID: chatID, from: actor, .newChatMembers([botUser.id]), now: now)
        } else if wasPresent, !new.status.isPresent, actor != botUser.id {
            postService(chatID: chatID, from: actor, .leftChatMember(botUser.id), now: now)
        }
    }

    mutating func setBotMembership(chatID: Int, status: MemberStatus, canPin: Bool, canDelete: Bool, by actor: Int?, now: Date) throws(ControlError) {
        let chat = try requireChat(chatID)
        guard chat.isGroup else { throw .badRequest("the bot's membership is set for groups only") }
        guard chat.migratedToChatID == nil else { throw .badRequest("chat \(chatID) was migrated to \(chat.migratedToChatID ?? 0)") }
        guard status != .creator else { throw .badRequest("the bot cannot own a group") }
        let actorID = actor ?? chat.memberIDs.first { chat.memberStatus[$0] == .creator } ?? chat.memberIDs.first ?? botUser.id
        if actorID != botUser.id { _ = try requireUser(actorID) }
        changeBotMembership(
            chatID: chatID,
            to: BotMembership(status: status, canPinMessages: canPin, canDeleteMessages: canDelete),
            by: actorID, now: now
        )
    }

    // MARK: Messages from people

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

    // MARK: Buttons

    /// A person presses an inline button (found by its text) or sends raw callback data for a
    /// message (to test forged data); the bot gets a callback_query update.
    mutating func pressButton(
        chatID: Int, messageID: Int, fromID: Int, buttonText: String?, callbackData: String?, now: Date
    ) throws(ControlError) -> SimulatedCallbackQuery {
        var chat = try requireChat(chatID)
        _ = try requireUser(fromID)
        guard let message = chat.liveMessage(messageID) else { throw .notFound("message \(messageID) not found in chat \(chatID)") }
        if chat.isGroup {
            guard chat.memberStatus[fromID]?.isPresent == true else { throw .badRequest("user \(fromID) is not a member of chat \(chatID)") }
        } else {
            guard chat.id == fromID else { throw .badRequest("only user \(chat.id) sees this private chat") }
        }
        let data: String
        if let buttonText {
            let buttons = (message.current.inlineKeyboard?["inline_keyboard"]?.arrayValue ?? []).flatMap { $0.arrayValue ?? [] }
            guard let button = buttons.first(where: { $0["text"]?.stringValue == buttonText }) else {
                throw .notFound("message \(messageID) has no button \"\(buttonText)\"")
            }
            guard let buttonData = button["callback_data"]?.stringValue else {
                throw .badRequest("button \"\(buttonText)\" sends no callback data")
            }
            data = buttonData
        } else if let callbackData {
            data = callbackData
        } else {
            throw .badRequest("give button_text or callback_data")
        }
        let number = nextCallbackNumber
        nextCallbackNumber += 1
        let queryID = String(UInt64(botUser.id) &* 1_000_003 &+ UInt64(number) &* 7_919 &+ 4_000_000_000_000_000_000)
        let payload: JSONValue = [
            "id": .string(queryID),
            "from": userJSON(fromID),
            "message": messageJSON(chat, message),
            "chat_instance": .string(chat.chatInstance),
            "data": .string(data),
        ]
        let updateID = enqueueUpdate(kind: "callback_query", payload: payload) ?? 0
        let query = SimulatedCallbackQuery(
            id: queryID, chatID: chatID, messageID: messageID, fromID: fromID, data: data, date: now, updateID: updateID
        )
        callbackQueries[queryID] = query
        chat.messages[messageID - 1].callbackQueryIDs.append(queryID)
        chats[chatID] = chat
        markChanged()
        return query
    }

    // MARK: Migration

    /// Upgrades a basic group to a supergroup: a new chat id, and the two service messages
    /// (migrate_to_chat_id in the old chat, migrate_from_chat_id in the new one).
    mutating func migrate(chatID: Int, by actor: Int?, newChatID: Int?, now: Date) throws(ControlError) -> SimulatedChat {
        let old = try requireChat(chatID)
        guard old.kind == .group else { throw .badRequest("only basic groups are upgraded to supergroups") }
        guard old.migratedToChatID == nil else { throw .conflict("chat \(chatID) was already upgraded") }
        let actorID = actor ?? old.memberIDs.first { old.memberStatus[$0] == .creator } ?? old.memberIDs.first
        guard let actorID else { throw .badRequest("the group has no member to upgrade it") }
        _ = try requireUser(actorID)
        let newID: Int
        if let newChatID {
            guard newChatID < -1_000_000_000_000, chats[newChatID] == nil else {
                throw .badRequest("new_chat_id must be an unused supergroup id (below -1000000000000)")
            }
            newID = newChatID
        } else {
            newID = makeGroupID(.supergroup)
        }
        var supergroup = SimulatedChat(
            id: newID, kind: .supergroup, title: old.title, username: nil, bot: old.bot,
            chatInstance: String(UInt64(bitPattern: Int64(newID &* 2_654_435_761)) % 9_000_000_000_000_000_000)
        )
        supergroup.memberIDs = old.memberIDs
        supergroup.memberStatus = old.memberStatus
        supergroup.migratedFromChatID = chatID
        chats[newID] = supergroup
        chatOrder.append(newID)

        postService(chatID: chatID, from: actorID, .migrateToChatID(newID), now: now)
        chats[chatID]?.migratedToChatID = newID
        postService(chatID: newID, from: actorID, .migrateFromChatID(chatID), now: now)
        markChanged()
        return chats[newID] ?? supergroup
    }
}
