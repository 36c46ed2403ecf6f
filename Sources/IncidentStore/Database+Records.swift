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

/// The compare-and-set UPDATE found the incident changed by someone else.
struct CompareAndSetConflict: Error {}

extension Database {
    // MARK: Groups

    func group(chatID: ChatID) throws -> StoredGroup? {
        guard let row = try row("SELECT * FROM groups WHERE chat_id = ?", [chatID.rawValue]) else { return nil }
        return try storedGroup(row)
    }

    func group(rowID: Int64) throws -> StoredGroup? {
        guard let row = try row("SELECT * FROM groups WHERE id = ?", [rowID]) else { return nil }
        return try storedGroup(row)
    }

    private func storedGroup(_ row: Row) throws -> StoredGroup {
        let rowID: Int64 = row["id"]
        let managers = try Int64.fetchAll(
            cachedStatement(sql: "SELECT user_id FROM group_managers WHERE group_id = ? ORDER BY user_id"),
            arguments: [rowID])
        let status = GroupStatus(rawValue: row["status"]) ?? .inactive
        let company: Int64? = row["company_id"]
        return StoredGroup(
            rowID: rowID,
            group: Group(
                chatID: ChatID(row["chat_id"] as Int64), companyID: company.map(CompanyID.init),
                status: status, managerIDs: Set(managers.map(UserID.init)), title: row["title"]),
            nextNumber: row["next_incident_number"])
    }

    /// The group of `chat`, recorded as pending if the store has not seen it yet.
    func ensureGroup(_ chat: ChatRef, now: Date) throws -> StoredGroup {
        if let existing = try group(chatID: chat.id) {
            if let title = chat.title, title != existing.group.title {
                try run("UPDATE groups SET title = ?, updated_at = ? WHERE id = ?", [title, stamp(now), existing.rowID])
            }
            return existing
        }
        try run(
            "INSERT INTO groups (chat_id, status, title, created_at, updated_at) VALUES (?, 'pending', ?, ?, ?)",
            [chat.id.rawValue, chat.title, stamp(now), stamp(now)])
        guard let created = try group(chatID: chat.id) else { throw StoreError.notFound("group") }
        return created
    }

    // MARK: Departments, members, people

    func departments(company: CompanyID) throws -> [Department] {
        try rows("SELECT * FROM departments WHERE company_id = ? ORDER BY id", [company.rawValue]).map {
            Department(
                id: DepartmentID($0["id"] as Int64), companyID: company, name: $0["name"],
                restricted: $0["restricted"] as Bool)
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
            let department = DepartmentID(row["department_id"] as Int64)
            let mention: Mention
            if let user: Int64 = row["user_id"] {
                if let first: String = row["first_name"] {
                    let person = Person(
                        id: UserID(user), handle: (row["handle"] as String?).flatMap(Handle.init),
                        firstName: first, lastName: row["last_name"])
                    mention = person.mention
                } else {
                    mention = .user(id: UserID(user), handle: nil, name: "user \(user)")
                }
            } else if let pending: String = row["pending_handle"], let handle = Handle(pending) {
                mention = .handle(handle)
            } else {
                continue
            }
            members[department, default: []].append(mention)
        }
        return members
    }

    func people(_ ids: some Sequence<UserID>) throws -> [UserID: Person] {
        var people: [UserID: Person] = [:]
        for id in Set(ids) {
            if let row = try row("SELECT * FROM users WHERE id = ?", [id.rawValue]) {
                people[id] = Person(
                    id: id, handle: (row["handle"] as String?).flatMap(Handle.init),
                    firstName: row["first_name"], lastName: row["last_name"])
            }
        }
        return people
    }

