import Foundation
import IncidentCore
import Testing

/// Every status x action x role: allowed or refused (with which reason), the resulting
/// status, and the exact effects. The expectations below are written from the issue's rules,
/// not derived from the machine.
@Suite struct TransitionTableTests {
    enum State: String, CaseIterable, Sendable {
        case awaitingDepartment, awaitingClaim, awaitingClaimPicker, inProgress, inProgressPicker
        case awaitingSummary, resolved, closed

        var incident: Incident {
            switch self {
            case .awaitingDepartment: Fixture.created
            case .awaitingClaim: Fixture.awaitingClaim
            case .awaitingClaimPicker: Fixture.awaitingClaimPicker
            case .inProgress: Fixture.inProgress
            case .inProgressPicker: Fixture.inProgressPicker
            case .awaitingSummary: Fixture.awaitingSummary
            case .resolved: Fixture.resolved
            case .closed: Fixture.closed
            }
        }

        var status: IncidentStatus {
            switch self {
            case .awaitingDepartment: .awaitingDepartment
            case .awaitingClaim, .awaitingClaimPicker: .awaitingClaim
            case .inProgress, .inProgressPicker: .inProgress
            case .awaitingSummary: .awaitingSummary
            case .resolved: .resolved
            case .closed: .closed
            }
        }
    }

    enum Action: String, CaseIterable, Sendable {
        case chooseDispatch, claim, join, leave, resolve, cancelResolve, reopen
        case openPicker, pickMaintenance, closePicker, submitSummary, autoClose, nudge

        var isPress: Bool { ![.submitSummary, .autoClose, .nudge].contains(self) }

        func incidentAction(version: Int) -> IncidentAction {
            let button: ButtonAction
            switch self {
            case .chooseDispatch: button = .chooseDepartment(Fixture.dispatch.id)
            case .claim: button = .claim
            case .join: button = .join
            case .leave: button = .leave
            case .resolve: button = .resolve
            case .cancelResolve: button = .cancelResolve
            case .reopen: button = .reopen
            case .openPicker: button = .openPicker
            case .pickMaintenance: button = .pickDepartment(Fixture.maintenance.id)
            case .closePicker: button = .closePicker
            case .submitSummary: return .submitSummary(text: "  Replaced the tyre \n", message: 901)
            case .autoClose: return .autoClose
            case .nudge: return .nudge
            }
            return .press(button, cardVersion: version, query: "q1")
        }
    }

    enum Role: String, CaseIterable, Sendable {
        case reporter, manager, ann, bob, carol, otherDepartment, outsider, clock

        var initiator: Initiator {
            switch self {
            case .reporter: .user(Fixture.reporter)
            case .manager: .user(Fixture.manager)
            case .ann: .user(Fixture.ann)
            case .bob: .user(Fixture.bob)
            case .carol: .user(Fixture.carol)
            case .otherDepartment: .user(Fixture.otto)
            case .outsider: .user(Fixture.outsider)
            case .clock: .clock
            }
        }

        var person: Person? { if case .user(let person) = initiator { person } else { nil } }
        var isDispatchMember: Bool { [.ann, .bob, .carol].contains(self) }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var state: State
        var action: Action
        var role: Role
        var testDescription: String { "\(state.rawValue) \(action.rawValue) by \(role.rawValue)" }
    }

    static let cases: [Case] = State.allCases.flatMap { state in
        Action.allCases.flatMap { action in Role.allCases.map { Case(state: state, action: action, role: $0) } }
    }

    /// The table's "now": everything time-based is due, and Reopen is within its window.
    static let now = Fixture.at(minutes: 120)

    @Test(arguments: cases)
    func transition(_ testCase: Case) throws {
        let incident = testCase.state.incident
        let result = IncidentMachine.decide(
            incident, testCase.action.incidentAction(version: incident.cardVersion),
            by: testCase.role.initiator, context: Fixture.context, now: Self.now)
        switch (Self.expected(testCase), result) {
        case (.refused(let expected), .failure(let refusal)):
            #expect(refusal == expected)
        case (.allowed(let status, let effects), .success(let decision)):
            #expect(decision.incident.status == status)
            #expect(decision.incident.version == incident.version + 1)
            #expect(decision.effects == effects(incident))
            let cardChanged = decision.effects.contains { if case .updateCard = $0 { true } else { false } }
            #expect(decision.incident.cardVersion == incident.cardVersion + (cardChanged ? 1 : 0))
        case (.refused(let expected), .success(let decision)):
            Issue.record("expected refusal \(expected), got \(decision.incident.status) with \(decision.effects)")
        case (.allowed(let status, _), .failure(let refusal)):
            Issue.record("expected \(status), refused: \(refusal)")
        }
    }

