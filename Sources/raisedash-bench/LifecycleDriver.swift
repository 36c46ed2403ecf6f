import Foundation
import SimulatorClient

/// The people of one benchmark group: its chat, a registered driver who reports, and a
/// dispatcher (a member of the Dispatch department) who claims and resolves.
struct GroupCast: Sendable {
    let index: Int
    let chat: Int64
    let driver: Int64
    let dispatcher: Int64

    static let manager: Int64 = 7_000_001

    init(index: Int) {
        self.index = index
        chat = -1_009_500_000_001 - Int64(index)
        driver = 7_100_000 + Int64(index)
        dispatcher = 7_200_000 + Int64(index)
    }
}

/// What one lifecycle measured, in milliseconds.
struct LifecycleTimings: Sendable {
    /// Sending /new_issue -> the card in the chat.
    var newIssueToCard: Double
    /// Each press -> its callback query answered: department, Claim, Resolve.
    var chooseAnswer: Double
    var claimAnswer: Double
    var resolveAnswer: Double
    /// The summary reply sent -> the card shows it (resolved).
    var summaryToResolved: Double
    /// The report posted -> the resolved card.
    var whole: Double
    /// Summary replies the incident service processed and ignored, so the person replied
    /// again (see `LifecycleDriver.lifecycle`).
    var ignoredSummaries: Int
}

/// Acts as the people of a group through the simulator's control API, one incident at a
/// time, the way they would in Telegram: press only what the card shows, reply to the
/// prompt the bot sent.
struct LifecycleDriver: Sendable {
    let control: SimulatorClient
    let admin: AdminClient
    let watch: CallWatch
    /// How long one step may take before the run fails.
    let stepTimeout: Duration

    static func milliseconds(_ duration: Duration) -> Double { duration / .milliseconds(1) }

    /// What the bot does to a chat's messages.
    static let sends: Set<String> = ["sendMessage"]
    static let edits: Set<String> = ["editMessageText", "editMessageReplyMarkup"]

    /// Reads the chat's transcript until `find` finds something, reading again whenever the
    /// bot changes the chat's messages. The first read waits for a call in `methods` after
    /// `mark` (taken before the action that causes it): reading before the bot could have
    /// answered only loads the simulator.
    func waitInChat<Found>(
        _ chat: Int64, _ what: String, after mark: Int, _ methods: Set<String>, _ find: (Transcript) -> Found?
    ) async throws -> Found {
        let deadline = ContinuousClock.now + stepTimeout
        var generation = watch.generation(chat)
        if watch.firstCall(chat, methods, after: mark) == nil {
            await watch.wait(chat, after: generation)
        }
        while true {
            generation = watch.generation(chat)
            let transcript = try await control.transcript(chat)
            if let found = find(transcript) { return found }
            guard ContinuousClock.now < deadline else {
                let recent = transcript.messages.suffix(6).map { "  [\($0.messageID)] \($0.fromBot ? "bot" : "\($0.from.id)"): \($0.text.prefix(80)) \($0.buttonLabels)" }
                throw LoadFailure("chat \(chat): no \(what) within \(stepTimeout); the chat ends with:\n\(recent.joined(separator: "\n"))")
            }
            await watch.wait(chat, after: generation)
            try Task.checkCancellation()
        }
    }

    /// Milliseconds from `sent` to the first call in `methods` about `chat` after `mark`:
    /// when the bot's answer reached Telegram, by the simulator's own record. A transcript
    /// read grows with the chat, so the moment a driver sees the answer would tell more
    /// about the chat's length than about the system. Falls back to now when the call was
    /// not read (it always is, before the transcript shows its effect).
    func answered(_ chat: Int64, _ methods: Set<String>, after mark: Int, sent: Date) -> Double {
        let at = watch.firstCall(chat, methods, after: mark)?.at ?? Date()
        return max(0, at.timeIntervalSince(sent) * 1000)
    }

    /// Presses a button and waits for the bot's answer to the callback query; returns the
    /// milliseconds from the press to the answer. An alert answer is a refusal: the run fails.
    func press(_ chat: Int64, message: Int, button: String, as user: Int64) async throws -> Double {
        let started = ContinuousClock.now
        var query = try await control.press(.labelled(button), on: message, in: chat, by: user)
        let deadline = started + stepTimeout
        while !query.answered {
            let generation = watch.generation(CallWatch.answers)
            query = try await control.callbackQuery(query.id)
            if query.answered { break }
            guard ContinuousClock.now < deadline else {
                throw LoadFailure("chat \(chat): the press on \"\(button)\" (message \(message)) was not answered within \(stepTimeout)")
            }
            await watch.wait(CallWatch.answers, after: generation)
            try Task.checkCancellation()
        }
        let answered = ContinuousClock.now
        if query.answer?.showAlert == true {
            throw LoadFailure("chat \(chat): \"\(button)\" was refused: \(query.answer?.text ?? "(no text)")")
        }
        return Self.milliseconds(answered - started)
    }

