import Foundation

/// The control API: JSON over HTTP under `/control/`, for tests and the chat page to act as
/// the people in the simulated chats and to steer the simulated Telegram (docs/simulator.md).
struct ControlAPI: Sendable {
    let simulation: Simulation

    private typealias Handler = @Sendable (ControlAPI, [String], BotAPIParameters) async throws -> JSONValue

    private static let routes: [(method: String, pattern: [String], handler: Handler)] = [
        ("GET", ["state"], { api, _, _ in api.state() }),
        ("POST", ["reset"], { api, _, _ in api.reset() }),
        ("GET", ["wait"], { api, _, input in await api.waitForChange(input) }),
        ("GET", ["users"], { api, _, _ in api.users() }),
        ("POST", ["users"], { api, _, input in try api.addUser(input) }),
        ("POST", ["users", ":id", "private"], { api, captures, input in try api.privateMessage(captures, input) }),
        ("POST", ["users", ":id", "block"], { api, captures, input in try api.block(captures, input) }),
        ("GET", ["chats"], { api, _, _ in api.chats() }),
        ("POST", ["chats"], { api, _, input in try api.createChat(input) }),
        ("GET", ["chats", ":id"], { api, captures, _ in try api.transcript(captures) }),
        ("POST", ["chats", ":id", "members"], { api, captures, input in try api.addMember(captures, input) }),
        ("DELETE", ["chats", ":id", "members", ":user"], { api, captures, _ in try api.removeMember(captures) }),
        ("POST", ["chats", ":id", "messages"], { api, captures, input in try api.postMessage(captures, input) }),
        ("POST", ["chats", ":id", "commands"], { api, captures, input in try api.postCommand(captures, input) }),
        ("POST", ["chats", ":id", "messages", ":message", "press"], { api, captures, input in try api.press(captures, input) }),
        ("POST", ["chats", ":id", "bot"], { api, captures, input in try api.setBot(captures, input) }),
        ("POST", ["chats", ":id", "migrate"], { api, captures, input in try api.migrate(captures, input) }),
        ("GET", ["callbacks", ":id"], { api, captures, _ in try api.callback(captures) }),
        ("GET", ["updates"], { api, _, _ in api.pendingUpdates() }),
        ("GET", ["calls"], { api, _, input in api.calls(input) }),
        ("DELETE", ["calls"], { api, _, _ in api.clearCalls() }),
        ("GET", ["faults"], { api, _, _ in api.faults() }),
        ("POST", ["faults"], { api, _, input in try api.addFault(input) }),
        ("DELETE", ["faults"], { api, _, _ in api.clearFaults() }),
        ("GET", ["limits"], { api, _, _ in api.limits() }),
        ("PUT", ["limits"], { api, _, input in try api.setLimits(input) }),
        ("POST", ["limits"], { api, _, input in try api.setLimits(input) }),
        ("GET", ["privacy"], { api, _, _ in api.privacy() }),
        ("PUT", ["privacy"], { api, _, input in try api.setPrivacy(input) }),
        ("POST", ["privacy"], { api, _, input in try api.setPrivacy(input) }),
        ("GET", ["clock"], { api, _, _ in api.clock() }),
        ("POST", ["clock", "advance"], { api, _, input in try api.advanceClock(input) }),
        ("GET", ["commands"], { api, _, _ in api.commands() }),
    ]

    func handle(method: String, segments: [String], input: BotAPIParameters) async throws -> JSONValue {
        var pathMatched = false
        for route in Self.routes where route.pattern.count == segments.count {
            var captures: [String] = []
            let matches = zip(route.pattern, segments).allSatisfy { pattern, segment in
                if pattern.hasPrefix(":") {
                    captures.append(segment)
                    return true
                }
                return pattern == segment
            }
            guard matches else { continue }
            pathMatched = true
            if route.method == method { return try await route.handler(self, captures, input) }
        }
        let path = "/control/" + segments.joined(separator: "/")
        if pathMatched { throw ControlError(status: 405, message: "\(method) is not allowed on \(path)") }
        throw ControlError.notFound("no control endpoint \(path); see docs/simulator.md")
    }

    // MARK: Input helpers

    private func id(_ text: String, _ what: String) throws(ControlError) -> Int {
        guard let value = Int(text) else { throw .badRequest("\(what) must be an integer, not \"\(text)\"") }
        return value
    }

    private func requiredInt(_ input: BotAPIParameters, _ name: String) throws(ControlError) -> Int {
        guard let value = input.value(name) else { throw .badRequest("\"\(name)\" is required") }
        guard let number = value.intValue else { throw .badRequest("\"\(name)\" must be an integer") }
        return number
    }

