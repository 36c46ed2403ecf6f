import Foundation
import IncidentCore

/// One department session as the KPIs see it: an incident's time with one department, from
/// assignment (choice, transfer or reopen) to the transfer, resolution or auto-close that
/// ended it. Times to claim and resolve are measured on sessions, so after a transfer each
/// department is measured on its own part and no time is ever negative.
public struct SessionFact: Hashable, Codable, Sendable {
    public var incidentID: IncidentID
    public var number: IncidentNumber
    public var chatID: ChatID
    /// Index of the session among the incident's sessions.
    public var seq: Int
    /// 0 for the incident's first life; each reopen starts the next episode.
    public var episode: Int
    public var departmentID: DepartmentID
    public var assignedAt: Date
    /// The first claim in this session.
    public var firstClaimedAt: Date?
    public var firstClaimerID: UserID?
    public var endedAt: Date?
    public var end: DepartmentSession.End?
    /// Who submitted the summary, when the session ended resolved.
    public var resolverID: UserID?
    /// The session began with a transfer from another department (not a choice or a reopen).
    public var transferredIn: Bool

    public init(
        incidentID: IncidentID, number: IncidentNumber, chatID: ChatID, seq: Int, episode: Int,
        departmentID: DepartmentID, assignedAt: Date, firstClaimedAt: Date? = nil,
        firstClaimerID: UserID? = nil, endedAt: Date? = nil, end: DepartmentSession.End? = nil,
        resolverID: UserID? = nil, transferredIn: Bool = false
    ) {
        self.incidentID = incidentID
        self.number = number
        self.chatID = chatID
        self.seq = seq
        self.episode = episode
        self.departmentID = departmentID
        self.assignedAt = assignedAt
        self.firstClaimedAt = firstClaimedAt
        self.firstClaimerID = firstClaimerID
        self.endedAt = endedAt
        self.end = end
        self.resolverID = resolverID
        self.transferredIn = transferredIn
    }

    /// Assignment to first claim; nil while unclaimed.
    public var timeToClaim: TimeInterval? { firstClaimedAt.map { Milliseconds.between(assignedAt, $0) } }

    /// Assignment to the summary that resolved it; nil unless the session ended resolved.
    /// A Resolve that was cancelled does not end the session, so it does not count.
    public var timeToResolve: TimeInterval? {
        guard end == .resolved, let endedAt else { return nil }
        return Milliseconds.between(assignedAt, endedAt)
    }

    /// This session opened an episode after a reopen.
    public var isReopen: Bool { episode > 0 && !transferredIn && startsEpisode }
    /// First session of its episode (set by whoever builds the facts).
    public var startsEpisode: Bool = false

    enum CodingKeys: String, CodingKey {
        case incidentID, number, chatID, seq, episode, departmentID, assignedAt, firstClaimedAt
        case firstClaimerID, endedAt, end, resolverID, transferredIn, startsEpisode
    }
}

/// Durations at the precision of stored times: whole milliseconds, as seconds.
public enum Milliseconds {
    /// Seconds from `start` to `end`, rounded to the millisecond (so that 10:15 - 10:00 is
    /// exactly 900, not 899.9999999).
    public static func between(_ start: Date, _ end: Date) -> TimeInterval {
        rounded(end.timeIntervalSince(start))
    }

    public static func rounded(_ seconds: Double) -> Double { (seconds * 1000).rounded() / 1000 }
}

/// One person's work on an incident: from claim or join to leave, transfer or the end.
public struct ParticipationFact: Hashable, Codable, Sendable {
    public var incidentID: IncidentID
    /// The session (``SessionFact/seq``) it belongs to.
    public var sessionSeq: Int
    public var userID: UserID
    public var kind: Participation.Kind
    public var startedAt: Date
    public var endedAt: Date?

    public init(
        incidentID: IncidentID, sessionSeq: Int, userID: UserID, kind: Participation.Kind,
        startedAt: Date, endedAt: Date?
    ) {
        self.incidentID = incidentID
        self.sessionSeq = sessionSeq
        self.userID = userID
        self.kind = kind
        self.startedAt = startedAt
        self.endedAt = endedAt
    }
}

