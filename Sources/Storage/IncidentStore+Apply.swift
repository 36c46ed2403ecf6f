import Foundation
import GRDB
import IncidentCore
import Timestamps

extension IncidentStore {
    /// Applies one inbound update in one write transaction: checks that its update id is new,
    /// records the sender as seen, loads the state, lets the core decide, writes the new state
    /// with a compare-and-set guarded by the expected status and version, appends the timeline,
    /// writes the effects (or the refusal's answer) to the outbox and records the update id.
    ///
    /// A duplicate update id changes nothing and returns ``ApplyResult/Outcome/duplicate``. When
    /// the compare-and-set loses to a concurrent writer (another process on the same file), the
    /// whole transaction is rolled back and retried on the fresh state.
    public func apply(_ update: InboundUpdate) async throws(StoreError) -> ApplyResult {
        let policy = self.policy
        // A report is computed on a read connection before the write transaction, so that it
        // never holds the writer (see IncidentStore+KPI.swift).
        let reportHTML = try await reportMessage(for: update)
        var attempt = 0
        while true {
            do {
                let context = configuration.issueContext
                let floodControl = configuration.floodControl
                return try await write { db in
                    try Self.apply(
                        update, in: db, policy: policy, reportHTML: reportHTML, issueContext: context,
                        floodControl: floodControl)
                }
            } catch let error where error.code == .conflict && attempt < configuration.conflictRetries {
                attempt += 1
            }
        }
    }

    /// ``apply(_:)`` spelled out.
    public func apply(
        updateID: Int64, chat: ChatRef, sender: Person?, event: InboundUpdate.Event, now: Date
    ) async throws(StoreError) -> ApplyResult {
        try await apply(InboundUpdate(updateID: updateID, chat: chat, sender: sender, event: event, receivedAt: now))
    }