    /// A press made on an older card of the same episode and assignment is judged as if it had
    /// been made on the current card: the same outcome, whatever the button and whoever presses
    /// (the card on screen may lag behind the incident). A version the card never had is refused.
    /// (Picker states and the picker's own buttons are covered in StalePressTests: a lagging
    /// card may show the picker when the current one does not, or the other way round.)
    @Test(arguments: State.allCases.filter { ![.awaitingClaimPicker, .inProgressPicker].contains($0) })
    func pressOnALaggingCardIsJudgedOnTheCurrentState(_ state: State) {
        let incident = state.incident
        for action in Action.allCases where action.isPress && ![.openPicker, .pickMaintenance, .closePicker].contains(action) {
            for role in Role.allCases where role != .clock {
                let current = IncidentMachine.decide(
                    incident, action.incidentAction(version: incident.cardVersion),
                    by: role.initiator, context: Fixture.context, now: Self.now)
                let lagging = IncidentMachine.decide(
                    incident, action.incidentAction(version: incident.assignmentCardVersion),
                    by: role.initiator, context: Fixture.context, now: Self.now)
                let ahead = IncidentMachine.decide(
                    incident, action.incidentAction(version: incident.cardVersion + 1),
                    by: role.initiator, context: Fixture.context, now: Self.now)
                #expect(lagging == current, "\(action) by \(role)")
                #expect(ahead == .failure(.staleCard), "\(action) by \(role)")
            }
        }
    }

    // MARK: The rules, as the issue states them

    enum Expectation {
        case refused(Refusal)
        case allowed(IncidentStatus, effects: (Incident) -> [Effect])
    }

    static func offered(_ action: Action, in state: State) -> Bool {
        switch state {
        case .awaitingDepartment: [.chooseDispatch, .nudge].contains(action)
        case .awaitingClaim: [.claim, .openPicker, .nudge].contains(action)
        case .awaitingClaimPicker: [.pickMaintenance, .closePicker, .nudge].contains(action)
        case .inProgress: [.join, .leave, .resolve, .openPicker].contains(action)
        case .inProgressPicker: [.pickMaintenance, .closePicker].contains(action)
        case .awaitingSummary: [.cancelResolve, .submitSummary, .autoClose].contains(action)
        case .resolved, .closed: action == .reopen
        }
    }

    static func expected(_ c: Case) -> Expectation {
        let clockAction = c.action == .autoClose || c.action == .nudge
        if (c.role == .clock) != clockAction { return .refused(.wrongInitiator) }
        guard offered(c.action, in: c.state) else { return .refused(.notAvailable(1, c.state.status)) }
        let role = c.role
        let member = role.isDispatchMember
        let onIt = c.state == .inProgress || c.state == .inProgressPicker || c.state == .awaitingSummary
        let participant = onIt && (role == .bob || role == .carol)
        let dispatchOrManager = member || role == .manager
        let allowed: Bool
        let refusal: Refusal
        switch c.action {
        case .chooseDispatch:
            (allowed, refusal) = (role == .reporter || role == .manager, .reporterOrManagerOnly)
        case .claim:
            (allowed, refusal) = (member, .departmentMembersOnly(department: "Dispatch", managersToo: false))
        case .join:
            if participant { return .refused(.alreadyParticipating) }
            (allowed, refusal) = (member, .departmentMembersOnly(department: "Dispatch", managersToo: false))
        case .leave:
            (allowed, refusal) = (participant, .notParticipating)
        case .resolve:
            (allowed, refusal) = (participant || role == .manager, .participantOrManagerOnly)
        case .cancelResolve:
            (allowed, refusal) = (role == .carol || role == .manager, .resolverOrManagerOnly(name: "Carol"))
        case .submitSummary:
            (allowed, refusal) = (role == .carol, .resolverOnly(name: "Carol"))
        case .reopen, .openPicker, .pickMaintenance, .closePicker:
            (allowed, refusal) = (dispatchOrManager, .departmentMembersOnly(department: "Dispatch", managersToo: true))
        case .autoClose, .nudge:
            (allowed, refusal) = (true, .wrongInitiator)
        }
        guard allowed else { return .refused(refusal) }
        return allowedOutcome(c)
    }

