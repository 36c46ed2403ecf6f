import Foundation

/// One method per control API route, in the order of docs/simulator.md.
extension SimulatorClient {
    // MARK: World

    /// `GET /control/state`.
    public func state() async throws -> WorldState {
        try await call("GET", "state")
    }

    /// `POST /control/reset`: forgets users, chats, updates, faults, calls and commands.
    public func reset() async throws {
        _ = try await call("POST", "reset", as: Bool.self)
    }

    /// `GET /control/wait`: returns the state's version as soon as it differs from `version`,
    /// or after `timeout` seconds (at most 60).
    public func waitForChange(after version: Int, timeout: Double = 25) async throws -> Int {
        let query = [URLQueryItem(name: "version", value: "\(version)"), URLQueryItem(name: "timeout", value: "\(timeout)")]
        return try await call("GET", "wait", query: query, timeout: timeout + 30, as: StateVersion.self).version
    }

    /// `GET /control/clock`.
    public func clock() async throws -> ClockReading {
        try await call("GET", "clock")
    }

    /// `POST /control/clock/advance`: moves simulated time forward.
    @discardableResult
    public func advanceClock(by seconds: Double) async throws -> ClockReading {
        try await call("POST", "clock/advance", body: ClockAdvance(seconds: seconds))
    }

    /// `GET /control/privacy`: whether privacy mode is on.
    public func privacyMode() async throws -> Bool {
        try await call("GET", "privacy", as: PrivacyMode.self).enabled
    }

    /// `PUT /control/privacy`.
    public func setPrivacyMode(_ enabled: Bool) async throws {
        _ = try await call("PUT", "privacy", body: PrivacyMode(enabled: enabled), as: PrivacyMode.self)
    }

    /// `GET /control/limits`.
    public func limits() async throws -> RateLimits {
        try await call("GET", "limits")
    }

    /// `PUT /control/limits`: changes what is given, clears the counters; returns the settings.
    @discardableResult
    public func setLimits(_ change: RateLimitChange) async throws -> RateLimits {
        try await call("PUT", "limits", body: change)
    }

    /// `GET /control/updates`: updates the bot has not confirmed yet.
    public func unconfirmedUpdates() async throws -> [UnconfirmedUpdate] {
        try await call("GET", "updates")
    }

    /// `GET /control/commands`: what setMyCommands stored, by scope.
    public func commands() async throws -> [String: [RegisteredCommand]] {
        try await call("GET", "commands")
    }

    // MARK: Users

    /// `POST /control/users`.
    @discardableResult
    public func addUser(_ user: NewUser) async throws -> UserSummary {
        try await call("POST", "users", body: user)
    }

    /// `GET /control/users`.
    public func users() async throws -> [UserSummary] {
        try await call("GET", "users")
    }

    /// `POST /control/users/{id}/private`: the person writes to the bot in private (opening
    /// the private chat, unblocking the bot).
    @discardableResult
    public func sendPrivately(_ text: String = "/start", from user: Int64) async throws -> PostedMessage {
        try await call("POST", "users/\(user)/private", body: PrivateMessage(text: text))
    }

    /// `POST /control/users/{id}/block`: the person blocks (or unblocks) the bot.
    public func setBlocked(_ blocked: Bool, by user: Int64) async throws {
        _ = try await call("POST", "users/\(user)/block", body: Blocking(blocked: blocked), as: Bool.self)
    }

    // MARK: Chats

    /// `POST /control/chats`.
    @discardableResult
    public func createChat(_ chat: NewChat) async throws -> ChatSummary {
        try await call("POST", "chats", body: chat)
    }

    /// `GET /control/chats`.
    public func chats() async throws -> [ChatSummary] {
        try await call("GET", "chats")
    }

    /// `GET /control/chats/{id}`: the chat with every message.
    public func transcript(_ chat: Int64) async throws -> Transcript {
        try await call("GET", "chats/\(chat)")
    }

