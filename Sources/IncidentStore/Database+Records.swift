import Foundation
import GRDB
import IncidentCore

/// A group row: the domain value and the store's own id (which survives chat migrations).
struct StoredGroup: Sendable {
    var rowID: Int64
    var group: Group
    var nextNumber: Int
}

/// An incident row with what only the store knows.
struct StoredIncident: Sendable {
    var incident: Incident
    var groupRowID: Int64
    var cardMessageID: MessageID?
    var summaryPromptMessageID: MessageID?
}

/// Reads a row's columns in order, by position (GRDB's lookups by name lower-case the name
/// on every call, which shows in the profile of every action).
struct Columns {
    private let row: Row
    private var index = 0

    init(_ row: Row) { self.row = row }

    mutating func int64() -> Int64 {
        defer { index += 1 }
        return (row[index] as Int64?) ?? 0
    }

    mutating func optionalInt64() -> Int64? {
        defer { index += 1 }
        return row[index]
    }

    mutating func bool() -> Bool { int64() != 0 }

    mutating func string() -> String {
        defer { index += 1 }
        return (row[index] as String?) ?? ""
    }

    mutating func optionalString() -> String? {
        defer { index += 1 }
        return row[index]
    }

    mutating func date() throws -> Date {
        guard let date = Timestamp.parse(string()) else {
            throw StoreError(.unavailable, "a stored timestamp is unreadable")
        }
        return date
    }

    mutating func optionalDate() throws -> Date? {
        guard let text = optionalString() else { return nil }
        guard let date = Timestamp.parse(text) else {
            throw StoreError(.unavailable, "a stored timestamp is unreadable")
        }
        return date
    }
}

/// The compare-and-set UPDATE found the incident changed by someone else.
struct CompareAndSetConflict: Error {}

extension Database {
    // MARK: Groups

    private static let groupSelect = "SELECT id, chat_id, company_id, status, title, next_incident_number FROM groups"

    func group(chatID: ChatID) throws -> StoredGroup? {
        guard let row = try row(Self.groupSelect + " WHERE chat_id = ?", [chatID.rawValue]) else { return nil }
        return try storedGroup(row)
    }

    func group(rowID: Int64) throws -> StoredGroup? {
        guard let row = try row(Self.groupSelect + " WHERE id = ?", [rowID]) else { return nil }
        return try storedGroup(row)
    }

    private func storedGroup(_ row: Row) throws -> StoredGroup {
        var columns = Columns(row)
        let rowID = columns.int64()
        let chat = ChatID(columns.int64())
        let company = columns.optionalInt64().map(CompanyID.init)
        let status = GroupStatus(rawValue: columns.string()) ?? .inactive
        let title = columns.optionalString()
        let next = Int(columns.int64())
        let managers = try Int64.fetchAll(
            cachedStatement(sql: "SELECT user_id FROM group_managers WHERE group_id = ? ORDER BY user_id"),
            arguments: [rowID])
        return StoredGroup(
            rowID: rowID,
            group: Group(
                chatID: chat, companyID: company, status: status, managerIDs: Set(managers.map(UserID.init)),
                title: title),
            nextNumber: next)
    }

    /// The group of `chat`, recorded as pending if the store has not seen it yet. A chat that
    /// was upgraded to a supergroup is the group it became.
    func ensureGroup(_ chat: ChatRef, now: Date) throws -> StoredGroup {
        if let existing = try group(chatID: chat.id) {
            if let title = chat.title, title != existing.group.title {
                try run("UPDATE groups SET title = ?, updated_at = ? WHERE id = ?", [title, stamp(now), existing.rowID])
            }
            return existing
        }
        if let moved = try Int64.fetchOne(
            cachedStatement(sql: "SELECT group_id FROM chat_migrations WHERE old_chat_id = ?"),
            arguments: [chat.id.rawValue]),
            let group = try group(rowID: moved)
        {
            return group
        }
        try run(
            "INSERT INTO groups (chat_id, status, title, created_at, updated_at) VALUES (?, 'pending', ?, ?, ?)",
            [chat.id.rawValue, chat.title, stamp(now), stamp(now)])
        guard let created = try group(chatID: chat.id) else { throw StoreError.notFound("group") }
        return created
    }

    // MARK: Departments, members, people

    /// The departments of `company` in card order; deleted ones only when asked for (reports
    /// still name them).
    func departments(company: CompanyID, includingDeleted: Bool = false) throws -> [Department] {
        let sql = includingDeleted
            ? "SELECT id, name, restricted FROM departments WHERE company_id = ? ORDER BY id"
            : "SELECT id, name, restricted FROM departments WHERE company_id = ? AND deleted_at IS NULL ORDER BY id"
        return try rows(sql, [company.rawValue]).map {
            var columns = Columns($0)
            return Department(
                id: DepartmentID(columns.int64()), companyID: company, name: columns.string(), restricted: columns.bool())
        }
    }