    private func optionalInt(_ input: BotAPIParameters, _ name: String) throws(ControlError) -> Int? {
        guard let value = input.value(name) else { return nil }
        guard let number = value.intValue else { throw .badRequest("\"\(name)\" must be an integer") }
        return number
    }

    private func requiredString(_ input: BotAPIParameters, _ name: String) throws(ControlError) -> String {
        guard let value = input.string(name) else { throw .badRequest("\"\(name)\" is required") }
        return value
    }

    private func optionalBool(_ input: BotAPIParameters, _ name: String) throws(ControlError) -> Bool? {
        guard let value = input.value(name) else { return nil }
        guard let flag = value.boolValue else { throw .badRequest("\"\(name)\" must be true or false") }
        return flag
    }

    private func mutate<T: Sendable>(_ body: (inout SimulatorState, Date) throws(ControlError) -> T) throws(ControlError) -> T {
        try simulation.withState(body)
    }

    // MARK: World

    func state() -> JSONValue {
        simulation.withState { state, _ in state.stateSummary(settingsJSON: Self.limitsJSON(state.limiter.settings)) }
    }

    func reset() -> JSONValue {
        simulation.withState { state, _ in
            state.reset()
            return true
        }
    }

    func waitForChange(_ input: BotAPIParameters) async -> JSONValue {
        let version = input.int("version") ?? 0
        let timeout = min(max(input.double("timeout") ?? 25, 0), 60)
        let current = await simulation.waitForChange(after: version, timeout: .milliseconds(Int(timeout * 1000)))
        return ["version": .int(current)]
    }

    // MARK: Users

    func users() -> JSONValue {
        simulation.withState { state, _ in .array(state.userOrder.map { state.userSummary($0) }) }
    }

    func addUser(_ input: BotAPIParameters) throws(ControlError) -> JSONValue {
        let id = try optionalInt(input, "id")
        let firstName = try requiredString(input, "first_name")
        return try mutate { state, _ throws(ControlError) in
            let user = try state.addUser(
                id: id, firstName: firstName, lastName: input.string("last_name"), username: input.string("username")
            )
            return state.userSummary(user.id)
        }
    }

    func privateMessage(_ captures: [String], _ input: BotAPIParameters) throws(ControlError) -> JSONValue {
        let userID = try id(captures[0], "user id")
        let text = input.string("text") ?? "/start"
        return try mutate { state, now throws(ControlError) in
            let (message, updateID) = try state.postPrivateMessage(userID: userID, text: text, now: now)
            return Self.posted(chatID: userID, message, updateID)
        }
    }

    func block(_ captures: [String], _ input: BotAPIParameters) throws(ControlError) -> JSONValue {
        let userID = try id(captures[0], "user id")
        let blocked = try optionalBool(input, "blocked") ?? true
        return try mutate { state, now throws(ControlError) in
            try state.setBlocked(userID: userID, blocked: blocked, now: now)
            return true
        }
    }

    // MARK: Chats

    func chats() -> JSONValue {
        simulation.withState { state, _ in .array(state.chatOrder.compactMap { state.chats[$0].map(state.chatSummary) }) }
    }

    func createChat(_ input: BotAPIParameters) throws(ControlError) -> JSONValue {
        let kindName = input.string("type") ?? "group"
        guard let kind = ChatKind(rawValue: kindName), kind != .private else {
            throw .badRequest("\"type\" must be group or supergroup")
        }
        let title = try requiredString(input, "title")
        let id = try optionalInt(input, "id")
        let creator = try optionalInt(input, "creator")
        var members: [Int] = []
        if let list = input.json("members") {
            guard let array = list.arrayValue else { throw .badRequest("\"members\" must be an array of user ids") }
            for item in array {
                guard let member = item.intValue else { throw .badRequest("\"members\" must be an array of user ids") }
                members.append(member)
            }
        }
        let bot = try botMembership(input.json("bot") ?? ["status": "member"])
        return try mutate { state, now throws(ControlError) in
            let chat = try state.createChat(
                kind: kind, title: title, id: id, username: input.string("username"), memberIDs: members,
                creatorID: creator, bot: bot, now: now
            )
            return state.chatSummary(chat)
        }
    }