    /// `POST /control/chats/{id}/members`: the person joins.
    @discardableResult
    public func addMember(_ user: Int64, to chat: Int64, status: MembershipStatus = .member) async throws -> ChatSummary {
        try await call("POST", "chats/\(chat)/members", body: NewMember(userID: user, status: status))
    }

    /// `DELETE /control/chats/{id}/members/{user}`: the person leaves.
    @discardableResult
    public func removeMember(_ user: Int64, from chat: Int64) async throws -> ChatSummary {
        try await call("DELETE", "chats/\(chat)/members/\(user)")
    }

    /// `POST /control/chats/{id}/bot`: adds, promotes, demotes or removes the bot.
    @discardableResult
    public func setBot(_ rights: BotRights, in chat: Int64, by user: Int64? = nil) async throws -> ChatSummary {
        try await call("POST", "chats/\(chat)/bot", body: BotChange(rights, by: user))
    }

    /// `POST /control/chats/{id}/migrate`: upgrades a basic group; returns the new supergroup.
    @discardableResult
    public func migrate(_ chat: Int64, by user: Int64? = nil, to newChatID: Int64? = nil) async throws -> ChatSummary {
        try await call("POST", "chats/\(chat)/migrate", body: Migration(by: user, newChatID: newChatID))
    }

    // MARK: People acting

    /// `POST /control/chats/{id}/messages`: a person writes in the chat.
    @discardableResult
    public func post(_ message: NewMessage, in chat: Int64) async throws -> PostedMessage {
        try await call("POST", "chats/\(chat)/messages", body: message)
    }

    /// A person writes `text` in the chat, as a reply to `replyTo` when given.
    @discardableResult
    public func say(_ text: String, in chat: Int64, from user: Int64, replyTo: Int? = nil) async throws -> PostedMessage {
        try await post(NewMessage(from: user, text: text, replyTo: replyTo), in: chat)
    }

    /// `POST /control/chats/{id}/commands`: a person sends a command.
    @discardableResult
    public func send(_ command: NewCommand, in chat: Int64) async throws -> PostedMessage {
        try await call("POST", "chats/\(chat)/commands", body: command)
    }

    /// `POST /control/chats/{id}/messages/{message}/press`: returns the callback query.
    @discardableResult
    public func press(_ button: Press.Button, on message: Int, in chat: Int64, by user: Int64) async throws -> ButtonPress {
        try await call("POST", "chats/\(chat)/messages/\(message)/press", body: Press(from: user, button: button))
    }

    /// `GET /control/callbacks/{id}`: the callback query and, once given, the bot's answer.
    public func callbackQuery(_ id: String) async throws -> ButtonPress {
        try await call("GET", "callbacks/\(id)")
    }

    // MARK: Calls and faults

    /// `GET /control/calls`: Bot API calls after sequence `since`, of `method` when given.
    public func calls(since: Int = 0, method: String? = nil) async throws -> [RecordedCall] {
        var query: [URLQueryItem] = []
        if since > 0 { query.append(URLQueryItem(name: "since", value: "\(since)")) }
        if let method { query.append(URLQueryItem(name: "method", value: method)) }
        return try await call("GET", "calls", query: query)
    }

    /// `DELETE /control/calls`: empties the call log.
    public func clearCalls() async throws {
        _ = try await call("DELETE", "calls", as: Bool.self)
    }

    /// `POST /control/faults`.
    @discardableResult
    public func addFault(_ fault: Fault) async throws -> PendingFault {
        try await call("POST", "faults", body: fault)
    }

    /// `GET /control/faults`: what is left of the injected faults.
    public func faults() async throws -> [PendingFault] {
        try await call("GET", "faults")
    }

    /// `DELETE /control/faults`.
    public func clearFaults() async throws {
        _ = try await call("DELETE", "faults", as: Bool.self)
    }
}
