import Foundation

/// Everything the simulated Telegram knows, mutated only under the simulator's lock.
///
/// Bot API methods and control operations are mutating methods on this value (see the
/// `SimulatorState+*.swift` files). Waking suspended long polls is collected in
/// ``resumptions`` and done by the owner after the lock is released.
struct SimulatorState: Sendable {
    /// Why a suspended request (a long poll or a chat page waiting for changes) stopped waiting.
    enum Wake: Sendable, Equatable {
        case updatesArrived
        case changed
        case superseded
        case timedOut
        case cancelled
        case shuttingDown
    }

    let botUser: SimulatedUser
    var privacyMode: Bool
    let configuredPrivacyMode: Bool
    let configuredLimits: RateLimitSettings

    var users: [Int: SimulatedUser] = [:]
    var userOrder: [Int] = []
    var chats: [Int: SimulatedChat] = [:]
    var chatOrder: [Int] = []
    var callbackQueries: [String: SimulatedCallbackQuery] = [:]
    var commands: [String: JSONValue] = [:]

    var updates: [PendingUpdate] = []
    var nextUpdateID = 1
    /// The update kinds the bot asked for; nil means Telegram's default (all but chat_member
    /// and reactions).
    var allowedUpdates: Set<String>?

    var limiter: RateLimiter
    var faults: [InjectedFault] = []
    var nextFaultID = 1
    var calls: [CallRecord] = []
    var nextCallSequence = 1
    var clockOffset: TimeInterval = 0
    /// The simulated time of the operation under way, set by the owner before each one, so
    /// deep helpers (queuing an update) can date what they create.
    var lastKnownNow = Date(timeIntervalSince1970: 0)

    var nextUserID = 1_000_001
    var nextGroupNumber = 1
    var nextCallbackNumber = 1
    var version = 1

    /// The long poll currently waiting, if any.
    var currentPollID: UInt64?
    var nextWaiterID: UInt64 = 1
    var polls = WaiterBook<Wake>()
    var changeWaits = WaiterBook<Wake>()
    var resumptions: [Resumption<Wake>] = []
    var isShuttingDown = false

    static let callLogCapacity = 10_000
    static let defaultAllowedUpdates: Set<String> = [
        "message", "edited_message", "channel_post", "edited_channel_post", "business_connection",
        "business_message", "edited_business_message", "deleted_business_messages", "inline_query",
        "chosen_inline_result", "callback_query", "shipping_query", "pre_checkout_query",
        "purchased_paid_media", "poll", "poll_answer", "my_chat_member", "chat_join_request",
        "chat_boost", "removed_chat_boost",
    ]

    init(botUser: SimulatedUser, privacyMode: Bool, limits: RateLimitSettings) {
        self.botUser = botUser
        self.privacyMode = privacyMode
        self.configuredPrivacyMode = privacyMode
        self.configuredLimits = limits
        self.limiter = RateLimiter(settings: limits)
    }

    /// Forgets every user, chat, update, fault and call and restores the configured privacy mode
    /// and limits; update ids keep growing so a running bot's stored offset still makes sense,
    /// and the simulated clock keeps its offset.
    mutating func reset() {
        var fresh = SimulatorState(botUser: botUser, privacyMode: configuredPrivacyMode, limits: configuredLimits)
        // Ids keep growing, time does not go back, and whoever is waiting keeps waiting.
        fresh.nextUpdateID = nextUpdateID
        fresh.nextCallSequence = nextCallSequence
        fresh.version = version
        fresh.clockOffset = clockOffset
        fresh.lastKnownNow = lastKnownNow
        fresh.nextWaiterID = nextWaiterID
        fresh.polls = polls
        fresh.changeWaits = changeWaits
        fresh.currentPollID = currentPollID
        fresh.resumptions = resumptions
        fresh.isShuttingDown = isShuttingDown
        self = fresh
        markChanged()
    }

    // MARK: Change notification

    /// Records that something visible changed and wakes the chat pages waiting for it.
    mutating func markChanged() {
        version += 1
        resumptions += changeWaits.resolveAll(with: .changed)
    }

    mutating func makeWaiterID() -> UInt64 {
        defer { nextWaiterID += 1 }
        return nextWaiterID
    }

    // MARK: Lookups

    func user(_ id: Int) -> SimulatedUser? {
        id == botUser.id ? botUser : users[id] ?? SenderChat.placeholders[id]
    }

    /// The chat a `chat_id` parameter names: an id, or `@username` of a group.
    func chatID(for value: JSONValue) -> Int? {
        if let id = value.intValue { return chats[id] != nil || users[id] != nil ? id : nil }
        guard let text = value.stringValue, text.hasPrefix("@") else { return nil }
        let name = text.dropFirst().lowercased()
        return chats.values.first { $0.username?.lowercased() == name }?.id
    }

    // MARK: Wire objects