    /// Records a user as seen now, and binds memberships waiting for their @handle to their id.
    func recordSeen(_ person: Person, now: Date) throws {
        let existing = try row("SELECT handle, first_name, last_name FROM users WHERE id = ?", [person.id.rawValue])
        if let existing {
            let same = (existing["handle"] as String?) == person.handle?.name
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
        if let handle = person.handle {
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

    func storedIncident(_ id: IncidentID) throws -> StoredIncident? {
        guard let row = try row(
            "SELECT i.*, g.chat_id FROM incidents i JOIN groups g ON g.id = i.group_id WHERE i.id = ?",
            [id.rawValue])
        else { return nil }
        return try storedIncident(row)
    }

    func storedIncident(_ row: Row) throws -> StoredIncident {
        let id = IncidentID(row["id"] as Int64)
        guard let status = IncidentStatus(rawValue: row["status"]) else {
            throw StoreError(.unavailable, "stored status of incident \(id) is unreadable")
        }
        var incident = Incident(
            id: id, chatID: ChatID(row["chat_id"] as Int64), companyID: CompanyID(row["company_id"] as Int64),
            number: IncidentNumber(row["number"] as Int), reporterID: UserID(row["reporter_id"] as Int64),
            report: Report(
                text: row["reported_text"],
                messageID: (row["reported_message_id"] as Int64?).map(MessageID.init)),
            createdAt: try row.date("created_at"))
        incident.status = status
        incident.version = row["version"]
        incident.cardVersion = row["card_version"]
        incident.departmentID = (row["department_id"] as Int64?).map(DepartmentID.init)
        incident.isPickerOpen = row["picker_open"]
        incident.resolverID = (row["resolver_id"] as Int64?).map(UserID.init)
        incident.resolveRound = row["resolve_round"]
        incident.summary = row["summary"]
        incident.summaryDeadline = try row.optionalDate("summary_deadline")
        incident.departmentAssignedAt = try row.optionalDate("department_assigned_at")
        incident.waitingSince = try row.optionalDate("waiting_since")
        incident.lastNudgeAt = try row.optionalDate("last_nudge_at")
        incident.reporterNudged = row["reporter_nudged"]
        incident.resolvedAt = try row.optionalDate("resolved_at")
        incident.closedAt = try row.optionalDate("closed_at")
        incident.isPinned = row["pinned"]
        incident.participations = try rows(
            "SELECT * FROM participations WHERE incident_id = ? ORDER BY seq", [id.rawValue]
        ).map {
            Participation(
                userID: UserID($0["user_id"] as Int64),
                kind: Participation.Kind(rawValue: $0["kind"]) ?? .joined,
                session: $0["session_seq"], startedAt: try $0.date("started_at"),
                endedAt: try $0.optionalDate("ended_at"))
        }
        incident.sessions = try rows(
            "SELECT * FROM department_sessions WHERE incident_id = ? ORDER BY seq", [id.rawValue]
        ).map {
            DepartmentSession(
                departmentID: DepartmentID($0["department_id"] as Int64),
                assignedAt: try $0.date("assigned_at"),
                assignedBy: ($0["assigned_by"] as Int64?).map(UserID.init),
                firstClaimedAt: try $0.optionalDate("first_claimed_at"),
                endedAt: try $0.optionalDate("ended_at"),
                end: ($0["end_reason"] as String?).flatMap(DepartmentSession.End.init(rawValue:)))
        }
        return StoredIncident(
            incident: incident, groupRowID: row["group_id"],
            cardMessageID: (row["card_message_id"] as Int64?).map(MessageID.init),
            summaryPromptMessageID: (row["summary_prompt_message_id"] as Int64?).map(MessageID.init))
    }

    private static let incidentColumns = """
        status = ?, version = ?, card_version = ?, department_id = ?, picker_open = ?,
        resolver_id = ?, resolve_round = ?, summary = ?, summary_deadline = ?,
        department_assigned_at = ?, waiting_since = ?, last_nudge_at = ?, reporter_nudged = ?,
        resolved_at = ?, closed_at = ?, pinned = ?
        """

    private func mutableArguments(_ incident: Incident) -> StatementArguments {
        [
            incident.status.rawValue, incident.version, incident.cardVersion,
            incident.departmentID?.rawValue, incident.isPickerOpen, incident.resolverID?.rawValue,
            incident.resolveRound, incident.summary, stamp(incident.summaryDeadline),
            stamp(incident.departmentAssignedAt), stamp(incident.waitingSince), stamp(incident.lastNudgeAt),
            incident.reporterNudged, stamp(incident.resolvedAt), stamp(incident.closedAt), incident.isPinned,
        ]
    }

    func insertIncident(_ incident: Incident, groupRowID: Int64) throws {
        try run(
            """
            INSERT INTO incidents (id, group_id, company_id, number, reporter_id, reported_text,
                reported_message_id, created_at, status, version, card_version, department_id,
                picker_open, resolver_id, resolve_round, summary, summary_deadline,
                department_assigned_at, waiting_since, last_nudge_at, reporter_nudged,
                resolved_at, closed_at, pinned)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                incident.id.rawValue, groupRowID, incident.companyID.rawValue, incident.number.rawValue,
                incident.reporterID.rawValue, incident.report.text, incident.report.messageID?.rawValue,
                stamp(incident.createdAt),
            ] + mutableArguments(incident))
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
        return DecisionContext(
            group: group.group, departments: try departments(company: incident.companyID),
            members: try members(company: incident.companyID), people: people, policy: policy)
    }
}
