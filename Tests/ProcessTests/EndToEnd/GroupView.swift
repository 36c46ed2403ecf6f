import Foundation
import ProcessTestSupport
import SimulatorClient
import Testing

/// One message of a chat as the simulator's transcript shows it: what a person in the group
/// sees, plus the pinned and deleted flags and the callback data behind each button.
struct ChatMessage: CustomStringConvertible {
    let id: Int
    let text: String
    let html: String
    let fromID: Int64
    let fromBot: Bool
    let pinned: Bool
    let deleted: Bool
    /// Button labels, row by row.
    let buttonRows: [[String]]
    /// Label -> callback data.
    let buttonData: [String: String]
    let forceReply: ForceReplyMarkup?
    let replyTo: Int?
    let editCount: Int

    init(_ message: TranscriptMessage) {
        id = message.messageID
        text = message.text
        html = message.html
        fromID = message.from.id
        fromBot = message.fromBot
        pinned = message.pinned
        deleted = message.deleted
        buttonRows = message.buttons.map { $0.map(\.text) }
        var data: [String: String] = [:]
        for button in message.buttons.flatMap({ $0 }) {
            if let value = button.callbackData { data[button.text] = value }
        }
        buttonData = data
        forceReply = message.forceReply
        replyTo = message.replyToMessageID
        editCount = max(0, (message.revisions?.count ?? 1) - 1)
    }

    var buttons: [String] { buttonRows.flatMap { $0 } }

    /// Whether this is the card of incident `number` ("0001"), as the bot shows it.
    func isCard(_ number: String) -> Bool { fromBot && text.hasPrefix("#\(number) · ") }

    var description: String {
        var line = "[\(id)]\(fromBot ? " bot" : " \(fromID)")\(pinned ? " pinned" : "")\(deleted ? " deleted" : "")"
        if let replyTo { line += " reply-to \(replyTo)" }
        line += ": " + text.replacingOccurrences(of: "\n", with: " | ")
        if !buttons.isEmpty { line += " {" + buttons.joined(separator: " / ") + "}" }
        return line
    }
}

extension RunningSystem {
    // MARK: Reading the group

    func transcript(_ chat: Int64) async throws -> [ChatMessage] {
        try await messages(chat).map(ChatMessage.init)
    }

