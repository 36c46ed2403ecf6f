import Foundation
import GRDB
import IncidentCore

/// An incident row with what only the store knows.
struct StoredIncident: Sendable {
    var incident: Incident
    var groupRowID: Int64
    var cardMessageID: MessageID?
    var summaryPromptMessageID: MessageID?
}

/// The compare-and-set UPDATE found the incident changed by someone else.
struct CompareAndSetConflict: Error {}

extension Database {
    /// Selects incidents with the columns ``storedIncident(_:)`` reads, in its order.
    static let incidentSelect = """
        SELECT i.id, i.group_id, g.chat_id, i.company_id, i.number, i.reporter_id, i.reported_text,
            i.reported_message_id, i.created_at, i.status, i.version, i.card_version, i.department_id,
            i.picker_open, i.resolver_id, i.resolve_round, i.summary, i.summary_deadline,
            i.department_assigned_at, i.waiting_since, i.last_nudge_at, i.reporter_nudged,
            i.resolved_at, i.closed_at, i.pinned, i.card_message_id, i.summary_prompt_message_id,
            i.assignment_card_version, i.episode_card_version, i.report_attachments
        FROM incidents i JOIN groups g ON g.id = i.group_id
        """

    func storedIncident(_ id: IncidentID) throws -> StoredIncident? {
        guard let row = try row(Self.incidentSelect + " WHERE i.id = ?", [id.rawValue]) else { return nil }
        return try storedIncident(row)
    }

    /// Reads a row of ``incidentSelect`` (by position: the hot path of every action).
    func storedIncident(_ row: Row) throws -> StoredIncident {
        var columns = Columns(row)
        let id = IncidentID(columns.int64())
        let groupRowID = columns.int64()
        let chat = ChatID(columns.int64())
        let company = CompanyID(columns.int64())
        let number = IncidentNumber(Int(columns.int64()))
        let reporter = UserID(columns.int64())
        let text = columns.string()
        let reportedMessage = columns.optionalInt64().map(MessageID.init)
        var incident = Incident(
            id: id, chatID: chat, companyID: company, number: number, reporterID: reporter,
            report: Report(text: text, messageID: reportedMessage), createdAt: try columns.date())
        guard let status = IncidentStatus(rawValue: columns.string()) else {
            throw StoreError(.unavailable, "stored status of incident \(id) is unreadable")
        }
        incident.status = status
        incident.version = Int(columns.int64())
        incident.cardVersion = Int(columns.int64())
        incident.departmentID = columns.optionalInt64().map(DepartmentID.init)
        incident.isPickerOpen = columns.bool()
        incident.resolverID = columns.optionalInt64().map(UserID.init)
        incident.resolveRound = Int(columns.int64())
        incident.summary = columns.optionalString()
        incident.summaryDeadline = try columns.optionalDate()
        incident.departmentAssignedAt = try columns.optionalDate()
        incident.waitingSince = try columns.optionalDate()
        incident.lastNudgeAt = try columns.optionalDate()
        incident.reporterNudged = columns.bool()
        incident.resolvedAt = try columns.optionalDate()
        incident.closedAt = try columns.optionalDate()
        incident.isPinned = columns.bool()
        let cardMessage = columns.optionalInt64().map(MessageID.init)
        let promptMessage = columns.optionalInt64().map(MessageID.init)
        incident.assignmentCardVersion = Int(columns.int64())
        incident.episodeCardVersion = Int(columns.int64())
        incident.report.attachments = Attachment.decodeList(columns.string())
        incident.participations = try rows(
            """
            SELECT user_id, kind, session_seq, started_at, ended_at FROM participations
            WHERE incident_id = ? ORDER BY seq
            """, [id.rawValue]
        ).map {
            var columns = Columns($0)
            return Participation(
                userID: UserID(columns.int64()), kind: Participation.Kind(rawValue: columns.string()) ?? .joined,
                session: Int(columns.int64()), startedAt: try columns.date(), endedAt: try columns.optionalDate())
        }
        incident.sessions = try rows(
            """
            SELECT department_id, assigned_at, assigned_by, first_claimed_at, ended_at, end_reason
            FROM department_sessions WHERE incident_id = ? ORDER BY seq
            """, [id.rawValue]
        ).map {
            var columns = Columns($0)
            return DepartmentSession(
                departmentID: DepartmentID(columns.int64()), assignedAt: try columns.date(),
                assignedBy: columns.optionalInt64().map(UserID.init), firstClaimedAt: try columns.optionalDate(),
                endedAt: try columns.optionalDate(),
                end: columns.optionalString().flatMap(DepartmentSession.End.init(rawValue:)))
        }
        return StoredIncident(
            incident: incident, groupRowID: groupRowID, cardMessageID: cardMessage, summaryPromptMessageID: promptMessage)
    }

    private static let incidentColumns = """
        status = ?, version = ?, card_version = ?, department_id = ?, picker_open = ?,
        resolver_id = ?, resolve_round = ?, summary = ?, summary_deadline = ?,
        department_assigned_at = ?, waiting_since = ?, last_nudge_at = ?, reporter_nudged = ?,
        resolved_at = ?, closed_at = ?, pinned = ?, assignment_card_version = ?, episode_card_version = ?
        """

