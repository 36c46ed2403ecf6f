#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Timestamps

/// The incident state machine: every decision is a pure function of the incident, the action,
/// who acts, the context and the time, returning either a ``Refusal`` or a ``Decision`` (the
/// new incident and its effects as data).
///
/// Every accepted decision increments ``Incident/version``; the card version increments
/// exactly when the card's content or buttons change, and then the decision carries an
/// ``Effect/updateCard(_:)`` with the new card.
public enum IncidentMachine {
    /// Longest reported text or summary accepted (Telegram's message limit, UTF-16 units).
    public static let maximumTextLength = HTML.maximumMessageLength

    // MARK: Create

    /// `/new_issue`: creates incident `context.incidentID` numbered `context.number`, in
    /// awaiting_department, with its card posted (as a reply to the reported message) and pinned.
    public static func create(
        _ request: CreateRequest, in chat: ChatRef, context: CreationContext, now: Date
    ) -> Result<Decision, Refusal> {
        guard chat.kind.isGroup else { return .failure(.groupsOnly) }
        guard let group = context.group, group.isActive, let companyID = group.companyID else {
            return .failure(.groupNotActivated(chat.id))
        }
        guard let reported = request.reported else { return .failure(.notAReply) }
        guard reported.text.utf16.count <= maximumTextLength else {
            return .failure(.descriptionTooLong(limit: maximumTextLength))
        }
        guard !context.departments.isEmpty else { return .failure(.noDepartments) }
        let reporter = request.reporter.id
        let isMember = context.members.values.contains { $0.contains { $0.userID == reporter } }
        guard context.reporterIsRegisteredDriver || isMember || group.managerIDs.contains(reporter)
        else { return .failure(.reporterNotAllowed) }

        let text = reported.text.trimmedOfWhitespace.isEmpty
            ? Texts.noText : reported.text
        let incident = Incident(
            id: context.incidentID, chatID: chat.id, companyID: companyID, number: context.number,
            reporterID: reporter, report: Report(text: text, messageID: reported.messageID, attachments: reported.attachments),
            createdAt: now)
        let cardContext = DecisionContext(
            group: group, departments: context.departments, members: context.members,
            people: [reporter: request.reporter], policy: context.policy)
        return .success(Decision(incident: incident, effects: [
            .postCard(card(for: incident, context: cardContext), replyTo: reported.messageID),
            .pinCard(incident.id),
            .appendTimeline(TimelineEntry(
                kind: .created, at: now, actorID: reporter,
                detail: TimelineDetail(number: context.number))),
        ]))
    }

    // MARK: Decide

    /// Decides `action` on `incident` by `initiator` at `now`.
    public static func decide(
        _ incident: Incident, _ action: IncidentAction, by initiator: Initiator,
        context: DecisionContext, now: Date
    ) -> Result<Decision, Refusal> {
        var step: Step
        var answer: (query: CallbackQueryID, text: String?)?
        switch (action, initiator) {
        case (.press(let button, let version, let query), .user(let person)):
            if let refusal = refusal(pressing: button, drawnFor: version, on: incident, context: context) {
                return .failure(refusal)
            }
            switch press(button, incident, by: person.id, context: context, now: now) {
            case .failure(let refusal): return .failure(refusal)
            case .success(let pressed): step = pressed
            }
            closePickerWhereNotOffered(&step.incident)
            answer = (query, step.answer)
        case (.submitSummary(let text, _), .user(let person)):
            switch submitSummary(text, incident, by: person.id, context: context, now: now) {
            case .failure(let refusal): return .failure(refusal)
            case .success(let submitted): step = submitted
            }
        case (.autoClose, .clock):
            guard incident.status == .awaitingSummary else {
                return .failure(.notAvailable(incident.number, incident.status))
            }
            guard context.policy.due(for: incident, at: now) == .autoClose else {
                return .failure(.notDue)
            }
            step = autoClose(incident, now: now)
        case (.nudge, .clock):
            switch nudge(incident, context: context, now: now) {
            case .failure(let refusal): return .failure(refusal)
            case .success(let nudged): step = nudged
            }
        case (.press, .clock), (.submitSummary, .clock), (.autoClose, .user), (.nudge, .user):
            return .failure(.wrongInitiator)
        }
        return .success(finish(step, from: incident, answer: answer, context: context))
    }