    static func allowedOutcome(_ c: Case) -> Expectation {
        let actor = c.role.person
        let actorID = actor?.id
        let now = Self.now
        let answer = { (text: String?) in Effect.answerPress(PressAnswer(query: "q1", text: text, showAlert: false)) }
        let dispatchCall = "<b>#0001</b> waits for <b>Dispatch</b>: @dispatch_ann, <a href=\"tg://user?id=4\">Bob Stone</a>, @carol"
        let onIt = [Fixture.bob, Fixture.carol]
        switch c.action {
        case .chooseDispatch:
            return .allowed(.awaitingClaim) { old in [
                answer("#0001 sent to Dispatch."),
                .updateCard(ExpectedCard(old, .awaitingClaim, department: "Dispatch").card),
                .sendMessage(.init(incidentID: 42, html: dispatchCall, replyTo: .card(42), purpose: .departmentCall)),
                .appendTimeline(.init(kind: .departmentAssigned, at: now, actorID: actorID, detail: .init(departmentID: 10))),
            ] }
        case .claim:
            return .allowed(.inProgress) { old in [
                answer("You are on #0001."),
                .updateCard(ExpectedCard(old, .inProgress, department: "Dispatch", onIt: [actor!]).card),
                .appendTimeline(.init(kind: .claimed, at: now, actorID: actorID)),
            ] }
        case .join:
            return .allowed(.inProgress) { old in [
                answer("You joined #0001."),
                .updateCard(ExpectedCard(old, .inProgress, department: "Dispatch", onIt: onIt + [actor!]).card),
                .appendTimeline(.init(kind: .joined, at: now, actorID: actorID)),
            ] }
        case .leave:
            return .allowed(.inProgress) { old in [
                answer("You left #0001."),
                .updateCard(ExpectedCard(old, .inProgress, department: "Dispatch", onIt: onIt.filter { $0 != actor }).card),
                .appendTimeline(.init(kind: .left, at: now, actorID: actorID)),
            ] }
        case .resolve:
            let mention = switch c.role {
            case .manager: "@max_boss"
            case .bob: "<a href=\"tg://user?id=4\">Bob Stone</a>"
            default: "@carol"
            }
            return .allowed(.awaitingSummary) { old in [
                answer("Reply to the prompt with the summary of #0001."),
                .updateCard(ExpectedCard(old, .awaitingSummary, department: "Dispatch", onIt: onIt, resolver: actor).card),
                .sendMessage(.init(
                    incidentID: 42, html: "\(mention), reply to this message with the summary of <b>#0001</b>.",
                    replyTo: .card(42), forceReply: ReplyPrompt(selective: true, placeholder: "Summary of #0001"),
                    purpose: .summaryPrompt(round: 1))),
                .appendTimeline(.init(kind: .resolutionRequested, at: now, actorID: actorID)),
            ] }
        case .cancelResolve:
            return .allowed(.inProgress) { old in [
                answer("#0001 is in progress again."),
                .updateCard(ExpectedCard(old, .inProgress, department: "Dispatch", onIt: onIt).card),
                .appendTimeline(.init(kind: .resolveCancelled, at: now, actorID: actorID)),
            ] }
        case .submitSummary:
            return .allowed(.resolved) { old in [
                .updateCard(ExpectedCard(old, .resolved, department: "Dispatch", resolver: Fixture.carol, summary: "Replaced the tyre").card),
                .unpinCard(42),
                .appendTimeline(.init(kind: .resolved, at: now, actorID: actorID, detail: .init(summary: "Replaced the tyre"))),
            ] }
        case .reopen:
            return .allowed(.awaitingClaim) { old in [
                answer("#0001 reopened."),
                .updateCard(ExpectedCard(old, .awaitingClaim, department: "Dispatch").card),
                .pinCard(42),
                .sendMessage(.init(
                    incidentID: 42,
                    html: dispatchCall.replacingOccurrences(of: "waits for", with: "was reopened and waits for"),
                    replyTo: .card(42), purpose: .departmentCall)),
                .appendTimeline(.init(kind: .reopened, at: now, actorID: actorID, detail: .init(departmentID: 10))),
            ] }
        case .openPicker, .closePicker:
            let status = c.state.status
            let picker = c.action == .openPicker
            return .allowed(status) { old in [
                answer(nil),
                .updateCard(ExpectedCard(
                    old, status, department: "Dispatch", onIt: status == .inProgress ? onIt : [], picker: picker).card),
            ] }
        case .pickMaintenance:
            return .allowed(.awaitingClaim) { old in [
                answer("#0001 moved to Maintenance."),
                .updateCard(ExpectedCard(old, .awaitingClaim, department: "Maintenance").card),
                .sendMessage(.init(
                    incidentID: 42, html: "<b>#0001</b> waits for <b>Maintenance</b>: @otto", replyTo: .card(42),
                    purpose: .departmentCall)),
                .appendTimeline(.init(
                    kind: .departmentAssigned, at: now, actorID: actorID,
                    detail: .init(departmentID: 11, previousDepartmentID: 10))),
            ] }
        case .autoClose:
            return .allowed(.closed) { old in [
                .updateCard(ExpectedCard(old, .closed, department: "Dispatch").card),
                .unpinCard(42),
                .appendTimeline(.init(kind: .autoClosed, at: now, actorID: nil)),
            ] }
        case .nudge:
            if c.state == .awaitingDepartment {
                return .allowed(.awaitingDepartment) { _ in [
                    .sendMessage(.init(
                        incidentID: 42, html: "@rita, please choose a department for <b>#0001</b> on its card.",
                        replyTo: .card(42), purpose: .reminder)),
                    .appendTimeline(.init(kind: .nudged, at: now, actorID: nil, detail: .init(reminder: .departmentNotChosen))),
                ] }
            }
            return .allowed(.awaitingClaim) { _ in [
                .sendMessage(.init(
                    incidentID: 42,
                    html: "Reminder: <b>#0001</b> still waits for a claim by <b>Dispatch</b>: @dispatch_ann, <a href=\"tg://user?id=4\">Bob Stone</a>, @carol",
                    replyTo: .card(42), purpose: .reminder)),
                .appendTimeline(.init(kind: .nudged, at: now, actorID: nil, detail: .init(departmentID: 10, reminder: .unclaimed))),
            ] }
        }
    }
}

