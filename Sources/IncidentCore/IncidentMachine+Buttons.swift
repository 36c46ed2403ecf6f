#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The buttons of a card: which the card offers, and what pressing each decides. A press has
/// already been checked against the card it was drawn for (``refusal(pressing:drawnFor:on:context:)``).
extension IncidentMachine {
    /// True if the card of `incident` shows a button of this kind.
    static func offers(_ button: ButtonAction, _ incident: Incident, _ context: DecisionContext) -> Bool {
        let canTransfer = context.departments.count > 1
        switch (incident.status, incident.isPickerOpen, button) {
        case (.awaitingDepartment, _, .chooseDepartment): return true
        case (.awaitingClaim, false, .claim): return true
        case (.inProgress, false, .join), (.inProgress, false, .leave), (.inProgress, false, .resolve):
            return true
        case (.awaitingClaim, false, .openPicker), (.inProgress, false, .openPicker):
            return canTransfer
        case (.awaitingClaim, true, .pickDepartment), (.inProgress, true, .pickDepartment),
            (.awaitingClaim, true, .closePicker), (.inProgress, true, .closePicker):
            return true
        case (.awaitingSummary, _, .cancelResolve): return true
        case (.resolved, _, .reopen), (.closed, _, .reopen): return true
        default: return false
        }
    }

    /// Decides a press of `button` by `user`: one function per button.
    static func press(
        _ button: ButtonAction, _ incident: Incident, by user: UserID, context: DecisionContext, now: Date
    ) -> Result<Step, Refusal> {
        switch button {
        case .chooseDepartment(let id): chooseDepartment(id, incident, by: user, context: context, now: now)
        case .claim: claim(incident, by: user, context: context, now: now)
        case .join: join(incident, by: user, context: context, now: now)
        case .leave: leave(incident, by: user, now: now)
        case .resolve: resolve(incident, by: user, context: context, now: now)
        case .cancelResolve: cancelResolve(incident, by: user, context: context, now: now)
        case .reopen: reopen(incident, by: user, context: context, now: now)
        case .openPicker: openPicker(incident, by: user, context: context)
        case .closePicker: closePicker(incident, by: user, context: context)
        case .pickDepartment(let id): pickDepartment(id, incident, by: user, context: context, now: now)
        }
    }

    /// The reporter (or a manager) sends a new incident to its first department.
    private static func chooseDepartment(
        _ id: DepartmentID, _ incident: Incident, by user: UserID, context: DecisionContext, now: Date
    ) -> Result<Step, Refusal> {
        guard let department = context.department(id) else { return .failure(.unknownDepartment) }
        guard user == incident.reporterID || context.isManager(user) else { return .failure(.reporterOrManagerOnly) }
        if let refusal = refusal(assigning: department, by: user, context: context) { return .failure(refusal) }
        var next = incident
        assign(&next, to: department, by: user, now: now)
        return .success(Step(
            incident: next, answer: Texts.chosen(incident.number, department.name),
            effects: departmentCall(next, department, context: context, reopened: false),
            timeline: [TimelineEntry(
                kind: .departmentAssigned, at: now, actorID: user,
                detail: TimelineDetail(departmentID: id))]))
    }

    /// A member of the department takes the incident: in progress.
    private static func claim(
        _ incident: Incident, by user: UserID, context: DecisionContext, now: Date
    ) -> Result<Step, Refusal> {
        if let refusal = refusalToNonMembers(incident, user, context) { return .failure(refusal) }
        var next = incident
        next.participations.append(Participation(
            userID: user, kind: .claimed, session: next.sessions.count - 1, startedAt: now))
        if let last = next.sessions.indices.last, next.sessions[last].firstClaimedAt == nil {
            next.sessions[last].firstClaimedAt = now
        }
        next.status = .inProgress
        next.waitingSince = nil
        next.lastNudgeAt = nil
        return .success(Step(
            incident: next, answer: Texts.claimed(incident.number),
            timeline: [TimelineEntry(kind: .claimed, at: now, actorID: user)]))
    }

    /// Another member of the department works on it too.
    private static func join(
        _ incident: Incident, by user: UserID, context: DecisionContext, now: Date
    ) -> Result<Step, Refusal> {
        if let refusal = refusalToNonMembers(incident, user, context) { return .failure(refusal) }
        guard !incident.isActiveParticipant(user) else { return .failure(.alreadyParticipating) }
        var next = incident
        next.participations.append(Participation(
            userID: user, kind: .joined, session: next.sessions.count - 1, startedAt: now))
        return .success(Step(
            incident: next, answer: Texts.joined(incident.number),
            timeline: [TimelineEntry(kind: .joined, at: now, actorID: user)]))
    }

