import Foundation
import GRDB
import IncidentCore

/// What the dashboard reads: one company's incidents page by page, its open incidents by
/// status and department, its groups and the people it has seen. Every query takes the
/// company, so a page can only ever show that company's rows.

/// A filtered, paginated incident list of one company (newest first).
public struct IncidentQuery: Hashable, Sendable {
    public var company: CompanyID
    public var status: IncidentStatus?
    public var department: DepartmentID?
    public var chat: ChatID?
    /// Created at or after.
    public var createdFrom: Date?
    /// Created before.
    public var createdBefore: Date?
    /// Found in the reported text or the summary (case-insensitive for ASCII letters).
    public var text: String?
    /// The cursor: only incidents with a smaller id (the `next` of the previous page).
    public var before: IncidentID?
    public var limit: Int

    public init(company: CompanyID, limit: Int = 50) {
        self.company = company
        self.limit = limit
    }
}

/// One page of ``IncidentQuery``: `next` is the cursor of the following page, nil on the last.
public struct IncidentPage: Hashable, Sendable {
    public var incidents: [IncidentRecord]
    public var next: IncidentID?

    public init(incidents: [IncidentRecord], next: IncidentID?) {
        self.incidents = incidents
        self.next = next
    }
}

/// How many open incidents have a status in a department (nil: none chosen yet).
public struct OpenIncidentCount: Hashable, Sendable {
    public var status: IncidentStatus
    public var department: IncidentRecord.DepartmentRef?
    public var count: Int
}

/// One department assignment of an incident: assigned, first claimed, ended.
public struct DepartmentSessionRecord: Hashable, Sendable {
    public var seq: Int
    public var department: IncidentRecord.DepartmentRef
    public var assignedAt: Date
    public var assignedBy: UserID?
    public var firstClaimedAt: Date?
    public var endedAt: Date?
    /// transferred, resolved or closed; nil while it lasts.
    public var endReason: String?
}

/// A group as the dashboard lists it.
public struct GroupListing: Hashable, Sendable {
    public var group: Group
    public var createdAt: Date
    public var updatedAt: Date
    public var incidentCount: Int
}

/// A person a company has seen: a member of one of its departments, a manager or registered
/// driver of one of its groups, or someone who reported or worked one of its incidents.
public struct CompanyPerson: Hashable, Sendable {
    public var person: Person
    public var departments: [String]
    /// Titles (or chat ids) of the company's groups where they are a registered driver.
    public var driverIn: [String]
    public var managerOf: [String]
    public var reported: Int
    public var lastSeenAt: Date
}