    /// What a handler decides; ``finish(_:from:answer:context:)`` adds the version bumps, the
    /// card update and the answer.
    struct Step {
        var incident: Incident
        var answer: String? = nil
        var effects: [Effect] = []
        var timeline: [TimelineEntry] = []
    }

    private static func finish(
        _ step: Step, from old: Incident, answer: (query: CallbackQueryID, text: String?)?,
        context: DecisionContext
    ) -> Decision {
        var new = step.incident
        new.version = old.version + 1
        new.cardVersion = old.cardVersion
        var effects: [Effect] = []
        if let answer {
            effects.append(.answerPress(PressAnswer(query: answer.query, text: answer.text, showAlert: false)))
        }
        if card(for: new, context: context) != card(for: old, context: context) {
            new.cardVersion += 1
            effects.append(.updateCard(card(for: new, context: context)))
        }
        markBoundaries(&new, from: old)
        effects += step.effects
        effects += step.timeline.map(Effect.appendTimeline)
        return Decision(incident: new, effects: effects)
    }

    // MARK: Ending participations and sessions

    /// Ends every active participation at `now`.
    static func endParticipations(_ incident: inout Incident, at now: Date) {
        for index in incident.participations.indices where incident.participations[index].isActive {
            incident.participations[index].endedAt = now
        }
    }

    /// Ends the current department session, if it is still open, for `end`.
    static func endSession(_ incident: inout Incident, _ end: DepartmentSession.End, at now: Date) {
        if let last = incident.sessions.indices.last, incident.sessions[last].endedAt == nil {
            incident.sessions[last].endedAt = now
            incident.sessions[last].end = end
        }
    }

    // MARK: Summary, auto-close, reminders

    private static func submitSummary(
        _ text: String, _ incident: Incident, by user: UserID, context: DecisionContext, now: Date
    ) -> Result<Step, Refusal> {
        guard incident.status == .awaitingSummary else {
            return .failure(.notAvailable(incident.number, incident.status))
        }
        guard user == incident.resolverID else {
            let name = incident.resolverID.map { context.name($0).displayName } ?? ""
            return .failure(.resolverOnly(name: name))
        }
        let summary = text.trimmedOfWhitespace
        guard !summary.isEmpty else { return .failure(.summaryEmpty) }
        guard summary.utf16.count <= maximumTextLength else {
            return .failure(.summaryTooLong(limit: maximumTextLength))
        }
        var next = incident
        next.status = .resolved
        next.summary = summary
        next.resolvedAt = now
        next.summaryDeadline = nil
        next.isPinned = false
        endParticipations(&next, at: now)
        endSession(&next, .resolved, at: now)
        return .success(Step(
            incident: next, effects: [.unpinCard(incident.id)],
            timeline: [TimelineEntry(
                kind: .resolved, at: now, actorID: user, detail: TimelineDetail(summary: summary))]))
    }

    private static func autoClose(_ incident: Incident, now: Date) -> Step {
        var next = incident
        next.status = .closed
        next.closedAt = now
        next.summaryDeadline = nil
        next.isPinned = false
        endParticipations(&next, at: now)
        endSession(&next, .closed, at: now)
        return Step(
            incident: next, effects: [.unpinCard(incident.id)],
            timeline: [TimelineEntry(kind: .autoClosed, at: now, actorID: nil)])
    }

    private static func nudge(_ incident: Incident, context: DecisionContext, now: Date) -> Result<Step, Refusal> {
        guard incident.status == .awaitingDepartment || incident.status == .awaitingClaim else {
            return .failure(.notAvailable(incident.number, incident.status))
        }
        guard let due = context.policy.due(for: incident, at: now) else { return .failure(.notDue) }
        var next = incident
        switch due {
        case .remindReporter:
            next.reporterNudged = true
            let message = OutgoingMessage(
                incidentID: incident.id,
                html: Texts.chooseDepartmentReminder(incident.number, reporter: context.mention(incident.reporterID)),
                replyTo: .card(incident.id), purpose: .reminder)
            return .success(Step(
                incident: next, effects: [.sendMessage(message)],
                timeline: [TimelineEntry(
                    kind: .nudged, at: now, actorID: nil,
                    detail: TimelineDetail(reminder: .departmentNotChosen))]))
        case .remindDepartment:
            guard let since = incident.waitingSince, let department = context.department(incident.departmentID)
            else { return .failure(.notDue) }
            let base = max(incident.lastNudgeAt ?? since, since)
            next.lastNudgeAt = max(
                context.policy.reminderSlot(since: since, at: now),
                Timestamp.rounded(base.addingTimeInterval(context.policy.unclaimedNudge)))
            let roster = context.roster(department.id)
            let messages = chunks(roster.mentions).enumerated().map { part, chunk in
                Effect.sendMessage(OutgoingMessage(
                    incidentID: incident.id,
                    html: Texts.unclaimedReminder(incident.number, department: department.name, mentions: chunk, part: part)
                        + (part == 0 && roster.nobodyOnShift ? Texts.nobodyOnShift(department.name) : ""),
                    replyTo: .card(incident.id), purpose: .reminder))
            }
            return .success(Step(
                incident: next, effects: messages,
                timeline: [TimelineEntry(
                    kind: .nudged, at: now, actorID: nil,
                    detail: TimelineDetail(departmentID: department.id, reminder: .unclaimed))]))
        case .autoClose:
            return .failure(.notAvailable(incident.number, incident.status))
        }
    }