    /// A participant stops; when the last one leaves, the incident waits for a claim again.
    private static func leave(_ incident: Incident, by user: UserID, now: Date) -> Result<Step, Refusal> {
        guard let index = incident.participations.firstIndex(where: { $0.isActive && $0.userID == user })
        else { return .failure(.notParticipating) }
        var next = incident
        next.participations[index].endedAt = now
        if next.activeParticipantIDs.isEmpty {
            next.status = .awaitingClaim
            next.waitingSince = now
            next.lastNudgeAt = nil
        }
        return .success(Step(
            incident: next, answer: Texts.left(incident.number),
            timeline: [TimelineEntry(kind: .left, at: now, actorID: user)]))
    }

    /// A participant (or a manager) asks to resolve: the summary is asked for.
    private static func resolve(
        _ incident: Incident, by user: UserID, context: DecisionContext, now: Date
    ) -> Result<Step, Refusal> {
        guard incident.isActiveParticipant(user) || context.isManager(user) else {
            return .failure(.participantOrManagerOnly)
        }
        var next = incident
        next.status = .awaitingSummary
        next.resolverID = user
        next.resolveRound += 1
        next.summaryDeadline = context.policy.summaryDeadline(resolveRequestedAt: now)
        let prompt = OutgoingMessage(
            incidentID: incident.id,
            html: Texts.summaryPrompt(incident.number, resolver: context.mention(user)),
            replyTo: .card(incident.id),
            forceReply: ReplyPrompt(selective: true, placeholder: Texts.summaryPlaceholder(incident.number)),
            purpose: .summaryPrompt(round: next.resolveRound))
        return .success(Step(
            incident: next, answer: Texts.resolveRequested(incident.number),
            effects: [.sendMessage(prompt)],
            timeline: [TimelineEntry(kind: .resolutionRequested, at: now, actorID: user)]))
    }

    /// The resolver (or a manager) takes the request back: in progress again.
    private static func cancelResolve(
        _ incident: Incident, by user: UserID, context: DecisionContext, now: Date
    ) -> Result<Step, Refusal> {
        guard user == incident.resolverID || context.isManager(user) else {
            let name = incident.resolverID.map { context.name($0).displayName } ?? ""
            return .failure(.resolverOrManagerOnly(name: name))
        }
        var next = incident
        next.status = .inProgress
        next.resolverID = nil
        next.summaryDeadline = nil
        return .success(Step(
            incident: next, answer: Texts.resolveCancelled(incident.number),
            timeline: [TimelineEntry(kind: .resolveCancelled, at: now, actorID: user)]))
    }

    /// A member of the department (or a manager) reopens a finished incident within the
    /// reopen window: a new episode, assigned to the same department, pinned again.
    private static func reopen(
        _ incident: Incident, by user: UserID, context: DecisionContext, now: Date
    ) -> Result<Step, Refusal> {
        guard let department = context.department(incident.departmentID) else { return .failure(.unknownDepartment) }
        guard context.isMember(user, of: incident.departmentID) || context.isManager(user) else {
            return .failure(.departmentMembersOnly(department: department.name, managersToo: true))
        }
        guard let deadline = context.policy.reopenDeadline(for: incident), now <= deadline else {
            return .failure(.reopenWindowPassed(days: context.policy.reopenWindowDays))
        }
        var next = incident
        next.summary = nil
        next.resolverID = nil
        next.resolvedAt = nil
        next.closedAt = nil
        next.summaryDeadline = nil
        next.isPinned = true
        assign(&next, to: department, by: user, now: now)
        return .success(Step(
            incident: next, answer: Texts.reopened(incident.number),
            effects: [.pinCard(incident.id)]
                + departmentCall(next, department, context: context, reopened: true),
            timeline: [TimelineEntry(
                kind: .reopened, at: now, actorID: user,
                detail: TimelineDetail(departmentID: department.id))]))
    }

    /// "Change department": the card lists the other departments.
    private static func openPicker(_ incident: Incident, by user: UserID, context: DecisionContext) -> Result<Step, Refusal> {
        if let refusal = refusalToChangeDepartment(incident, user, context) { return .failure(refusal) }
        var next = incident
        next.isPickerOpen = true
        return .success(Step(incident: next))
    }