/// An incident as the KPIs see it.
public struct IncidentFact: Hashable, Codable, Sendable {
    public var id: IncidentID
    public var number: IncidentNumber
    public var chatID: ChatID
    public var createdAt: Date

    public init(id: IncidentID, number: IncidentNumber, chatID: ChatID, createdAt: Date) {
        self.id = id
        self.number = number
        self.chatID = chatID
        self.createdAt = createdAt
    }
}

/// The facts of one incident, derived from its timeline.
public struct IncidentFacts: Hashable, Sendable {
    public var incident: IncidentFact
    public var sessions: [SessionFact]
    public var participations: [ParticipationFact]
}

extension IncidentFacts {
    /// Derives the facts from an incident's timeline (oldest first); nil if it does not start
    /// with `created`. Entries that cannot apply (a claim with no session) are skipped.
    ///
    /// - a department assignment while a session is open ends that session as transferred
    ///   and starts the new department's session (`transferredIn`), ending everyone's work;
    /// - `resolved` ends the session (and the episode) as resolved, by the summary's author;
    ///   `auto_closed` ends it as closed; `resolution_requested` and `resolve_cancelled`
    ///   change nothing here: only a resolution that happened counts;
    /// - `reopened` starts a new episode with a new session.
    public init?(id: IncidentID, chatID: ChatID, timeline: [TimelineEntry]) {
        guard let first = timeline.first, first.kind == .created, let number = first.detail.number else {
            return nil
        }
        var sessions: [SessionFact] = []
        var participations: [ParticipationFact] = []
        var episode = 0
        var open: Int? = nil

        func endWork(at time: Date) {
            for index in participations.indices where participations[index].endedAt == nil {
                participations[index].endedAt = time
            }
        }
        func startSession(_ department: DepartmentID, at time: Date, transferred: Bool, startsEpisode: Bool) {
            var session = SessionFact(
                incidentID: id, number: number, chatID: chatID, seq: sessions.count, episode: episode,
                departmentID: department, assignedAt: time, transferredIn: transferred)
            session.startsEpisode = startsEpisode
            sessions.append(session)
            open = sessions.count - 1
        }

        for entry in timeline.dropFirst() {
            switch entry.kind {
            case .created, .nudged, .resolutionRequested, .resolveCancelled:
                continue
            case .departmentAssigned:
                guard let department = entry.detail.departmentID else { continue }
                var transferred = false
                if let current = open {
                    sessions[current].endedAt = entry.at
                    sessions[current].end = .transferred
                    endWork(at: entry.at)
                    transferred = true
                }
                startSession(department, at: entry.at, transferred: transferred, startsEpisode: !transferred)
            case .claimed, .joined:
                guard let current = open, let actor = entry.actorID else { continue }
                participations.append(ParticipationFact(
                    incidentID: id, sessionSeq: current, userID: actor,
                    kind: entry.kind == .claimed ? .claimed : .joined, startedAt: entry.at, endedAt: nil))
                if entry.kind == .claimed, sessions[current].firstClaimedAt == nil {
                    sessions[current].firstClaimedAt = entry.at
                    sessions[current].firstClaimerID = actor
                }
            case .left:
                guard let actor = entry.actorID,
                    let index = participations.lastIndex(where: { $0.userID == actor && $0.endedAt == nil })
                else { continue }
                participations[index].endedAt = entry.at
            case .resolved, .autoClosed:
                guard let current = open else { continue }
                sessions[current].endedAt = entry.at
                sessions[current].end = entry.kind == .resolved ? .resolved : .closed
                if entry.kind == .resolved { sessions[current].resolverID = entry.actorID }
                endWork(at: entry.at)
                open = nil
            case .reopened:
                guard let department = entry.detail.departmentID, open == nil else { continue }
                episode += 1
                startSession(department, at: entry.at, transferred: false, startsEpisode: true)
            }
        }
        self.incident = IncidentFact(id: id, number: number, chatID: chatID, createdAt: first.at)
        self.sessions = sessions
        self.participations = participations
    }
}