    func department(_ id: DepartmentID) throws -> Department? {
        try row("SELECT * FROM departments WHERE id = ?", [id.rawValue]).map {
            Department(
                id: id, companyID: CompanyID($0["company_id"] as Int64), name: $0["name"],
                restricted: $0["restricted"] as Bool)
        }
    }

    /// Every member of every department of `company`, as mentions, in the order they were added.
    func members(company: CompanyID) throws -> [DepartmentID: [Mention]] {
        let rows = try rows(
            """
            SELECT m.department_id, m.user_id, m.pending_handle, u.handle, u.first_name, u.last_name
            FROM memberships m
            JOIN departments d ON d.id = m.department_id
            LEFT JOIN users u ON u.id = m.user_id
            WHERE d.company_id = ?
            ORDER BY m.id
            """, [company.rawValue])
        var members: [DepartmentID: [Mention]] = [:]
        for row in rows {
            var columns = Columns(row)
            let department = DepartmentID(columns.int64())
            let user = columns.optionalInt64()
            let pending = columns.optionalString()
            let handle = columns.optionalString()
            let first = columns.optionalString()
            let last = columns.optionalString()
            let mention: Mention
            if let user {
                if let first {
                    let person = Person(
                        id: UserID(user), handle: handle.flatMap(Handle.init), firstName: first, lastName: last)
                    mention = person.mention
                } else {
                    mention = .user(id: UserID(user), handle: nil, name: Texts.unseenUser(UserID(user)))
                }
            } else if let pending, let handle = Handle(pending) {
                mention = .handle(handle)
            } else {
                continue
            }
            members[department, default: []].append(mention)
        }
        return members
    }

    func people(_ ids: some Sequence<UserID>) throws -> [UserID: Person] {
        let unique = Array(Set(ids))
        guard !unique.isEmpty else { return [:] }
        var people: [UserID: Person] = [:]
        let placeholders = Array(repeating: "?", count: unique.count).joined(separator: ", ")
        let rows = try rows(
            "SELECT id, handle, first_name, last_name FROM users WHERE id IN (\(placeholders))",
            StatementArguments(unique.map(\.rawValue)))
        for row in rows {
            var columns = Columns(row)
            let id = UserID(columns.int64())
            let handle = columns.optionalString().flatMap(Handle.init)
            people[id] = Person(id: id, handle: handle, firstName: columns.string(), lastName: columns.optionalString())
        }
        return people
    }

    /// Records a user as seen now. When the user is new or their @handle changed, memberships
    /// waiting for that handle are bound to their id (a handle added for a user already seen
    /// is bound when it is added).
    func recordSeen(_ person: Person, now: Date) throws {
        let existing = try row("SELECT handle, first_name, last_name FROM users WHERE id = ?", [person.id.rawValue])
        var handleIsNew = true
        if let existing {
            let storedHandle = existing["handle"] as String?
            handleIsNew = storedHandle != person.handle?.name
            let same = !handleIsNew
                && (existing["first_name"] as String) == person.firstName
                && (existing["last_name"] as String?) == person.lastName
            if !same {
                try run(
                    "UPDATE users SET handle = ?, first_name = ?, last_name = ?, updated_at = ? WHERE id = ?",
                    [person.handle?.name, person.firstName, person.lastName, stamp(now), person.id.rawValue])
            }
        } else {
            try run(
                """
                INSERT INTO users (id, handle, first_name, last_name, first_seen_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """,
                [person.id.rawValue, person.handle?.name, person.firstName, person.lastName, stamp(now), stamp(now)])
        }
        if let handle = person.handle, handleIsNew {
            try bindPendingMemberships(handle, to: person.id, now: now)
        }
    }

    func bindPendingMemberships(_ handle: Handle, to user: UserID, now: Date) throws {
        guard try row("SELECT 1 FROM memberships WHERE pending_handle = ? LIMIT 1", [handle.name]) != nil
        else { return }
        try run(
            """
            UPDATE memberships SET user_id = ?, pending_handle = NULL, bound_at = ?
            WHERE pending_handle = ?
              AND department_id NOT IN (SELECT department_id FROM memberships WHERE user_id = ?)
            """, [user.rawValue, stamp(now), handle.name, user.rawValue])
        // Where the user was already a member by id, the pending row is redundant.
        try run("DELETE FROM memberships WHERE pending_handle = ?", [handle.name])
    }

    // MARK: Incidents

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