    /// Splits mentions into messages of at most ``Texts/mentionsPerMessage``; one empty chunk
    /// when there is nobody to mention (the message still goes out).
    static func chunks(_ mentions: [Mention]) -> [[Mention]] {
        guard !mentions.isEmpty else { return [[]] }
        return stride(from: 0, to: mentions.count, by: Texts.mentionsPerMessage).map {
            Array(mentions[$0..<min($0 + Texts.mentionsPerMessage, mentions.count)])
        }
    }

    // MARK: Card

    /// The card of `incident` as it should look now.
    public static func card(for incident: Incident, context: DecisionContext) -> CardView {
        func data(_ action: ButtonAction) -> CallbackData {
            CallbackData(incidentID: incident.id, cardVersion: incident.cardVersion, action: action)
        }
        func departmentRows(_ departments: [Department], _ action: (DepartmentID) -> ButtonAction) -> [[CardView.Button]] {
            stride(from: 0, to: departments.count, by: 2).map { start in
                departments[start..<min(start + 2, departments.count)].map {
                    CardView.Button(label: Texts.departmentButton($0), data: data(action($0.id)))
                }
            }
        }
        let canTransfer = context.departments.count > 1
        var buttons: [[CardView.Button]]
        switch (incident.status, incident.isPickerOpen) {
        case (.awaitingDepartment, _):
            buttons = departmentRows(context.departments, ButtonAction.chooseDepartment)
        case (.awaitingClaim, true), (.inProgress, true):
            buttons = departmentRows(
                context.departments.filter { $0.id != incident.departmentID }, ButtonAction.pickDepartment)
            buttons.append([CardView.Button(label: Texts.backButton, data: data(.closePicker))])
        case (.awaitingClaim, false):
            buttons = [[CardView.Button(label: Texts.claimButton, data: data(.claim))]]
            if canTransfer {
                buttons[0].append(CardView.Button(label: Texts.changeDepartmentButton, data: data(.openPicker)))
            }
        case (.inProgress, false):
            buttons = [
                [CardView.Button(label: Texts.joinButton, data: data(.join)),
                 CardView.Button(label: Texts.leaveButton, data: data(.leave))],
                [CardView.Button(label: Texts.resolveButton, data: data(.resolve))],
            ]
            if canTransfer {
                buttons[1].append(CardView.Button(label: Texts.changeDepartmentButton, data: data(.openPicker)))
            }
        case (.awaitingSummary, _):
            buttons = [[CardView.Button(label: Texts.cancelResolveButton, data: data(.cancelResolve))]]
        case (.resolved, _), (.closed, _):
            buttons = [[CardView.Button(label: Texts.reopenButton, data: data(.reopen))]]
        }
        let showsResolver = incident.status == .awaitingSummary || incident.status == .resolved
        var view = CardView(
            incidentID: incident.id, number: incident.number, version: incident.cardVersion,
            status: incident.status, reporter: context.name(incident.reporterID),
            reportedText: incident.report.text,
            departmentName: context.department(incident.departmentID)?.name,
            participants: incident.activeParticipantIDs.map(context.name),
            resolver: showsResolver ? incident.resolverID.map(context.name) : nil,
            summary: incident.status == .resolved ? incident.summary : nil,
            isPickerOpen: incident.isPickerOpen && !incident.status.isFinished, buttons: buttons)
        withAttachments(&view, incident)
        return view
    }
}