    static func apply(
        _ update: InboundUpdate, in db: Database, policy: SLAPolicy, reportHTML: String? = nil,
        issueContext: IssueContextPolicy = IssueContextPolicy(), floodControl: FloodControlPolicy = FloodControlPolicy()
    ) throws -> ApplyResult {
        if try db.row("SELECT 1 FROM processed_updates WHERE update_id = ?", [update.updateID]) != nil {
            return ApplyResult(outcome: .duplicate)
        }
        let now = Timestamp.rounded(update.receivedAt)
        if let sender = update.sender { try db.recordSeen(sender, now: now) }
        var transaction = Transaction(db: db, now: now, chat: update.chat, policy: policy)
        transaction.issueContext = issueContext
        transaction.requester = update.sender
        transaction.floodControl = floodControl
        if update.chat.kind.isGroup { transaction.group = try db.ensureGroup(update.chat, now: now) }

        let result: ApplyResult
        switch update.event {
        case .newIssue(let command, let reported):
            guard let sender = update.sender else { result = ApplyResult(outcome: .ignored); break }
            result = try transaction.create(
                CreateRequest(reporter: sender, commandMessageID: command, reported: reported))
        case .press(let query, let data):
            guard let sender = update.sender else { result = ApplyResult(outcome: .ignored); break }
            result = try transaction.press(query: query, data: data, by: sender)
        case .reply(let message, let replyTo, let text):
            guard let sender = update.sender else { result = ApplyResult(outcome: .ignored); break }
            result = try transaction.reply(message: message, to: replyTo, text: text, by: sender)
        case .registerDriver(let command):
            guard let sender = update.sender else { result = ApplyResult(outcome: .ignored); break }
            result = try transaction.registerDriver(sender, command: command)
        case .help(let command):
            result = try transaction.finish(ChatDecisions.help(replyingTo: command))
        case .start(let command):
            result = try transaction.start(by: update.sender, command: command)
        case .notify(let command, let argument):
            result = try transaction.notify(argument, by: update.sender, command: command)
        case .report(let command, let argument):
            guard let sender = update.sender else { result = ApplyResult(outcome: .ignored); break }
            switch ChatDecisions.report(
                argument: argument, by: sender.id, in: update.chat, group: transaction.group?.group, html: reportHTML,
                command: command)
            {
            case .success(let effects): result = try transaction.finish(effects)
            case .failure(let refusal): result = try transaction.refuse(refusal, answering: .message(command, incident: nil))
            }
        case .botAdded:
            result = try transaction.botAdded()
            try transaction.recordAdder(update.sender)
        case .botMember(let canPin):
            result = try transaction.botAdded()
            try transaction.recordAdder(update.sender)
            if let group = transaction.group { try db.recordPinRight(canPin, groupRowID: group.rowID) }
        case .botRemoved where update.chat.kind == .private:
            // The person blocked the bot: personal messages off, quietly.
            guard let sender = update.sender, try db.directMessagesEnabled(sender.id) != nil else {
                result = ApplyResult(outcome: .ignored); break
            }
            try db.setDirectMessages(sender.id, enabled: false, reason: "blocked", now: now)
            result = ApplyResult(outcome: .applied)
        case .botRemoved:
            guard let group = transaction.group else { result = ApplyResult(outcome: .ignored); break }
            try db.markGroupInactive(group.rowID, now: now)
            result = ApplyResult(outcome: .applied)
        case .groupMessage(let message, let text, let attachments):
            guard let sender = update.sender, let group = transaction.group else { result = ApplyResult(outcome: .ignored); break }
            try db.rememberMessage(
                message, text: text, attachments: attachments, by: sender.id, groupRowID: group.rowID, now: now,
                policy: issueContext)
            result = ApplyResult(outcome: .applied)
        case .activate(let command, let code, let isAdministrator):
            guard let sender = update.sender else { result = ApplyResult(outcome: .ignored); break }
            result = try transaction.activate(code: code, by: sender, isAdministrator: isAdministrator, command: command)
        case .onBehalfOfChat(let message):
            result = try transaction.refuse(.sentOnBehalfOfChat, answering: .message(message, incident: nil))
        case .migrated(let newChat):
            let moved = try db.migrateGroup(from: update.chat.id, to: newChat, now: now)
            if moved, let group = try db.group(chatID: newChat) {
                try db.repostOpenCards(groupRowID: group.rowID, policy: policy, now: now)
            }
            result = ApplyResult(outcome: moved ? .applied : .ignored)
        }
        if case .deferred = result.outcome { return result }
        try db.run(
            "INSERT INTO processed_updates (update_id, processed_at, outcome) VALUES (?, ?, ?)",
            [update.updateID, stamp(now), result.outcome.label])
        return result
    }
}

extension ApplyResult.Outcome {
    var label: String {
        switch self {
        case .applied: "applied"
        case .refused: "refused"
        case .duplicate: "duplicate"
        case .ignored: "ignored"
        case .deferred: "deferred"
        }
    }
}

/// The work of one update inside its write transaction.
struct Transaction {
    let db: Database
    let now: Date
    let chat: ChatRef
    let policy: SLAPolicy
    var group: StoredGroup?
    var issueContext = IssueContextPolicy()
    /// Who sent the update: general notices it causes count against their flood control.
    var requester: Person?
    var floodControl = FloodControlPolicy()
    let encoder = jsonEncoder()

    init(db: Database, now: Date, chat: ChatRef, policy: SLAPolicy) {
        self.db = db
        self.now = now
        self.chat = chat
        self.policy = policy
    }

    // MARK: Incidents