extension IncidentStore {
    /// One page of a company's incidents, newest first.
    public func incidentPage(_ query: IncidentQuery) async throws(StoreError) -> IncidentPage {
        try await read { db in
            var conditions = ["i.company_id = ?"]
            var arguments: StatementArguments = [query.company.rawValue]
            func add(_ condition: String, _ values: [any DatabaseValueConvertible]) {
                conditions.append(condition)
                _ = arguments.append(contentsOf: StatementArguments(values))
            }
            if let status = query.status { add("i.status = ?", [status.rawValue]) }
            if let department = query.department { add("i.department_id = ?", [department.rawValue]) }
            if let chat = query.chat { add("g.chat_id = ?", [chat.rawValue]) }
            if let from = query.createdFrom { add("i.created_at >= ?", [Timestamp.format(from)]) }
            if let before = query.createdBefore { add("i.created_at < ?", [Timestamp.format(before)]) }
            if let text = query.text, !text.isEmpty {
                add("(instr(lower(i.reported_text), lower(?)) > 0 OR instr(lower(coalesce(i.summary, '')), lower(?)) > 0)", [text, text])
            }
            if let cursor = query.before { add("i.id < ?", [cursor.rawValue]) }
            let limit = max(1, min(query.limit, 500))
            _ = arguments.append(contentsOf: [limit + 1])
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT i.*, g.chat_id, d.name AS department_name
                    FROM incidents i JOIN groups g ON g.id = i.group_id
                    LEFT JOIN departments d ON d.id = i.department_id
                    WHERE \(conditions.joined(separator: " AND ")) ORDER BY i.id DESC LIMIT ?
                    """, arguments: arguments)
            let records = try rows.prefix(limit).map { try db.incidentRecord($0) }
            return IncidentPage(incidents: records, next: rows.count > limit ? records.last?.id : nil)
        }
    }

    /// Open incidents (not resolved or closed) of a company, counted by status and department.
    public func openIncidentCounts(company: CompanyID) async throws(StoreError) -> [OpenIncidentCount] {
        try await read { db in
            try db.rows(
                """
                SELECT i.status, i.department_id, d.name AS department_name, count(*) AS n
                FROM incidents i LEFT JOIN departments d ON d.id = i.department_id
                WHERE i.company_id = ? AND i.status NOT IN ('resolved', 'closed')
                GROUP BY i.status, i.department_id ORDER BY i.department_id, i.status
                """, [company.rawValue]
            ).map { row in
                OpenIncidentCount(
                    status: IncidentStatus(rawValue: row["status"]) ?? .closed,
                    department: (row["department_id"] as Int64?).map {
                        IncidentRecord.DepartmentRef(id: DepartmentID($0), name: row["department_name"] ?? "")
                    },
                    count: row["n"])
            }
        }
    }

    /// The department assignments of an incident, oldest first.
    public func departmentSessions(of incident: IncidentID) async throws(StoreError) -> [DepartmentSessionRecord] {
        try await read { db in
            try db.rows(
                """
                SELECT s.*, d.name AS department_name FROM department_sessions s
                JOIN departments d ON d.id = s.department_id WHERE s.incident_id = ? ORDER BY s.seq
                """, [incident.rawValue]
            ).map { row in
                DepartmentSessionRecord(
                    seq: row["seq"],
                    department: IncidentRecord.DepartmentRef(id: DepartmentID(row["department_id"] as Int64), name: row["department_name"]),
                    assignedAt: try row.date("assigned_at"), assignedBy: (row["assigned_by"] as Int64?).map(UserID.init),
                    firstClaimedAt: try row.optionalDate("first_claimed_at"), endedAt: try row.optionalDate("ended_at"),
                    endReason: row["end_reason"])
            }
        }
    }

    /// The groups attached to a company (active or inactive), by title.
    public func groups(company: CompanyID) async throws(StoreError) -> [GroupListing] {
        try await read { db in
            try db.rows(
                """
                SELECT g.id, g.chat_id, g.created_at, g.updated_at,
                    (SELECT count(*) FROM incidents i WHERE i.group_id = g.id) AS incident_count
                FROM groups g WHERE g.company_id = ? ORDER BY g.status, coalesce(g.title, ''), g.chat_id
                """, [company.rawValue]
            ).compactMap { row -> GroupListing? in
                guard let stored = try db.group(rowID: row["id"]) else { return nil }
                return GroupListing(
                    group: stored.group, createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"),
                    incidentCount: row["incident_count"])
            }
        }
    }

    /// Everyone the company has seen (see ``CompanyPerson``), by name.
    public func people(company: CompanyID) async throws(StoreError) -> [CompanyPerson] {
        try await read { db in
            let id = company.rawValue
            let rows = try db.rows(
                """
                WITH ids(user_id) AS (
                    SELECT m.user_id FROM memberships m JOIN departments d ON d.id = m.department_id
                        WHERE d.company_id = ? AND m.user_id IS NOT NULL
                    UNION SELECT r.user_id FROM registered_drivers r JOIN groups g ON g.id = r.group_id WHERE g.company_id = ?
                    UNION SELECT gm.user_id FROM group_managers gm JOIN groups g ON g.id = gm.group_id WHERE g.company_id = ?
                    UNION SELECT i.reporter_id FROM incidents i WHERE i.company_id = ?
                    UNION SELECT p.user_id FROM participations p JOIN incidents i ON i.id = p.incident_id WHERE i.company_id = ?
                )
                SELECT u.id, u.handle, u.first_name, u.last_name, u.updated_at
                FROM users u JOIN ids ON ids.user_id = u.id
                ORDER BY lower(u.first_name), lower(coalesce(u.last_name, '')), u.id
                """, [id, id, id, id, id])
            return try rows.map { row in
                let user: Int64 = row["id"]
                let person = Person(
                    id: UserID(user), handle: (row["handle"] as String?).flatMap(Handle.init),
                    firstName: row["first_name"], lastName: row["last_name"])
                let departments = try String.fetchAll(
                    db,
                    sql: """
                        SELECT d.name FROM memberships m JOIN departments d ON d.id = m.department_id
                        WHERE d.company_id = ? AND m.user_id = ? ORDER BY d.id
                        """, arguments: [id, user])
                let drives = try String.fetchAll(
                    db,
                    sql: """
                        SELECT coalesce(g.title, CAST(g.chat_id AS TEXT)) FROM registered_drivers r JOIN groups g ON g.id = r.group_id
                        WHERE g.company_id = ? AND r.user_id = ? ORDER BY g.id
                        """, arguments: [id, user])
                let manages = try String.fetchAll(
                    db,
                    sql: """
                        SELECT coalesce(g.title, CAST(g.chat_id AS TEXT)) FROM group_managers gm JOIN groups g ON g.id = gm.group_id
                        WHERE g.company_id = ? AND gm.user_id = ? ORDER BY g.id
                        """, arguments: [id, user])
                let reported = try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM incidents WHERE company_id = ? AND reporter_id = ?", arguments: [id, user]) ?? 0
                return CompanyPerson(
                    person: person, departments: departments, driverIn: drives, managerOf: manages, reported: reported,
                    lastSeenAt: try row.date("updated_at"))
            }
        }
    }

    /// The people with these ids the store has seen.
    public func people(_ ids: [UserID]) async throws(StoreError) -> [UserID: Person] {
        try await read { db in try db.people(ids) }
    }
}

extension IncidentStore {
    /// The key dashboard cookies are signed with: 32 random bytes made on first use and kept,
    /// so sessions survive a restart of the incident service.
    public func dashboardSigningSecret(now: Date) async throws(StoreError) -> Data {
        try await write { db in
            if let existing = try Data.fetchOne(db, sql: "SELECT value FROM dashboard_secrets WHERE name = 'cookie_signing'") {
                return existing
            }
            var generator = SystemRandomNumberGenerator()
            let secret = Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
            try db.run(
                "INSERT INTO dashboard_secrets (name, value, created_at) VALUES ('cookie_signing', ?, ?)", [secret, stamp(now)])
            return secret
        }
    }
}
