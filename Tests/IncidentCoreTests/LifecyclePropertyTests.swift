import Foundation
import IncidentCore
import PropertyBased
import Testing
import Timestamps

/// Random sequences of presses, summaries and clock actions by random people at random times.
@Suite struct LifecyclePropertyTests {
    struct Step: CustomStringConvertible {
        var action: IncidentAction
        var initiator: Initiator
        var minutes: Double

        var description: String { "\(action) by \(initiator.userID.map(String.init(describing:)) ?? "clock") +\(minutes)m" }
    }

    static let people: [Initiator] = Fixture.everyone.map(Initiator.user) + [.clock]
    static let departments = Fixture.departments.map(\.id) + [DepartmentID(999)]

    /// Decodes one random number into a step. Half of the steps are "plausible" (a button the
    /// card shows, pressed by someone it concerns), so that walks get through the lifecycle;
    /// the other half is anything by anyone.
    static func step(_ value: Int, on incident: Incident) -> Step {
        var rest = value
        func take(_ count: Int) -> Int {
            defer { rest /= count }
            return rest % count
        }
        let plausible = take(2) == 0
        var kind = take(13)
        var initiator = people[take(people.count)]
        let department = departments[take(departments.count)]
        let minutes = Double(take(40)) / 2
        let stale = take(12) == 0
        let pick = take(8)
        if plausible {
            let offered: [Int] = switch (incident.status, incident.isPickerOpen) {
            case (.awaitingDepartment, _): [0, 12]
            case (.awaitingClaim, false): [1, 7, 12]
            case (.inProgress, false): [2, 3, 4, 4, 7]
            case (_, true): [8, 9]
            case (.awaitingSummary, _): [5, 10, 10, 10, 11]
            case (.resolved, _), (.closed, _): [6]
            }
            kind = offered[pick % offered.count]
            let concerned: [UserID] = switch kind {
            case 0: [Fixture.reporter.id, Fixture.manager.id]
            case 3, 4: incident.activeParticipantIDs + [Fixture.manager.id]
            case 5, 10: incident.resolverID.map { [$0] } ?? []
            default: (Fixture.context.members[incident.departmentID ?? 0] ?? []).compactMap(\.userID) + [Fixture.manager.id]
            }
            if !concerned.isEmpty, let person = Fixture.everyone.first(where: { $0.id == concerned[pick % concerned.count] }) {
                initiator = .user(person)
            }
        }
        let pressVersion = stale ? incident.cardVersion - 1 : incident.cardVersion
        let button: ButtonAction
        switch kind {
        case 0: button = .chooseDepartment(department)
        case 1: button = .claim
        case 2: button = .join
        case 3: button = .leave
        case 4: button = .resolve
        case 5: button = .cancelResolve
        case 6: button = .reopen
        case 7: button = .openPicker
        case 8: button = .pickDepartment(department)
        case 9: button = .closePicker
        case 10: return Step(action: .submitSummary(text: "fixed #\(value)", message: 1), initiator: initiator, minutes: minutes)
        case 11: return Step(action: .autoClose, initiator: .clock, minutes: minutes * 4)
        default: return Step(action: .nudge, initiator: .clock, minutes: minutes)
        }
        return Step(action: .press(button, cardVersion: pressVersion, query: "q"), initiator: initiator, minutes: minutes)
    }

    static let sequences = Gen.int(in: 0...1_000_000).array(of: 1...80)

    @Test func invariantsHoldAlongRandomLifecycles() async {
        var reached: Set<IncidentStatus> = []
        var transfers = 0
        var reopens = 0
        await propertyCheck(count: 300, input: Self.sequences) { values in
            var incident = Fixture.created
            var timeline = [TimelineEntry(kind: .created, at: Fixture.t0, actorID: Fixture.reporter.id, detail: .init(number: 1))]
            var now = Fixture.t0
            for value in values {
                let step = Self.step(value, on: incident)
                now = now.addingTimeInterval(step.minutes * 60)
                let result = IncidentMachine.decide(incident, step.action, by: step.initiator, context: Fixture.context, now: now)
                guard case .success(let decision) = result else {
                    if case .failure(let refusal) = result { #expect(!refusal.message.isEmpty) }
                    continue
                }
                let new = decision.incident
                #expect(new.version == incident.version + 1, "\(step)")
                let cards = decision.effects.compactMap { if case .updateCard(let card) = $0 { card } else { nil } }
                #expect(cards.count <= 1)
                #expect(new.cardVersion == incident.cardVersion + cards.count, "\(step)")
                if let card = cards.first {
                    #expect(card.version == new.cardVersion)
                    #expect(card == IncidentMachine.card(for: new, context: Fixture.context))
                    for button in card.buttons.flatMap({ $0 }) {
                        #expect(button.data.encoded.utf8.count <= 64)
                        #expect(CallbackData(parsing: button.data.encoded) == button.data)
                    }
                    #expect(CardRenderer.render(card).visibleLength <= 4096)
                }
                timeline += decision.timeline
                incident = new
                reached.insert(incident.status)
                transfers += decision.timeline.filter { $0.detail.previousDepartmentID != nil }.count
                reopens += decision.timeline.filter { $0.kind == .reopened }.count

                // The invariants.
                if incident.status == .resolved {
                    #expect(!(incident.summary ?? "").isEmpty, "resolved without a summary after \(step)")
                }
                if incident.status == .inProgress {
                    #expect(!incident.activeParticipantIDs.isEmpty, "in progress with nobody on it after \(step)")
                }
                if [.awaitingDepartment, .awaitingClaim, .resolved, .closed].contains(incident.status) {
                    #expect(incident.activeParticipantIDs.isEmpty, "\(incident.status) with people on it")
                }
                if incident.status == .awaitingSummary {
                    #expect(incident.resolverID != nil && incident.summaryDeadline != nil)
                }
                #expect(incident.isPickerOpen == false || [.awaitingClaim, .inProgress].contains(incident.status))
                #expect(incident.isPinned == !incident.status.isFinished)
                #expect(Set(incident.activeParticipantIDs).count == incident.activeParticipantIDs.count)
                #expect(incident.sessions.filter { $0.endedAt == nil }.count <= 1)
                #expect(TimelineReplay.replay(timeline) == incident.projection, "replay differs after \(step)")
            }
        }
        // The random walks must actually cover the lifecycle for the checks above to mean much.
        #expect(reached == Set(IncidentStatus.allCases))
        #expect(transfers > 0)
        #expect(reopens > 0)
    }

    /// The stored times are milliseconds; every time the machine computes stays on them, so a
    /// stored and reloaded incident equals the one decided.
    @Test func computedTimesAreWholeMilliseconds() async {
        await propertyCheck(input: Gen.int(in: 1...10_000_000), Gen.int(in: 1...10_000_000)) { elapsed, period in
            let policy = SLAPolicy(
                unclaimedNudge: Double(period % elapsed + 1) / 1000, summaryTimeout: 61.001, reopenWindow: 86_400)
            let since = Fixture.t0.addingTimeInterval(0.007)
            let now = since.addingTimeInterval(Double(elapsed) / 1000)
            let slot = policy.reminderSlot(since: since, at: now)
            #expect(Timestamp.rounded(slot) == slot)
            #expect(slot <= Timestamp.rounded(now))
            #expect(slot > Timestamp.rounded(now).addingTimeInterval(-policy.unclaimedNudge - 0.001))
            let deadline = policy.summaryDeadline(resolveRequestedAt: now)
            #expect(Timestamp.rounded(deadline) == deadline)
        }
    }
}