    /// Polls the transcript until `condition` holds; fails with the transcript and the logs.
    @discardableResult
    func waitFor(
        _ chat: Int64, _ what: String, timeout: Duration = .seconds(30),
        _ condition: ([ChatMessage]) -> Bool
    ) async throws -> [ChatMessage] {
        let deadline = ContinuousClock.now + timeout
        var last: [ChatMessage] = []
        while ContinuousClock.now < deadline {
            last = try await transcript(chat)
            if condition(last) { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("timed out waiting for \(what); transcript of \(chat):\n\(last.map(\.description).joined(separator: "\n"))\nlogs:\n\(logs)")
    }

    /// The live (not deleted) card of incident `number`: the newest one if it was posted again.
    func card(_ number: String, in chat: Int64) async throws -> ChatMessage? {
        try await transcript(chat).last { $0.isCard(number) && !$0.deleted }
    }

    /// Waits until the live card of `number` satisfies `condition`; returns it.
    @discardableResult
    func waitForCard(
        _ number: String, in chat: Int64, _ what: String, timeout: Duration = .seconds(30),
        _ condition: (ChatMessage) -> Bool = { _ in true }
    ) async throws -> ChatMessage {
        let messages = try await waitFor(chat, "card #\(number): \(what)", timeout: timeout) { messages in
            guard let card = messages.last(where: { $0.isCard(number) && !$0.deleted }) else { return false }
            return condition(card)
        }
        return messages.last { $0.isCard(number) && !$0.deleted }!
    }

    /// Messages of the bot (not cards) whose text contains `fragment`.
    func botMessages(_ chat: Int64, containing fragment: String) async throws -> [ChatMessage] {
        try await transcript(chat).filter { $0.fromBot && $0.text.contains(fragment) && !$0.text.hasPrefix("#") }
    }

    // MARK: Acting as people

    /// A person writes in the chat (on behalf of a chat when `identity` says so); returns the
    /// message id.
    @discardableResult
    func say(_ text: String, in chat: Int64, as user: Int64, replyTo: Int? = nil, identity: PostedAs = .person) async throws -> Int {
        try await simulator.post(NewMessage(from: user, text: text, replyTo: replyTo, identity: identity), in: chat).messageID
    }

    /// A person sends a command; returns the message id.
    @discardableResult
    func command(
        _ command: String, in chat: Int64, as user: Int64, replyTo: Int? = nil, mentionBot: Bool = false,
        identity: PostedAs = .person
    ) async throws -> Int {
        let command = NewCommand(from: user, command: command, mentionBot: mentionBot, replyTo: replyTo, identity: identity)
        return try await simulator.send(command, in: chat).messageID
    }

    /// Someone describes a problem and replies `/new_issue` to it; waits for the pinned card
    /// of `number` and returns it.
    func report(
        _ text: String, number: String, in chat: Int64 = World.chat, as user: Int64 = World.driver,
        command: String = "/new_issue"
    ) async throws -> ChatMessage {
        let reported = try await say(text, in: chat, as: user)
        try await self.command(command, in: chat, as: user, replyTo: reported)
        return try await waitForCard(number, in: chat, "posted and pinned") { $0.pinned }
    }

    /// Presses a button by its label and waits for the answer.
    @discardableResult
    func press(_ button: String, on message: Int, in chat: Int64 = World.chat, as user: Int64) async throws -> CallbackAnswer {
        try await answer(try await press(chat, message: message, button: button, as: user))
    }

    /// Presses a button with raw callback data (as a forged client would) and waits for the answer.
    @discardableResult
    func press(data: String, on message: Int, in chat: Int64 = World.chat, as user: Int64) async throws -> CallbackAnswer {
        try await answer(try await simulator.press(.data(data), on: message, in: chat, by: user).id)
    }

    /// Sends `/help` and waits for its answer: everything the bot decided before it in this
    /// chat has been delivered by then (one chat's calls go out in order).
    func barrier(_ chat: Int64 = World.chat, as user: Int64 = World.stranger) async throws {
        let before = try await transcript(chat).filter { $0.fromBot && $0.text.hasPrefix("I run incidents") }.count
        try await command("/help", in: chat, as: user)
        try await waitFor(chat, "the answer to /help") { messages in
            messages.filter { $0.fromBot && $0.text.hasPrefix("I run incidents") }.count > before
        }
    }

    // MARK: Admin API and the call log

    /// The admin API's view of incident `number` in `chat` (with its timeline).
    func incident(_ number: String, in chat: Int64 = World.chat) async throws -> [String: Any] {
        let list = try await admin("GET", "incidents?chat_id=\(chat)") as? [String: Any]
        let found = (list?["incidents"] as? [[String: Any]] ?? []).first { $0["number"] as? String == number }
        guard let id = found?["id"] as? Int else { throw TestFailure("no incident \(number) in chat \(chat): \(String(describing: list))") }
        return try await admin("GET", "incidents/\(id)") as? [String: Any] ?? [:]
    }

    func status(_ number: String, in chat: Int64 = World.chat) async throws -> String {
        try await incident(number, in: chat)["status"] as? String ?? "?"
    }

    /// Timeline actions of incident `number`, oldest first.
    func timeline(_ number: String, in chat: Int64 = World.chat) async throws -> [String] {
        let timeline = try await incident(number, in: chat)["timeline"] as? [[String: Any]] ?? []
        return timeline.compactMap { $0["action"] as? String }
    }

    /// Bot API calls the simulator recorded, optionally of one method.
    func calls(_ method: String? = nil) async throws -> [RecordedCall] {
        try await simulator.calls(method: method)
    }
}

/// Labels of the card's buttons without the lock mark of restricted departments.
extension ChatMessage {
    func has(_ label: String) -> Bool { buttons.contains(label) }
}
