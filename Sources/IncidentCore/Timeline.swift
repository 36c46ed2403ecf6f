#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What happened to an incident. The timeline is append-only; every KPI can be recomputed
/// from it, and replaying it gives the incident's state (see ``TimelineReplay``).
public enum TimelineKind: String, Hashable, Codable, Sendable, CaseIterable {
    case created
    case departmentAssigned = "department_assigned"
    case claimed
    case joined
    case left
    case resolutionRequested = "resolution_requested"
    case resolved
    case resolveCancelled = "resolve_cancelled"
    case autoClosed = "auto_closed"
    case reopened
    case nudged
}

/// The facts an entry carries besides who and when.
public struct TimelineDetail: Hashable, Codable, Sendable {
    /// Which reminder was sent.
    public enum Reminder: String, Hashable, Codable, Sendable {
        /// Waiting for a claim; the department's members were mentioned.
        case unclaimed
        /// The reporter was asked to choose a department.
        case departmentNotChosen = "department_not_chosen"
        /// Escalation: still unclaimed after the escalation period; the department's leads
        /// and the group's managers were mentioned in the group.
        case escalated
        /// Escalation, last step: the leads and managers who take personal messages were told
        /// in private.
        case escalatedDirect = "escalated_direct"
    }

    /// created: the incident's number.
    public var number: IncidentNumber?
    /// department_assigned, reopened: the department.
    public var departmentID: DepartmentID?
    /// department_assigned by a transfer: where it came from.
    public var previousDepartmentID: DepartmentID?
    /// resolved: the summary.
    public var summary: String?
    /// nudged: which reminder.
    public var reminder: Reminder?

    public init(
        number: IncidentNumber? = nil, departmentID: DepartmentID? = nil,
        previousDepartmentID: DepartmentID? = nil, summary: String? = nil,
        reminder: Reminder? = nil
    ) {
        self.number = number
        self.departmentID = departmentID
        self.previousDepartmentID = previousDepartmentID
        self.summary = summary
        self.reminder = reminder
    }

    enum CodingKeys: String, CodingKey {
        case number
        case departmentID = "department_id"
        case previousDepartmentID = "previous_department_id"
        case summary
        case reminder
    }
}

/// One line of an incident's timeline.
public struct TimelineEntry: Hashable, Codable, Sendable {
    public var kind: TimelineKind
    public var at: Date
    /// Who did it; nil for the clock (auto-close, reminders).
    public var actorID: UserID?
    public var detail: TimelineDetail

    public init(kind: TimelineKind, at: Date, actorID: UserID?, detail: TimelineDetail = .init()) {
        self.kind = kind
        self.at = at
        self.actorID = actorID
        self.detail = detail
    }
}

/// The part of an incident its timeline determines.
public struct IncidentProjection: Hashable, Sendable {
    public var number: IncidentNumber
    public var reporterID: UserID
    public var status: IncidentStatus
    public var departmentID: DepartmentID?
    public var activeParticipantIDs: [UserID]
    public var resolverID: UserID?
    public var summary: String?
    /// The department of each session, in order.
    public var sessionDepartments: [DepartmentID]
    public var reporterNudged: Bool
    public var createdAt: Date
    public var resolvedAt: Date?
    public var closedAt: Date?
}

extension Incident {
    /// What replaying this incident's timeline must give.
    public var projection: IncidentProjection {
        IncidentProjection(
            number: number, reporterID: reporterID, status: status, departmentID: departmentID,
            activeParticipantIDs: activeParticipantIDs, resolverID: resolverID, summary: summary,
            sessionDepartments: sessions.map(\.departmentID), reporterNudged: reporterNudged,
            createdAt: createdAt, resolvedAt: resolvedAt, closedAt: closedAt)
    }
}

/// Rebuilds an incident's state from its timeline alone.
public enum TimelineReplay {
    /// Replays `entries` (oldest first); nil if they do not start with `created` or contain an
    /// entry that cannot follow the ones before it.
    public static func replay(_ entries: [TimelineEntry]) -> IncidentProjection? {
        guard let first = entries.first, first.kind == .created, let reporter = first.actorID,
            let number = first.detail.number
        else { return nil }
        var state = IncidentProjection(
            number: number, reporterID: reporter, status: .awaitingDepartment, departmentID: nil,
            activeParticipantIDs: [], resolverID: nil, summary: nil, sessionDepartments: [],
            reporterNudged: false, createdAt: first.at, resolvedAt: nil, closedAt: nil)
        for entry in entries.dropFirst() {
            switch entry.kind {
            case .created:
                return nil
            case .departmentAssigned:
                guard let department = entry.detail.departmentID,
                    [.awaitingDepartment, .awaitingClaim, .inProgress].contains(state.status)
                else { return nil }
                state.departmentID = department
                state.sessionDepartments.append(department)
                state.activeParticipantIDs = []
                state.status = .awaitingClaim
            case .claimed, .joined:
                guard let actor = entry.actorID, !state.activeParticipantIDs.contains(actor),
                    state.status == (entry.kind == .claimed ? .awaitingClaim : .inProgress)
                else { return nil }
                state.activeParticipantIDs.append(actor)
                state.status = .inProgress
            case .left:
                guard let actor = entry.actorID, state.status == .inProgress,
                    state.activeParticipantIDs.contains(actor)
                else { return nil }
                state.activeParticipantIDs.removeAll { $0 == actor }
                if state.activeParticipantIDs.isEmpty { state.status = .awaitingClaim }
            case .resolutionRequested:
                guard let actor = entry.actorID, state.status == .inProgress else { return nil }
                state.resolverID = actor
                state.status = .awaitingSummary
            case .resolveCancelled:
                guard state.status == .awaitingSummary else { return nil }
                state.resolverID = nil
                state.status = .inProgress
            case .resolved:
                guard state.status == .awaitingSummary, let summary = entry.detail.summary
                else { return nil }
                state.summary = summary
                state.activeParticipantIDs = []
                state.resolvedAt = entry.at
                state.status = .resolved
            case .autoClosed:
                guard state.status == .awaitingSummary else { return nil }
                state.activeParticipantIDs = []
                state.closedAt = entry.at
                state.status = .closed
            case .reopened:
                guard state.status.isFinished, let department = entry.detail.departmentID
                else { return nil }
                state.departmentID = department
                state.sessionDepartments.append(department)
                state.resolverID = nil
                state.summary = nil
                state.resolvedAt = nil
                state.closedAt = nil
                state.status = .awaitingClaim
            case .nudged:
                if entry.detail.reminder == .departmentNotChosen { state.reporterNudged = true }
            }
        }
        return state
    }
}