    func create(_ request: CreateRequest) throws -> ApplyResult {
        // Not a reply: the reporter's own last messages of the last few minutes, if any.
        var request = request
        var contextMessages: [MessageID] = []
        if request.reported == nil, let group,
            let recent = try db.recentReport(
                by: request.reporter.id, before: request.commandMessageID, groupRowID: group.rowID, now: now,
                policy: issueContext)
        {
            request.reported = recent.reported
            contextMessages = recent.messages
        }
        let company = group?.group.companyID
        let departments = try company.map { try db.departments(company: $0) } ?? []
        let members = try company.map { try db.members(company: $0) } ?? [:]
        let isDriver = try group.map {
            try db.row(
                "SELECT 1 FROM registered_drivers WHERE group_id = ? AND user_id = ?",
                [$0.rowID, request.reporter.id.rawValue]) != nil
        } ?? false
        let lastID = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT value FROM counters WHERE name = 'incident_id'")) ?? 0
        let context = CreationContext(
            group: group?.group, departments: departments, members: members,
            reporterIsRegisteredDriver: isDriver, incidentID: IncidentID(lastID + 1),
            number: IncidentNumber(group?.nextNumber ?? 1), policy: policy)
        switch IncidentMachine.create(request, in: chat, context: context, now: now) {
        case .failure(let refusal):
            return try refuse(refusal, answering: .message(request.commandMessageID, incident: nil))
        case .success(let decision):
            guard let group else { throw StoreError.notFound("group") }
            try db.insertIncident(decision.incident, groupRowID: group.rowID)
            // The reported messages (replied to, or taken as context) are not offered again.
            try db.forgetMessages(
                contextMessages + [decision.incident.report.messageID].compactMap { $0 }, groupRowID: group.rowID)
            try db.run("UPDATE counters SET value = ? WHERE name = 'incident_id' AND value = ?", [lastID + 1, lastID])
            guard db.changesCount == 1 else { throw CompareAndSetConflict() }
            try db.run(
                "UPDATE groups SET next_incident_number = ? WHERE id = ? AND next_incident_number = ?",
                [group.nextNumber + 1, group.rowID, group.nextNumber])
            guard db.changesCount == 1 else { throw CompareAndSetConflict() }
            let ids = try persist(decision.effects, incident: decision.incident.id, group: group)
            return ApplyResult(
                outcome: .applied, incidentID: decision.incident.id, outboxIDs: ids,
                cardVersion: decision.incident.cardVersion)
        }
    }

    func press(query: CallbackQueryID, data raw: String, by sender: Person) throws -> ApplyResult {
        guard let data = CallbackData(parsing: raw) else {
            return try refuse(.unrecognisedButton, answering: .press(query))
        }
        guard let stored = try db.storedIncident(data.incidentID) else {
            return try refuse(.unknownIncident, answering: .press(query))
        }
        // The incident's group, also when the press comes from the chat the group had before
        // it became a supergroup (a card in the old group's history).
        guard let group, stored.groupRowID == group.rowID else {
            return try refuse(.incidentOfAnotherChat, answering: .press(query))
        }
        return try decide(
            .press(data.action, cardVersion: data.cardVersion, query: query), on: stored,
            by: .user(sender), trigger: .press(query))
    }

    func reply(message: MessageID, to prompt: MessageID, text: String, by sender: Person) throws -> ApplyResult {
        guard let group,
            let id = try Int64.fetchOne(
                db.cachedStatement(sql: """
                    SELECT id FROM incidents
                    WHERE group_id = ? AND summary_prompt_message_id = ? AND status = 'awaiting_summary'
                    """), arguments: [group.rowID, prompt.rawValue]),
            let stored = try db.storedIncident(IncidentID(id))
        else {
            // A summary prompt of this group not delivered yet (its message id unknown): this
            // may be the reply to it, arriving before the sender's result. Try again later.
            let waitingPrompt = try db.row(
                """
                SELECT 1 FROM incidents
                WHERE group_id = ? AND status = 'awaiting_summary' AND summary_prompt_message_id IS NULL
                """, [group?.rowID])
            return ApplyResult(outcome: waitingPrompt != nil ? .deferred : .ignored)
        }
        return try decide(
            .submitSummary(text: text, message: message), on: stored, by: .user(sender),
            trigger: .message(message, incident: stored.incident.id))
    }

