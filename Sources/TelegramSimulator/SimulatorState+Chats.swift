import Foundation

/// Groups through the control API: created, joined and left, the bot added or removed, upgraded
/// to supergroups; each change announced by a service message as Telegram does.
extension SimulatorState {
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