    /// "Back": the card shows its buttons again.
    private static func closePicker(_ incident: Incident, by user: UserID, context: DecisionContext) -> Result<Step, Refusal> {
        if let refusal = refusalToChangeDepartment(incident, user, context) { return .failure(refusal) }
        var next = incident
        next.isPickerOpen = false
        return .success(Step(incident: next))
    }

    /// A department picked in the picker: the incident is transferred there, waiting for a
    /// claim; the participants of the old department stop.
    private static func pickDepartment(
        _ id: DepartmentID, _ incident: Incident, by user: UserID, context: DecisionContext, now: Date
    ) -> Result<Step, Refusal> {
        if let refusal = refusalToChangeDepartment(incident, user, context) { return .failure(refusal) }
        guard let department = context.department(id) else { return .failure(.unknownDepartment) }
        guard id != incident.departmentID else {
            return .failure(.sameDepartment(name: department.name))
        }
        if let refusal = refusal(assigning: department, by: user, context: context) { return .failure(refusal) }
        var next = incident
        endParticipations(&next, at: now)
        endSession(&next, .transferred, at: now)
        assign(&next, to: department, by: user, now: now)
        return .success(Step(
            incident: next, answer: Texts.transferred(incident.number, department.name),
            effects: departmentCall(next, department, context: context, reopened: false),
            timeline: [TimelineEntry(
                kind: .departmentAssigned, at: now, actorID: user,
                detail: TimelineDetail(departmentID: id, previousDepartmentID: incident.departmentID))]))
    }

    // MARK: Who may press

    /// Claim and join: members of the incident's department only.
    private static func refusalToNonMembers(_ incident: Incident, _ user: UserID, _ context: DecisionContext) -> Refusal? {
        guard context.isMember(user, of: incident.departmentID) else {
            return .departmentMembersOnly(department: context.department(incident.departmentID)?.name ?? "", managersToo: false)
        }
        return nil
    }

    /// The picker's buttons: members of the incident's department and managers.
    private static func refusalToChangeDepartment(_ incident: Incident, _ user: UserID, _ context: DecisionContext) -> Refusal? {
        guard context.isMember(user, of: incident.departmentID) || context.isManager(user) else {
            return .departmentMembersOnly(department: context.department(incident.departmentID)?.name ?? "", managersToo: true)
        }
        return nil
    }

    /// A restricted department takes incidents only from its members and managers.
    private static func refusal(assigning department: Department, by user: UserID, context: DecisionContext) -> Refusal? {
        guard !department.restricted || context.isManager(user) || context.isMember(user, of: department.id) else {
            return .restrictedDepartment(name: department.name)
        }
        return nil
    }

    // MARK: Assignment

    /// Sends the incident to `department`: a new session, waiting for a claim from now.
    private static func assign(_ incident: inout Incident, to department: Department, by user: UserID, now: Date) {
        incident.status = .awaitingClaim
        incident.departmentID = department.id
        incident.isPickerOpen = false
        incident.departmentAssignedAt = now
        incident.waitingSince = now
        incident.lastNudgeAt = nil
        incident.sessions.append(DepartmentSession(departmentID: department.id, assignedAt: now, assignedBy: user))
    }

    /// Messages mentioning `department`'s members, a handful per message.
    private static func departmentCall(
        _ incident: Incident, _ department: Department, context: DecisionContext, reopened: Bool
    ) -> [Effect] {
        let roster = context.roster(department.id)
        let calls = chunks(roster.mentions).enumerated().map { part, chunk in
            Effect.sendMessage(OutgoingMessage(
                incidentID: incident.id,
                html: Texts.departmentCall(incident.number, department: department.name, mentions: chunk, part: part, reopened: reopened)
                    + (part == 0 && roster.nobodyOnShift ? Texts.nobodyOnShift(department.name) : ""),
                replyTo: .card(incident.id), purpose: .departmentCall))
        }
        // The people called who asked for personal messages are also told in private.
        var told = Set<UserID>()
        let direct = roster.mentions.compactMap(\.userID).filter {
            context.directMessageUsers.contains($0) && told.insert($0).inserted
        }.map { user in
            Effect.sendDirect(DirectMessage(
                userID: user, incidentID: incident.id,
                html: Texts.assignedDirect(
                    incident.number, department: department.name, groupTitle: context.group.title,
                    report: incident.report.text, reopened: reopened)))
        }
        return calls + direct
    }
}