/// The card the issue describes for a status, written out independently of the machine.
struct ExpectedCard {
    var card: CardView

    init(
        _ old: Incident, _ status: IncidentStatus, department: String?, onIt: [Person] = [],
        resolver: Person? = nil, summary: String? = nil, picker: Bool = false
    ) {
        let version = old.cardVersion + 1
        func button(_ label: String, _ action: ButtonAction) -> CardView.Button {
            CardView.Button(label: label, data: CallbackData(incidentID: 42, cardVersion: version, action: action))
        }
        let buttons: [[CardView.Button]]
        switch (status, picker) {
        case (.awaitingDepartment, _):
            buttons = [[button("Dispatch", .chooseDepartment(10)), button("Maintenance", .chooseDepartment(11))],
                       [button("🔒 Safety", .chooseDepartment(12))]]
        case (_, true):
            buttons = [[button("Maintenance", .pickDepartment(11)), button("🔒 Safety", .pickDepartment(12))],
                       [button("« Back", .closePicker)]]
        case (.awaitingClaim, false):
            buttons = [[button("Claim", .claim), button("Change department", .openPicker)]]
        case (.inProgress, false):
            buttons = [[button("Join", .join), button("Leave", .leave)],
                       [button("Resolve", .resolve), button("Change department", .openPicker)]]
        case (.awaitingSummary, _):
            buttons = [[button("Cancel resolve", .cancelResolve)]]
        case (.resolved, _), (.closed, _):
            buttons = [[button("Reopen", .reopen)]]
        }
        func name(_ person: Person) -> CardView.Name { .init(displayName: person.displayName, handle: person.handle) }
        card = CardView(
            incidentID: 42, number: 1, version: version, status: status, reporter: name(Fixture.reporter),
            reportedText: Fixture.reportedText, departmentName: department, participants: onIt.map(name),
            resolver: resolver.map(name), summary: summary, isPickerOpen: picker, buttons: buttons)
    }
}
