#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A company's escalation ladder for an incident nobody claims. The first rung is the group
/// reminder every `reminderEvery` (nil: the installation's ``SLAPolicy/unclaimedNudge``);
/// after that:
/// 1. ``EscalationStep/leads``: `escalateAfter` after it started waiting, the department's
///    leads and the group's managers are mentioned in the group;
/// 2. ``EscalationStep/direct``: `directAfter` later, those of them who take personal messages
///    are told in private.
///
/// Each step is taken once per waiting episode (from an assignment, a transfer, the last
/// person leaving or a reopen, until the claim); the store records it.
public struct EscalationLadder: Hashable, Codable, Sendable {
    /// From the start of waiting to the leads' mention.
    public var escalateAfter: TimeInterval
    /// From the leads' mention to the personal messages.
    public var directAfter: TimeInterval
    /// The company's period of the group reminder while unclaimed (also when the reporter is
    /// reminded to choose a department); nil: the installation's.
    public var reminderEvery: TimeInterval?

    public init(escalateAfter: TimeInterval, directAfter: TimeInterval, reminderEvery: TimeInterval? = nil) {
        self.escalateAfter = escalateAfter
        self.directAfter = directAfter
        self.reminderEvery = reminderEvery
    }

    /// 30 minutes to the leads, 15 more to personal messages.
    public static let standard = EscalationLadder(escalateAfter: 1800, directAfter: 900)

    /// Why this ladder cannot be stored, or nil.
    public var problem: String? {
        let limit: TimeInterval = 366 * 86_400
        if !(escalateAfter.isFinite && escalateAfter > 0 && escalateAfter <= limit) {
            return "escalation_minutes must be a number of minutes > 0 and at most a year"
        }
        if !(directAfter.isFinite && directAfter > 0 && directAfter <= limit) {
            return "direct_message_minutes must be a number of minutes > 0 and at most a year"
        }
        if let reminderEvery, !(reminderEvery.isFinite && reminderEvery >= 0.001 && reminderEvery <= limit) {
            return "reminder_minutes must be a number of minutes > 0 and at most a year"
        }
        return nil
    }
}

/// A step of the escalation ladder after the group reminder.
public enum EscalationStep: String, Hashable, Codable, Sendable, CaseIterable, Comparable {
    case leads
    case direct

    public static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// Escalation decisions: which step is due, and what it sends.
public enum Escalation {
    /// When `step` is due for an incident waiting for a claim since `since`.
    public static func dueAt(_ step: EscalationStep, since: Date, ladder: EscalationLadder) -> Date {
        switch step {
        case .leads: since.addingTimeInterval(ladder.escalateAfter)
        case .direct: since.addingTimeInterval(ladder.escalateAfter + ladder.directAfter)
        }
    }

    /// The next step to take at `now`, in order: nil unless the incident waits for a claim and
    /// the first step not yet `taken` is due.
    public static func next(
        for incident: Incident, taken: Set<EscalationStep>, ladder: EscalationLadder, at now: Date
    ) -> EscalationStep? {
        guard incident.status == .awaitingClaim, let since = incident.waitingSince,
            let step = EscalationStep.allCases.first(where: { !taken.contains($0) }),
            dueAt(step, since: since, ladder: ladder) <= now
        else { return nil }
        return step
    }

    /// Whom a step addresses: the department's leads, then the group's managers, each once.
    public static func addressees(leads: [Mention], managers: [Mention]) -> [Mention] {
        var seenIDs = Set<UserID>(), seenHandles = Set<Handle>()
        return (leads + managers).filter { mention in
            switch mention {
            case .user(let id, _, _): seenIDs.insert(id).inserted
            case .handle(let handle): seenHandles.insert(handle).inserted
            }
        }
    }

    /// The effects of taking `step` on `incident` at `now`: for ``EscalationStep/leads`` a
    /// message in the group (as a reply to the card) mentioning `addressees`; for
    /// ``EscalationStep/direct`` a personal message to each addressee in `directMessageUsers`.
    /// Either way a timeline entry, so the step shows, and is counted, once.
    public static func effects(
        _ step: EscalationStep, incident: Incident, department: Department, addressees: [Mention],
        directMessageUsers: Set<UserID>, groupTitle: String?, now: Date
    ) -> [Effect] {
        let waited = Int((now.timeIntervalSince(incident.waitingSince ?? now) / 60).rounded(.down))
        switch step {
        case .leads:
            return IncidentMachine.chunks(addressees).enumerated().map { part, chunk in
                Effect.sendMessage(OutgoingMessage(
                    incidentID: incident.id,
                    html: Texts.escalation(incident.number, department: department.name, waitedMinutes: waited, mentions: chunk),
                    replyTo: .card(incident.id), purpose: .reminder))
            } + [.appendTimeline(TimelineEntry(
                kind: .nudged, at: now, actorID: nil,
                detail: TimelineDetail(departmentID: department.id, reminder: .escalated)))]
        case .direct:
            var told = Set<UserID>()
            let messages = addressees.compactMap(\.userID).filter { directMessageUsers.contains($0) && told.insert($0).inserted }
                .map { user in
                    Effect.sendDirect(DirectMessage(
                        userID: user, incidentID: incident.id,
                        html: Texts.escalationDirect(
                            incident.number, department: department.name, groupTitle: groupTitle, waitedMinutes: waited)))
                }
            return messages + [.appendTimeline(TimelineEntry(
                kind: .nudged, at: now, actorID: nil,
                detail: TimelineDetail(departmentID: department.id, reminder: .escalatedDirect)))]
        }
    }
}
