import Foundation
import IncidentCore

/// A company with three departments and seven people, and an incident driven by the machine
/// itself into each status.
///
/// People: the reporter (a registered driver), a manager, three Dispatch members (Ann, Bob,
/// Carol), a Maintenance member (Otto) and an outsider. Bob claims, Carol joins; Carol
/// presses Resolve and writes the summary.
enum Fixture {
    static let t0 = Date(timeIntervalSince1970: 1_740_816_000)  // 2025-03-01T08:00:00Z
    static func at(minutes: Double) -> Date { t0.addingTimeInterval(minutes * 60) }

    static let company = CompanyID(1)
    static let chat = ChatRef(id: -100_123, kind: .supergroup, title: "Fleet")
    static let dispatch = Department(id: 10, companyID: company, name: "Dispatch")
    static let maintenance = Department(id: 11, companyID: company, name: "Maintenance")
    static let safety = Department(id: 12, companyID: company, name: "Safety", restricted: true)
    static let departments = [dispatch, maintenance, safety]

    static let reporter = Person(id: 1, handle: Handle("rita"), firstName: "Rita", lastName: "Driver")
    static let manager = Person(id: 2, handle: Handle("max_boss"), firstName: "Max")
    static let ann = Person(id: 3, handle: Handle("dispatch_ann"), firstName: "Ann")
    static let bob = Person(id: 4, handle: nil, firstName: "Bob", lastName: "Stone")
    static let carol = Person(id: 5, handle: Handle("carol"), firstName: "Carol")
    static let otto = Person(id: 6, handle: Handle("otto"), firstName: "Otto")
    static let outsider = Person(id: 7, handle: Handle("random"), firstName: "Random")
    static let everyone = [reporter, manager, ann, bob, carol, otto, outsider]

    static let group = Group(chatID: chat.id, companyID: company, status: .active, managerIDs: [manager.id])
    static let members: [DepartmentID: [Mention]] = [
        dispatch.id: [ann.mention, bob.mention, carol.mention],
        maintenance.id: [otto.mention],
    ]
    static let policy = SLAPolicy(unclaimedNudgeMinutes: 10, summaryTimeoutMinutes: 60)!

    static var context: DecisionContext {
        DecisionContext(
            group: group, departments: departments, members: members,
            people: Dictionary(uniqueKeysWithValues: everyone.map { ($0.id, $0) }), policy: policy)
    }

    static let incidentID = IncidentID(42)
    static let reportedText = "Truck 12 has a flat tyre <near> exit 5 & waits"

    static var created: Incident {
        let request = CreateRequest(
            reporter: reporter, commandMessageID: 501,
            reported: .init(messageID: 500, text: reportedText))
        let creation = CreationContext(
            group: group, departments: departments, members: members, reporterIsRegisteredDriver: true,
            incidentID: incidentID, number: 1, policy: policy)
        return try! IncidentMachine.create(request, in: chat, context: creation, now: t0).get().incident
    }

    /// Presses `action` on the current card; the fixture's steps must succeed.
    static func pressed(_ incident: Incident, _ action: ButtonAction, by person: Person, minutes: Double) -> Incident {
        step(incident, .press(action, cardVersion: incident.cardVersion, query: "fixture"), by: .user(person), minutes: minutes)
    }

    static func step(_ incident: Incident, _ action: IncidentAction, by initiator: Initiator, minutes: Double) -> Incident {
        switch IncidentMachine.decide(incident, action, by: initiator, context: context, now: at(minutes: minutes)) {
        case .success(let decision): return decision.incident
        case .failure(let refusal): fatalError("fixture step refused: \(refusal)")
        }
    }

    static var awaitingClaim: Incident { pressed(created, .chooseDepartment(dispatch.id), by: reporter, minutes: 1) }
    static var awaitingClaimPicker: Incident { pressed(awaitingClaim, .openPicker, by: ann, minutes: 2) }
    static var inProgress: Incident {
        pressed(pressed(awaitingClaim, .claim, by: bob, minutes: 2), .join, by: carol, minutes: 3)
    }
    static var inProgressPicker: Incident { pressed(inProgress, .openPicker, by: ann, minutes: 4) }
    static var awaitingSummary: Incident { pressed(inProgress, .resolve, by: carol, minutes: 4) }
    static var resolved: Incident {
        step(awaitingSummary, .submitSummary(text: "Replaced the tyre", message: 900), by: .user(carol), minutes: 5)
    }
    static var closed: Incident { step(awaitingSummary, .autoClose, by: .clock, minutes: 70) }
}