    func userJSON(_ id: Int) -> JSONValue {
        guard let user = user(id) else {
            return ["id": .int(id), "is_bot": false, "first_name": "Deleted Account"]
        }
        var object: [String: JSONValue] = [
            "id": .int(user.id),
            "is_bot": .bool(user.isBot),
            "first_name": .string(user.firstName),
        ]
        if let lastName = user.lastName { object["last_name"] = .string(lastName) }
        if let username = user.username { object["username"] = .string(username) }
        return .object(object)
    }

    func chatJSON(_ chat: SimulatedChat) -> JSONValue {
        var object: [String: JSONValue] = ["id": .int(chat.id), "type": .string(chat.kind.rawValue)]
        if chat.kind == .private, let user = users[chat.id] {
            object["first_name"] = .string(user.firstName)
            if let lastName = user.lastName { object["last_name"] = .string(lastName) }
            if let username = user.username { object["username"] = .string(username) }
        } else {
            if let title = chat.title { object["title"] = .string(title) }
            if let username = chat.username { object["username"] = .string(username) }
        }
        return .object(object)
    }

    /// A Message object as the Bot API shows it; `nested` leaves out reply_to_message and
    /// pinned_message, as Telegram does one level down.
    func messageJSON(_ chat: SimulatedChat, _ message: SimulatedMessage, nested: Bool = false) -> JSONValue {
        var object: [String: JSONValue] = [
            "message_id": .int(message.id),
            "from": userJSON(message.senderID),
            "chat": chatJSON(chat),
            "date": .int(Int(message.date.timeIntervalSince1970)),
        ]
        let current = message.current
        if let senderChat = message.senderChat { object["sender_chat"] = senderChat.json }
        if let attachment = message.attachment {
            attachment.add(to: &object, caption: current.text, entityJSON: { userJSON($0) })
        }
        if message.service == nil && message.attachment == nil {
            object["text"] = .string(current.text.text)
            if !current.text.entities.isEmpty {
                object["entities"] = .array(current.text.entities.map { entity in
                    entity.json(user: entity.userID.map { userJSON($0) })
                })
            }
        }
        if message.service == nil {
            if let keyboard = current.inlineKeyboard { object["reply_markup"] = keyboard }
            if let editDate = message.editDate { object["edit_date"] = .int(Int(editDate.timeIntervalSince1970)) }
        }
        if !nested, let replyID = message.replyToMessageID, let replied = chat.liveMessage(replyID) {
            object["reply_to_message"] = messageJSON(chat, replied, nested: true)
        }
        switch message.service {
        case nil: break
        case .groupCreated: object["group_chat_created"] = true
        case .newChatMembers(let ids): object["new_chat_members"] = .array(ids.map { userJSON($0) })
        case .leftChatMember(let id): object["left_chat_member"] = userJSON(id)
        case .migrateToChatID(let id): object["migrate_to_chat_id"] = .int(id)
        case .migrateFromChatID(let id): object["migrate_from_chat_id"] = .int(id)
        case .pinnedMessage(let id):
            if !nested, let pinned = chat.message(id) {
                object["pinned_message"] = messageJSON(chat, pinned, nested: true)
            }
        }
        return .object(object)
    }

    /// A ChatMember object for the bot or a user in `chat`.
    func chatMemberJSON(_ chat: SimulatedChat, userID: Int) -> JSONValue {
        let user = userJSON(userID)
        if userID == botUser.id {
            switch chat.bot.status {
            case .administrator:
                return administratorJSON(user, canPin: chat.bot.canPinMessages, canDelete: chat.bot.canDeleteMessages)
            case .kicked: return ["status": "kicked", "user": user, "until_date": 0]
            case .left: return ["status": "left", "user": user]
            case .creator, .member: return ["status": "member", "user": user]
            }
        }
        switch chat.memberStatus[userID] ?? .left {
        case .creator: return ["status": "creator", "user": user, "is_anonymous": false]
        case .administrator: return administratorJSON(user, canPin: true, canDelete: true)
        case .member: return ["status": "member", "user": user]
        case .left: return ["status": "left", "user": user]
        case .kicked: return ["status": "kicked", "user": user, "until_date": 0]
        }
    }

    private func administratorJSON(_ user: JSONValue, canPin: Bool, canDelete: Bool) -> JSONValue {
        [
            "status": "administrator", "user": user, "can_be_edited": false, "is_anonymous": false,
            "can_manage_chat": true, "can_delete_messages": .bool(canDelete), "can_manage_video_chats": true,
            "can_restrict_members": false, "can_promote_members": false, "can_change_info": false,
            "can_invite_users": true, "can_post_stories": false, "can_edit_stories": false,
            "can_delete_stories": false, "can_pin_messages": .bool(canPin),
        ]
    }

    // MARK: Time

    /// The simulated time: the configured clock plus whatever the control API added.
    func now(_ base: Date) -> Date { base.addingTimeInterval(clockOffset) }
}
