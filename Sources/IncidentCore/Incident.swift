#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where an incident is in its lifecycle.
public enum IncidentStatus: String, Hashable, Codable, Sendable, CaseIterable {
    case awaitingDepartment = "awaiting_department"
    case awaitingClaim = "awaiting_claim"
    case inProgress = "in_progress"
    case awaitingSummary = "awaiting_summary"
    case resolved
    case closed

    /// Resolved or closed: only Reopen applies.
    public var isFinished: Bool { self == .resolved || self == .closed }
}

/// An incident's number within its group: sequential from 1, never reused, shown as `#0001`.
public struct IncidentNumber: RawRepresentable, Hashable, Comparable, Codable, Sendable,
    ExpressibleByIntegerLiteral, CustomStringConvertible
{
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    public init(_ rawValue: Int) { self.rawValue = rawValue }
    public init(integerLiteral value: Int) { self.rawValue = value }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Zero-padded to four digits, growing beyond: `0007`, `9999`, `10000`.
    public var padded: String {
        let digits = String(rawValue)
        return digits.count >= 4 ? digits : String(repeating: "0", count: 4 - digits.count) + digits
    }

    /// `#0007`.
    public var description: String { "#" + padded }

    public init(from decoder: any Decoder) throws {
        self.rawValue = try decoder.singleValueContainer().decode(Int.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// One person working on an incident, from claim or join until leave, transfer or the end.
public struct Participation: Hashable, Codable, Sendable {
    /// Whether the person started the work (first) or joined it.
    public enum Kind: String, Hashable, Codable, Sendable {
        case claimed, joined
    }

    public var userID: UserID
    public var kind: Kind
    /// Index into ``Incident/sessions`` of the department session this belongs to.
    public var session: Int
    public var startedAt: Date
    public var endedAt: Date?

    public init(userID: UserID, kind: Kind, session: Int, startedAt: Date, endedAt: Date? = nil) {
        self.userID = userID
        self.kind = kind
        self.session = session
        self.startedAt = startedAt
        self.endedAt = endedAt
    }

    public var isActive: Bool { endedAt == nil }
}

/// One assignment of an incident to a department, so that time to claim and time to resolve
/// are measured per department after a transfer.
public struct DepartmentSession: Hashable, Codable, Sendable {
    /// How a session ended.
    public enum End: String, Hashable, Codable, Sendable {
        case transferred, resolved, closed
    }

    public var departmentID: DepartmentID
    public var assignedAt: Date
    /// Who chose, picked or reopened (nil is never used today but keeps room for automation).
    public var assignedBy: UserID?
    public var firstClaimedAt: Date?
    public var endedAt: Date?
    public var end: End?

    public init(
        departmentID: DepartmentID, assignedAt: Date, assignedBy: UserID?,
        firstClaimedAt: Date? = nil, endedAt: Date? = nil, end: End? = nil
    ) {
        self.departmentID = departmentID
        self.assignedAt = assignedAt
        self.assignedBy = assignedBy
        self.firstClaimedAt = firstClaimedAt
        self.endedAt = endedAt
        self.end = end
    }
}

/// The problem as it was reported.
public struct Report: Hashable, Codable, Sendable {
    /// The text of the message `/new_issue` replied to (at most 4096 characters).
    public var text: String
    /// That message, so the card can be posted as a reply to it.
    public var messageID: MessageID?
    /// Photos, documents and locations that came with it.
    public var attachments: [Attachment]

    public init(text: String, messageID: MessageID?, attachments: [Attachment] = []) {
        self.text = text
        self.messageID = messageID
        self.attachments = attachments
    }
}

/// An incident: the aggregate every decision reads and returns.
///
/// Two counters guard it. `version` changes on every accepted decision and is what the
/// store's compare-and-set checks. `cardVersion` changes only when the card's content or
/// buttons change, and is what the buttons carry: a reminder changes the incident but not the
/// card, so it must not make the buttons on screen stale.
public struct Incident: Hashable, Codable, Sendable {
    public var id: IncidentID
    public var chatID: ChatID
    public var companyID: CompanyID
    public var number: IncidentNumber
    public var reporterID: UserID
    public var report: Report
    public var status: IncidentStatus
    public var version: Int
    public var cardVersion: Int
    public var departmentID: DepartmentID?
    /// The department picker (Change department) is showing on the card.
    public var isPickerOpen: Bool
    /// Everyone who ever worked on it, in order; active ones have no end.
    public var participations: [Participation]
    /// One per department assignment, in order; the last one is current unless ended.
    public var sessions: [DepartmentSession]
    /// Who pressed Resolve (while awaiting the summary) or who resolved it.
    public var resolverID: UserID?
    /// Counts Resolve presses; a summary prompt belongs to one round.
    public var resolveRound: Int
    public var summary: String?
    /// Past this, an incident awaiting its summary is closed.
    public var summaryDeadline: Date?
    public var createdAt: Date
    /// When the current department was assigned.
    public var departmentAssignedAt: Date?
    /// When it last started waiting for a claim (assignment, transfer, last leave, reopen):
    /// reminders are due every nudge period from here.
    public var waitingSince: Date?
    /// The due time of the last reminder sent while waiting for a claim.
    public var lastNudgeAt: Date?
    /// The reporter has been reminded (once) to choose a department.
    public var reporterNudged: Bool
    public var resolvedAt: Date?
    public var closedAt: Date?
    /// The card should be pinned (open incidents) or not (finished ones).
    public var isPinned: Bool
    /// The card version the current department assignment (choice, transfer, reopen) was
    /// drawn with: a department picker drawn before it belongs to an earlier transfer.
    public var assignmentCardVersion: Int
    /// The card version the current episode (creation, or the last reopen) began with:
    /// buttons drawn before it belong to an incident that has since been finished.
    public var episodeCardVersion: Int

    public init(
        id: IncidentID, chatID: ChatID, companyID: CompanyID, number: IncidentNumber,
        reporterID: UserID, report: Report, createdAt: Date
    ) {
        self.id = id
        self.chatID = chatID
        self.companyID = companyID
        self.number = number
        self.reporterID = reporterID
        self.report = report
        self.status = .awaitingDepartment
        self.version = 1
        self.cardVersion = 1
        self.departmentID = nil
        self.isPickerOpen = false
        self.participations = []
        self.sessions = []
        self.resolverID = nil
        self.resolveRound = 0
        self.summary = nil
        self.summaryDeadline = nil
        self.createdAt = createdAt
        self.departmentAssignedAt = nil
        self.waitingSince = nil
        self.lastNudgeAt = nil
        self.reporterNudged = false
        self.resolvedAt = nil
        self.closedAt = nil
        self.isPinned = true
        self.assignmentCardVersion = 1
        self.episodeCardVersion = 1
    }

    /// People working on it now, in the order they started.
    public var activeParticipantIDs: [UserID] {
        participations.filter(\.isActive).map(\.userID)
    }

    /// True if `user` is working on it now.
    public func isActiveParticipant(_ user: UserID) -> Bool {
        participations.contains { $0.isActive && $0.userID == user }
    }

    /// When it was resolved or closed.
    public var finishedAt: Date? { resolvedAt ?? closedAt }

    /// Everyone who ever claimed or joined, first appearance order.
    public var everParticipatedIDs: [UserID] {
        var seen = Set<UserID>()
        return participations.compactMap { seen.insert($0.userID).inserted ? $0.userID : nil }
    }
}