    private func botMembership(_ value: JSONValue) throws(ControlError) -> BotMembership {
        if let status = value.stringValue { return try botMembership(["status": .string(status)]) }
        guard value.objectValue != nil else { throw .badRequest("\"bot\" must be an object like {\"status\": \"administrator\"}") }
        let statusName = value["status"]?.stringValue ?? "member"
        let status: MemberStatus
        switch statusName {
        case "member": status = .member
        case "administrator": status = .administrator
        case "left", "none", "absent": status = .left
        case "kicked": status = .kicked
        default: throw .badRequest("the bot's status must be member, administrator, left or kicked")
        }
        let isAdmin = status == .administrator
        return BotMembership(
            status: status,
            canPinMessages: isAdmin && (value["can_pin_messages"]?.boolValue ?? true),
            canDeleteMessages: isAdmin && (value["can_delete_messages"]?.boolValue ?? true)
        )
    }

    func transcript(_ captures: [String]) throws(ControlError) -> JSONValue {
        let chatID = try id(captures[0], "chat id")
        return try mutate { state, _ throws(ControlError) in
            guard let transcript = state.transcript(chatID) else { throw .notFound("chat \(chatID) not found") }
            return transcript
        }
    }

    func addMember(_ captures: [String], _ input: BotAPIParameters) throws(ControlError) -> JSONValue {
        let chatID = try id(captures[0], "chat id")
        let userID = try requiredInt(input, "user_id")
        let status: MemberStatus = input.string("status") == "administrator" ? .administrator : .member
        if let name = input.string("status"), name != "member", name != "administrator" {
            throw .badRequest("\"status\" must be member or administrator")
        }
        return try mutate { state, now throws(ControlError) in
            try state.addMember(chatID: chatID, userID: userID, status: status, now: now)
            return state.chats[chatID].map(state.chatSummary) ?? .null
        }
    }

    func removeMember(_ captures: [String]) throws(ControlError) -> JSONValue {
        let chatID = try id(captures[0], "chat id")
        let userID = try id(captures[1], "user id")
        return try mutate { state, now throws(ControlError) in
            try state.removeMember(chatID: chatID, userID: userID, now: now)
            return state.chats[chatID].map(state.chatSummary) ?? .null
        }
    }

    func postMessage(_ captures: [String], _ input: BotAPIParameters) throws(ControlError) -> JSONValue {
        let chatID = try id(captures[0], "chat id")
        let from = try requiredInt(input, "from")
        let identity = try Self.postingIdentity(input)
        let attachment = try Self.attachment(input)
        let text = attachment == nil ? try requiredString(input, "text") : input.string("text") ?? ""
        let replyTo = try optionalInt(input, "reply_to_message_id")
        return try mutate { state, now throws(ControlError) in
            let (message, updateID) = try state.postUserMessage(
                chatID: chatID, fromID: from, text: text, replyTo: replyTo, now: now, identity: identity, attachment: attachment)
            return Self.posted(chatID: chatID, message, updateID)
        }
    }