    /// `/register_driver` for the group's driver, waiting for the bot's reply.
    func registerDriver(_ cast: GroupCast) async throws {
        let mark = watch.mark
        let command = try await control.send(NewCommand(from: cast.driver, command: "register_driver"), in: cast.chat).messageID
        _ = try await waitInChat(cast.chat, "answer to /register_driver", after: mark, Self.sends) { transcript in
            transcript.messages.last { $0.fromBot && $0.replyToMessageID == command }
        }
    }

    /// One incident from report to resolved card.
    func lifecycle(_ cast: GroupCast, number: Int) async throws -> LifecycleTimings {
        let chat = cast.chat
        let label = "\(cast.index + 1)-\(number + 1)"
        let began = ContinuousClock.now
        let report = try await control.say(
            "Truck \(label): flat tyre at gate \(number % 9 + 1)", in: chat, from: cast.driver).messageID

        var mark = watch.mark
        let reported = Date()
        try await control.send(NewCommand(from: cast.driver, command: "new_issue", replyTo: report), in: chat)
        let card = try await waitInChat(chat, "card for report \(report) (incident \(label))", after: mark, Self.sends) { transcript in
            transcript.messages.last { $0.fromBot && $0.replyToMessageID == report && !$0.buttonLabels.isEmpty }?.messageID
        }
        let newIssueToCard = answered(chat, Self.sends, after: mark, sent: reported)

        /// Presses `button` on the card, then waits until the card shows `next`.
        func press(_ button: String, as user: Int64, then next: String) async throws -> Double {
            let mark = watch.mark
            let milliseconds = try await self.press(chat, message: card, button: button, as: user)
            _ = try await waitInChat(chat, "\"\(next)\" on card \(card)", after: mark, Self.edits) { transcript in
                transcript.messages.first { $0.messageID == card }.flatMap { $0.buttonLabels.contains(next) ? true : nil }
            }
            return milliseconds
        }
        let choose = try await press("Dispatch", as: cast.driver, then: "Claim")
        let claim = try await press("Claim", as: cast.dispatcher, then: "Resolve")
        mark = watch.mark
        let resolve = try await self.press(chat, message: card, button: "Resolve", as: cast.dispatcher)
        let prompt = try await waitInChat(chat, "summary prompt for card \(card)", after: mark, Self.sends) { transcript in
            transcript.messages.last { $0.fromBot && $0.forceReply != nil && $0.replyToMessageID == card }?.messageID
        }

        let summary = "Tyre replaced on truck \(label), moving again"
        let (summaryToResolved, ignored) = try await summarize(cast, card: card, prompt: prompt, summary: summary)
        let finished = ContinuousClock.now
        return LifecycleTimings(
            newIssueToCard: newIssueToCard, chooseAnswer: choose, claimAnswer: claim, resolveAnswer: resolve,
            summaryToResolved: summaryToResolved, whole: Self.milliseconds(finished - began),
            ignoredSummaries: ignored)
    }

    /// Replies `summary` to the prompt and waits for the resolved card; returns the
    /// milliseconds from the reply that took effect to the card's edit, and how many
    /// replies were ignored before it.
    ///
    /// A reply can be ignored: the incident service matches it to the incident by the
    /// prompt's message id, which it learns from the sender's result, and a reply that
    /// arrives before that result is processed as a reply to nothing. A person would reply
    /// again; so does the driver, once the reply was processed (the gateway confirmed its
    /// update) and the incident still awaits its summary. The report counts these.
    func summarize(_ cast: GroupCast, card: Int, prompt: Int, summary: String) async throws -> (Double, Int) {
        let chat = cast.chat
        var mark = watch.mark
        var generation = watch.generation(chat)
        var sent = Date()
        var update = try await control.say(summary, in: chat, from: cast.dispatcher, replyTo: prompt).updateID
        var ignored = 0
        var checked = ContinuousClock.now
        let deadline = ContinuousClock.now + stepTimeout
        if watch.firstCall(chat, Self.edits, after: mark) == nil { await watch.wait(chat, after: generation) }
        while true {
            generation = watch.generation(chat)
            let transcript = try await control.transcript(chat)
            let resolved = transcript.messages.contains {
                $0.messageID == card && $0.text.contains(summary) && $0.buttonLabels.contains("Reopen")
            }
            if resolved { return (answered(chat, Self.edits, after: mark, sent: sent), ignored) }
            guard ContinuousClock.now < deadline else {
                throw LoadFailure("chat \(chat): card \(card) not resolved within \(stepTimeout) of the summary reply (\(ignored) replies ignored)")
            }
            if let pending = update, ContinuousClock.now - checked >= .seconds(1) {
                checked = ContinuousClock.now
                if try await !control.unconfirmedUpdates().contains(where: { $0.updateID == pending }),
                   try await admin.incidentCount(chat: chat, status: "awaiting_summary") > 0 {
                    ignored += 1
                    guard ignored < 5 else {
                        throw LoadFailure("chat \(chat): \(ignored) summary replies to prompt \(prompt) were processed and ignored")
                    }
                    mark = watch.mark
                    sent = Date()
                    update = try await control.say(summary, in: chat, from: cast.dispatcher, replyTo: prompt).updateID
                    continue
                }
            }
            await watch.wait(chat, after: generation)
            try Task.checkCancellation()
        }
    }
}