    /// Decides `action` on a stored incident and writes the outcome.
    func decide(
        _ action: IncidentAction, on stored: StoredIncident, by initiator: Initiator,
        trigger: Refusal.Trigger
    ) throws -> ApplyResult {
        let incidentGroup: StoredGroup
        if let group, group.rowID == stored.groupRowID {
            incidentGroup = group
        } else if let loaded = try db.group(rowID: stored.groupRowID) {
            incidentGroup = loaded
        } else {
            throw StoreError.notFound("group of incident \(stored.incident.id)")
        }
        let actor: Person? = if case .user(let person) = initiator { person } else { nil }
        var context = try db.decisionContext(
            for: stored.incident, group: incidentGroup, actor: actor,
            policy: try db.policy(policy, company: stored.incident.companyID))
        context.rosters = try db.rosters(
            company: stored.incident.companyID, group: incidentGroup, members: context.members, now: now)
        context.directMessageUsers = try db.directMessageUsers()
        switch IncidentMachine.decide(stored.incident, action, by: initiator, context: context, now: now) {
        case .failure(let refusal):
            var result = try refuse(refusal, answering: trigger, group: incidentGroup)
            result.incidentID = stored.incident.id
            result.cardVersion = stored.incident.cardVersion
            return result
        case .success(let decision):
            try db.updateIncident(from: stored.incident, to: decision.incident)
            let ids = try persist(
                decision.effects, incident: decision.incident.id, group: incidentGroup,
                postReplyTo: .some(decision.incident.report.messageID))
            return ApplyResult(
                outcome: .applied, incidentID: decision.incident.id, outboxIDs: ids,
                cardVersion: decision.incident.cardVersion)
        }
    }

    // MARK: Chat commands

    func registerDriver(_ person: Person, command: MessageID) throws -> ApplyResult {
        let already = try group.map {
            try db.row(
                "SELECT 1 FROM registered_drivers WHERE group_id = ? AND user_id = ?",
                [$0.rowID, person.id.rawValue]) != nil
        } ?? false
        switch ChatDecisions.registerDriver(
            person, in: chat, group: group?.group, alreadyRegistered: already, command: command)
        {
        case .failure(let refusal):
            return try refuse(refusal, answering: .message(command, incident: nil))
        case .success(let outcome):
            if outcome.register, let group {
                try db.run(
                    "INSERT INTO registered_drivers (group_id, user_id, registered_at) VALUES (?, ?, ?)",
                    [group.rowID, person.id.rawValue, stamp(now)])
            }
            return try finish(outcome.effects)
        }
    }

    mutating func botAdded() throws -> ApplyResult {
        guard let current = group else { return ApplyResult(outcome: .ignored) }
        let (status, effects) = ChatDecisions.botAdded(to: chat, known: current.group)
        try db.run(
            "UPDATE groups SET status = ?, updated_at = ? WHERE id = ?",
            [status.rawValue, stamp(now), current.rowID])
        group?.group.status = status
        return try finish(effects)
    }

    /// Writes the effects of a command that changes no incident.
    func finish(_ effects: [Effect]) throws -> ApplyResult {
        ApplyResult(outcome: .applied, outboxIDs: try persist(effects, incident: nil, group: group))
    }

    func refuse(_ refusal: Refusal, answering trigger: Refusal.Trigger, group: StoredGroup? = nil) throws -> ApplyResult {
        let ids = try persist(refusal.effects(answering: trigger), incident: nil, group: group ?? self.group)
        return ApplyResult(outcome: .refused(refusal), outboxIDs: ids)
    }

    // MARK: Effects

    /// Appends timeline entries and writes the other effects to the outbox.
    func persist(
        _ effects: [Effect], incident: IncidentID?, group: StoredGroup?, postReplyTo: MessageID?? = nil
    ) throws -> [Int64] {
        var ids: [Int64] = []
        for effect in effects {
            if case .appendTimeline(let entry) = effect {
                guard let incident else { continue }
                try db.appendTimeline(entry, incident: incident, encoder: encoder)
            } else if let id = try db.enqueue(
                effect, groupRowID: group?.rowID, chatID: chat.id,
                groupIsInactive: group?.group.status == .inactive, now: now, encoder: encoder,
                postReplyTo: postReplyTo, requester: requester, floodControl: floodControl)
            {
                ids.append(id)
            }
        }
        return ids
    }
}