    func postCommand(_ captures: [String], _ input: BotAPIParameters) throws(ControlError) -> JSONValue {
        let chatID = try id(captures[0], "chat id")
        let from = try requiredInt(input, "from")
        var command = try requiredString(input, "command")
        if command.hasPrefix("/") { command.removeFirst() }
        guard (1...32).contains(command.count), command.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw .badRequest("\"command\" must be 1-32 characters of a-z, 0-9 and _")
        }
        let replyTo = try optionalInt(input, "reply_to_message_id")
        let mention = try optionalBool(input, "mention_bot") ?? false
        let identity = try Self.postingIdentity(input)
        return try mutate { state, now throws(ControlError) in
            var text = "/" + command
            if mention { text += "@" + (state.botUser.username ?? "") }
            if let args = input.string("args"), !args.isEmpty { text += " " + args }
            let (message, updateID) = try state.postUserMessage(
                chatID: chatID, fromID: from, text: text, replyTo: replyTo, now: now, identity: identity)
            return Self.posted(chatID: chatID, message, updateID)
        }
    }

    private static func posted(chatID: Int, _ message: SimulatedMessage, _ updateID: Int?) -> JSONValue {
        [
            "chat_id": .int(chatID),
            "message_id": .int(message.id),
            "text": .string(message.current.text.text),
            "delivered_to_bot": .bool(updateID != nil),
            "update_id": updateID.map(JSONValue.int) ?? .null,
        ]
    }

    func press(_ captures: [String], _ input: BotAPIParameters) throws(ControlError) -> JSONValue {
        let chatID = try id(captures[0], "chat id")
        let messageID = try id(captures[1], "message id")
        let from = try requiredInt(input, "from")
        let buttonText = input.string("button_text")
        let data = input.values["callback_data"].flatMap { $0.isNull ? nil : $0 }.map { $0.stringValue ?? $0.serializedString }
        guard (buttonText == nil) != (data == nil) else { throw .badRequest("give exactly one of \"button_text\" and \"callback_data\"") }
        return try mutate { state, now throws(ControlError) in
            let query = try state.pressButton(
                chatID: chatID, messageID: messageID, fromID: from, buttonText: buttonText, callbackData: data, now: now
            )
            return state.callbackJSON(query)
        }
    }

    func setBot(_ captures: [String], _ input: BotAPIParameters) throws(ControlError) -> JSONValue {
        let chatID = try id(captures[0], "chat id")
        let membership = try botMembership(.object(input.values))
        let actor = try optionalInt(input, "by")
        return try mutate { state, now throws(ControlError) in
            try state.setBotMembership(
                chatID: chatID, status: membership.status, canPin: membership.canPinMessages,
                canDelete: membership.canDeleteMessages, by: actor, now: now
            )
            return state.chats[chatID].map(state.chatSummary) ?? .null
        }
    }

    func migrate(_ captures: [String], _ input: BotAPIParameters) throws(ControlError) -> JSONValue {
        let chatID = try id(captures[0], "chat id")
        let actor = try optionalInt(input, "by")
        let newID = try optionalInt(input, "new_chat_id")
        return try mutate { state, now throws(ControlError) in
            let chat = try state.migrate(chatID: chatID, by: actor, newChatID: newID, now: now)
            return state.chatSummary(chat)
        }
    }

    func callback(_ captures: [String]) throws(ControlError) -> JSONValue {
        let queryID = captures[0]
        return try mutate { state, _ throws(ControlError) in
            guard let query = state.callbackQueries[queryID] else { throw .notFound("callback query \(queryID) not found") }
            return state.callbackJSON(query)
        }
    }

    func pendingUpdates() -> JSONValue {
        simulation.withState { state, _ in .array(state.updates.map(\.json)) }
    }

    func commands() -> JSONValue {
        simulation.withState { state, _ in .object(state.commands) }
    }

    // MARK: Calls, faults, limits, clock

    func calls(_ input: BotAPIParameters) -> JSONValue {
        let since = input.int("since") ?? 0
        let method = input.string("method")
        return simulation.withState { state, _ in
            .array(state.calls.filter { record in
                record.sequence > since && (method == nil || record.method.caseInsensitiveCompare(method ?? "") == .orderedSame)
            }.map(\.json))
        }
    }

    func clearCalls() -> JSONValue {
        simulation.withState { state, _ in
            state.calls.removeAll()
            return true
        }
    }

    func faults() -> JSONValue {
        simulation.withState { state, _ in .array(state.faults.map(\.json)) }
    }

    func clearFaults() -> JSONValue {
        simulation.withState { state, _ in
            state.faults.removeAll()
            state.markChanged()
            return true
        }
    }

    func addFault(_ input: BotAPIParameters) throws(ControlError) -> JSONValue {
        let methodName = try requiredString(input, "method")
        let method: String
        if methodName == "*" {
            method = "*"
        } else {
            guard let known = simulation.spec.method(named: methodName) else {
                throw .badRequest("\"\(methodName)\" is not a Bot API method")
            }
            method = known.name
        }
        let count = try optionalInt(input, "count") ?? 1
        guard (1...1_000_000).contains(count) else { throw .badRequest("\"count\" must be 1-1000000") }
        let afterEffect = try optionalBool(input, "after_effect") ?? false
        let retryAfter = try optionalInt(input, "retry_after")
        let migrateTo = try optionalInt(input, "migrate_to_chat_id")
        let errorCode = try optionalInt(input, "error_code")
        let kind = input.string("kind") ?? (input.value("latency_ms") != nil && errorCode == nil ? "latency" : "error")
        let action: InjectedFault.Action
        switch kind {
        case "error":
            guard let errorCode else { throw .badRequest("an error fault needs \"error_code\"") }
            guard (400...599).contains(errorCode) else { throw .badRequest("\"error_code\" must be 400-599") }
            let description: String
            if let given = input.string("description") {
                description = given
            } else {
                switch errorCode {
                case 429: description = "Too Many Requests: retry after \(retryAfter ?? 1)"
                case 500: description = "Internal Server Error: restart"
                case 400 where migrateTo != nil: description = "Bad Request: group chat was upgraded to a supergroup chat"
                default: throw .badRequest("give a \"description\" for error code \(errorCode)")
                }
            }
            action = .error(BotAPIError(
                code: errorCode, description: description,
                retryAfter: errorCode == 429 ? (retryAfter ?? 1) : retryAfter, migrateToChatID: migrateTo
            ))
        case "bad_gateway": action = .badGateway
        case "gateway_timeout": action = .gatewayTimeout
        case "latency":
            let milliseconds = try optionalInt(input, "latency_ms") ?? 0
            guard (1...120_000).contains(milliseconds) else { throw .badRequest("\"latency_ms\" must be 1-120000") }
            action = .latency(milliseconds: milliseconds)
        default:
            throw .badRequest("\"kind\" must be error, bad_gateway, gateway_timeout or latency")
        }
        return simulation.withState { state, _ in
            state.addFault(method: method, count: count, action: action, afterEffect: afterEffect).json
        }
    }

    static func limitsJSON(_ settings: RateLimitSettings) -> JSONValue {
        [
            "enabled": .bool(settings.enabled),
            "per_chat_burst": .int(settings.perChatBurst),
            "per_chat_per_second": .double(settings.perChatPerSecond),
            "per_group_per_minute": .int(settings.perGroupPerMinute),
            "global_per_second": .int(settings.globalPerSecond),
            "methods": .array(settings.countedMethods.sorted().map(JSONValue.string)),
        ]
    }

    func limits() -> JSONValue {
        simulation.withState { state, _ in Self.limitsJSON(state.limiter.settings) }
    }

    func setLimits(_ input: BotAPIParameters) throws(ControlError) -> JSONValue {
        var settings = simulation.withState { state, _ in state.limiter.settings }
        if let enabled = try optionalBool(input, "enabled") { settings.enabled = enabled }
        if let burst = try optionalInt(input, "per_chat_burst") {
            guard burst >= 1 else { throw .badRequest("\"per_chat_burst\" must be at least 1") }
            settings.perChatBurst = burst
        }
        if let value = input.value("per_chat_per_second") {
            guard let rate = value.doubleValue, rate > 0 else { throw .badRequest("\"per_chat_per_second\" must be positive") }
            settings.perChatPerSecond = rate
        }
        if let perMinute = try optionalInt(input, "per_group_per_minute") {
            guard perMinute >= 1 else { throw .badRequest("\"per_group_per_minute\" must be at least 1") }
            settings.perGroupPerMinute = perMinute
        }
        if let perSecond = try optionalInt(input, "global_per_second") {
            guard perSecond >= 1 else { throw .badRequest("\"global_per_second\" must be at least 1") }
            settings.globalPerSecond = perSecond
        }
        if let methods = input.json("methods") {
            guard let names = methods.arrayValue?.compactMap(\.stringValue) else {
                throw .badRequest("\"methods\" must be an array of method names")
            }
            var canonical = Set<String>()
            for name in names {
                guard let method = simulation.spec.method(named: name) else { throw .badRequest("\"\(name)\" is not a Bot API method") }
                canonical.insert(method.name)
            }
            settings.countedMethods = canonical
        }
        let chosen = settings
        return simulation.withState { state, _ in
            state.limiter.settings = chosen
            state.limiter.reset()
            state.markChanged()
            return Self.limitsJSON(chosen)
        }
    }

    func privacy() -> JSONValue {
        simulation.withState { state, _ in ["enabled": .bool(state.privacyMode)] }
    }

    func setPrivacy(_ input: BotAPIParameters) throws(ControlError) -> JSONValue {
        guard let enabled = try optionalBool(input, "enabled") else { throw .badRequest("\"enabled\" is required") }
        return simulation.withState { state, _ in
            state.privacyMode = enabled
            state.markChanged()
            return ["enabled": .bool(enabled)]
        }
    }

    func clock() -> JSONValue {
        simulation.withState { state, now in
            ["now": .double(now.timeIntervalSince1970), "offset_seconds": .double(state.clockOffset)]
        }
    }

    func advanceClock(_ input: BotAPIParameters) throws(ControlError) -> JSONValue {
        guard let seconds = input.double("seconds"), seconds > 0, seconds <= 366 * 86_400 else {
            throw .badRequest("\"seconds\" must be a positive number of seconds (at most a year)")
        }
        return simulation.withState { state, now in
            state.clockOffset += seconds
            state.markChanged()
            return ["now": .double(now.addingTimeInterval(seconds).timeIntervalSince1970), "offset_seconds": .double(state.clockOffset)]
        }
    }
}
