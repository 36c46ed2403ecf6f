import Foundation
import GRDB
import IncidentCore
import Timestamps

/// What the dashboard reads besides the access store's listings (IncidentStore+Dashboard):
/// one company's incidents page by page, its open incidents by status and department, an
/// incident's department sessions. Every list query takes the company, so a page can only
/// ever show that company's rows.

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