    private func mutableArguments(_ incident: Incident) -> StatementArguments {
        [
            incident.status.rawValue, incident.version, incident.cardVersion,
            incident.departmentID?.rawValue, incident.isPickerOpen, incident.resolverID?.rawValue,
            incident.resolveRound, incident.summary, stamp(incident.summaryDeadline),
            stamp(incident.departmentAssignedAt), stamp(incident.waitingSince), stamp(incident.lastNudgeAt),
            incident.reporterNudged, stamp(incident.resolvedAt), stamp(incident.closedAt), incident.isPinned,
            incident.assignmentCardVersion, incident.episodeCardVersion,
        ]
    }

    func insertIncident(_ incident: Incident, groupRowID: Int64) throws {
        try run(
            """
            INSERT INTO incidents (id, group_id, company_id, number, reporter_id, reported_text,
                reported_message_id, created_at, status, version, card_version, department_id,
                picker_open, resolver_id, resolve_round, summary, summary_deadline,
                department_assigned_at, waiting_since, last_nudge_at, reporter_nudged,
                resolved_at, closed_at, pinned, assignment_card_version, episode_card_version,
                report_attachments)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                incident.id.rawValue, groupRowID, incident.companyID.rawValue, incident.number.rawValue,
                incident.reporterID.rawValue, incident.report.text, incident.report.messageID?.rawValue,
                stamp(incident.createdAt),
            ] + mutableArguments(incident) + [Attachment.encodeList(incident.report.attachments)])
        try writeChildren(old: nil, new: incident)
    }

    /// Writes `new` over `old` if the stored row still has `old`'s status and version
    /// (compare-and-set); throws ``CompareAndSetConflict`` otherwise.
    func updateIncident(from old: Incident, to new: Incident) throws {
        var arguments = mutableArguments(new)
        // A summary prompt belongs to awaiting_summary: a reply to it later is not a summary.
        let clearsPrompt = new.status != .awaitingSummary || new.resolveRound != old.resolveRound
        arguments += [old.id.rawValue, old.status.rawValue, old.version]
        try run(
            """
            UPDATE incidents SET \(Self.incidentColumns)\(clearsPrompt ? ", summary_prompt_message_id = NULL" : "")
            WHERE id = ? AND status = ? AND version = ?
            """, arguments)
        guard changesCount == 1 else { throw CompareAndSetConflict() }
        try writeChildren(old: old, new: new)
    }

    /// Participations and sessions only grow; rows that changed (an end) are rewritten.
    private func writeChildren(old: Incident?, new: Incident) throws {
        let id = new.id.rawValue
        for (seq, participation) in new.participations.enumerated() {
            if let old, seq < old.participations.count, old.participations[seq] == participation { continue }
            try run(
                """
                INSERT OR REPLACE INTO participations (incident_id, seq, user_id, kind, session_seq, started_at, ended_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
                [id, seq, participation.userID.rawValue, participation.kind.rawValue, participation.session,
                 stamp(participation.startedAt), stamp(participation.endedAt)])
        }
        for (seq, session) in new.sessions.enumerated() {
            if let old, seq < old.sessions.count, old.sessions[seq] == session { continue }
            try run(
                """
                INSERT OR REPLACE INTO department_sessions (incident_id, seq, department_id, assigned_at,
                    assigned_by, first_claimed_at, ended_at, end_reason)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [id, seq, session.departmentID.rawValue, stamp(session.assignedAt), session.assignedBy?.rawValue,
                 stamp(session.firstClaimedAt), stamp(session.endedAt), session.end?.rawValue])
        }
    }

    func appendTimeline(_ entry: TimelineEntry, incident: IncidentID, encoder: JSONEncoder) throws {
        let detail = String(decoding: try encoder.encode(entry.detail), as: UTF8.self)
        try run(
            "INSERT INTO timeline (incident_id, at, actor_id, kind, detail) VALUES (?, ?, ?, ?, ?)",
            [incident.rawValue, stamp(entry.at), entry.actorID?.rawValue, entry.kind.rawValue, detail])
    }

    /// The context a decision about `incident` needs.
    func decisionContext(
        for incident: Incident, group: StoredGroup, actor: Person?, policy: SLAPolicy
    ) throws -> DecisionContext {
        var ids = incident.activeParticipantIDs + [incident.reporterID]
        if let resolver = incident.resolverID { ids.append(resolver) }
        var people = try people(ids)
        if let actor { people[actor.id] = actor }
        // A department deleted while this incident was with it (history kept): still named on
        // its card, never offered in a picker.
        var departments = try departments(company: incident.companyID)
        if let current = incident.departmentID, !departments.contains(where: { $0.id == current }),
            let deleted = try department(current)
        {
            departments.append(deleted)
        }
        return DecisionContext(
            group: group.group, departments: departments,
            members: try members(company: incident.companyID), people: people, policy: policy)
    }
}
