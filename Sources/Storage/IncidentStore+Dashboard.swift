import Foundation
import GRDB
import IncidentCore
import Timestamps

/// A group as the dashboard lists it.
public struct GroupInfo: Sendable, Hashable {
    public var chatID: ChatID
    public var companyID: CompanyID?
    public var status: GroupStatus
    public var title: String?
    /// The group's managers, with their names when seen.
    public var managers: [ManagerInfo]
    /// Who added the bot (pending groups: the person whose company may approve it).
    public var addedBy: UserID?
    /// A pending group a manager denied (it stays pending for an `/activate CODE`).
    public var deniedAt: Date?
    public var createdAt: Date

    /// A manager: the user id and, once seen, the person.
    public struct ManagerInfo: Sendable, Hashable {
        public var id: UserID
        public var person: Person?
    }
}

/// Someone the bot has seen in a company's world, as the People page lists them.
public struct PersonInfo: Sendable, Hashable {
    public var person: Person
    /// Departments of the company the person is a member of (live ones, by name order).
    public var departments: [Department]
    /// Chats of the company's groups where the person is a registered driver.
    public var driverIn: [ChatID]
    /// Chats of the company's groups the person manages.
    public var managerOf: [ChatID]
    public var firstSeenAt: Date
    public var lastSeenAt: Date
}

extension IncidentStore {
    // MARK: Departments

    /// A department that is not deleted, or nil.
    public func liveDepartment(_ id: DepartmentID) async throws(StoreError) -> Department? {
        try await read { db in
            guard try db.row("SELECT 1 FROM departments WHERE id = ? AND deleted_at IS NULL", [id.rawValue]) != nil
            else { return nil }
            return try db.department(id)
        }
    }

    /// Renames a department (names stay unique within the company, ignoring case). Incidents
    /// and reports show the new name from then on.
    public func renameDepartment(_ id: DepartmentID, to name: String) async throws(StoreError) -> Department {
        let name = try NameRules.validate(name, what: "department", maximum: 64)
        return try await write { db in
            guard let department = try db.liveDepartment(id) else { throw StoreError.notFound("department \(id)") }
            if try db.row(
                """
                SELECT 1 FROM departments
                WHERE company_id = ? AND name = ? COLLATE NOCASE AND deleted_at IS NULL AND id != ?
                """, [department.companyID.rawValue, name, id.rawValue]) != nil
            {
                throw StoreError.duplicate("company \(department.companyID) has a department named \(name)")
            }
            try db.run("UPDATE departments SET name = ? WHERE id = ?", [name, id.rawValue])
            var renamed = department
            renamed.name = name
            return renamed
        }
    }

    /// Restricts a department or lifts the restriction. A restricted department is offered on
    /// the card like any other, but only its members or a group manager may send an incident
    /// there (IncidentCore's `Refusal.restrictedDepartment`); it keeps its members and history.
    public func setDepartmentRestricted(_ id: DepartmentID, _ restricted: Bool) async throws(StoreError) -> Department {
        try await write { db in
            guard var department = try db.liveDepartment(id) else { throw StoreError.notFound("department \(id)") }
            try db.run("UPDATE departments SET restricted = ? WHERE id = ?", [restricted, id.rawValue])
            department.restricted = restricted
            return department
        }
    }

    /// Deletes a department with its history kept: it leaves the card's pickers and the
    /// department lists, its name may be used again, and incidents, their timelines and
    /// reports still name it. Refused while incidents are open with it (move or close them
    /// first), so no open incident is left with a department nobody can pick.
    public func deleteDepartment(_ id: DepartmentID, now: Date = Date()) async throws(StoreError) {
        let now = Timestamp.rounded(now)
        try await write { db in
            guard try db.liveDepartment(id) != nil else { throw StoreError.notFound("department \(id)") }
            let open = try Int.fetchOne(
                db,
                sql: "SELECT count(*) FROM incidents WHERE department_id = ? AND status NOT IN ('resolved', 'closed')",
                arguments: [id.rawValue]) ?? 0
            if open > 0 {
                throw StoreError(.conflict, "department \(id) has \(open) open incident(s); move or close them first")
            }
            try db.run("UPDATE departments SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL", [stamp(now), id.rawValue])
        }
    }

    // MARK: Groups

    /// The groups of `companyID` (nil: every group), by status when given, oldest first. For
    /// a company, pending groups are those its own people (department members, managers of
    /// its groups) added the bot to and nobody denied: no company sees another's pending
    /// groups.
    public func groups(companyID: Int64?, status: GroupStatus? = nil) async throws(StoreError) -> [GroupInfo] {
        try await read { db in
            var rows: [Row]
            if let companyID {
                rows = try db.rows(
                    "SELECT * FROM groups WHERE company_id = ? AND status != 'pending' ORDER BY id", [companyID])
                if status == nil || status == .pending {
                    rows += try db.rows(
                        "SELECT * FROM groups g WHERE \(Self.offeredPending) ORDER BY id", [companyID, companyID])
                }
            } else {
                rows = try db.rows("SELECT * FROM groups ORDER BY id")
            }
            let infos = try rows.map { try Self.groupInfo($0, db: db) }
            return infos.filter { status == nil || $0.status == status }.sorted { $0.createdAt < $1.createdAt }
        }
    }

    /// One group, or nil.
    public func groupInfo(chat: ChatID) async throws(StoreError) -> GroupInfo? {
        try await read { db in
            try db.row("SELECT * FROM groups WHERE chat_id = ?", [chat.rawValue]).map { try Self.groupInfo($0, db: db) }
        }
    }

    /// True when `companyID` may see and act on the group of `chat`: it is the company's, or
    /// it is pending, not denied, and one of the company's people added the bot.
    public func group(chat: ChatID, isVisibleTo companyID: Int64) async throws(StoreError) -> Bool {
        try await read { db in try Self.isVisible(chat: chat, to: companyID, db: db) }
    }

    /// A pending group (not denied) whose bot was added by a member of one of the company's
    /// departments or a manager of one of its groups. Arguments: company id twice.
    static let offeredPending = """
        g.status = 'pending' AND g.denied_at IS NULL AND g.added_by IS NOT NULL AND (
            g.added_by IN (SELECT m.user_id FROM memberships m JOIN departments d ON d.id = m.department_id
                           WHERE d.company_id = ? AND d.deleted_at IS NULL AND m.user_id IS NOT NULL)
            OR g.added_by IN (SELECT gm.user_id FROM group_managers gm JOIN groups o ON o.id = gm.group_id
                              WHERE o.company_id = ?))
        """

    static func isVisible(chat: ChatID, to companyID: Int64, db: Database) throws -> Bool {
        try db.row(
            "SELECT 1 FROM groups g WHERE g.chat_id = ? AND (g.company_id = ? OR (\(offeredPending)))",
            [chat.rawValue, companyID, companyID, companyID]) != nil
    }

    static func groupInfo(_ row: Row, db: Database) throws -> GroupInfo {
        let rowID: Int64 = row["id"]
        let managerIDs = try Int64.fetchAll(
            db, sql: "SELECT user_id FROM group_managers WHERE group_id = ? ORDER BY user_id", arguments: [rowID]
        ).map(UserID.init)
        let people = try db.people(managerIDs)
        return GroupInfo(
            chatID: ChatID(row["chat_id"] as Int64), companyID: (row["company_id"] as Int64?).map(CompanyID.init),
            status: GroupStatus(rawValue: row["status"]) ?? .inactive, title: row["title"],
            managers: managerIDs.map { GroupInfo.ManagerInfo(id: $0, person: people[$0]) },
            addedBy: (row["added_by"] as Int64?).map(UserID.init), deniedAt: try row.optionalDate("denied_at"),
            createdAt: try row.date("created_at"))
    }

    /// Approves a pending group for `companyID`: it becomes active, `managers` (when given)
    /// become its managers, and the group is told, through the outbox, in the same
    /// transaction. Refused unless the group is pending (an active group is not moved to
    /// another company; an inactive one has no bot to tell).
    @discardableResult
    public func approveGroup(
        chat: ChatID, companyID: Int64, managers: [UserID]?, now: Date = Date()
    ) async throws(StoreError) -> GroupInfo {
        let now = Timestamp.rounded(now)
        return try await write { db in
            guard let company = try db.row("SELECT name FROM companies WHERE id = ?", [companyID]) else {
                throw StoreError.notFound("company \(companyID)")
            }
            guard let group = try db.group(chatID: chat) else { throw StoreError.notFound("group \(chat)") }
            guard group.group.status == .pending else {
                throw StoreError(.conflict, "group \(chat) is \(group.group.status.rawValue), not pending")
            }
            try db.run(
                "UPDATE groups SET company_id = ?, status = 'active', denied_at = NULL, updated_at = ? WHERE id = ?",
                [companyID, stamp(now), group.rowID])
            if let managers {
                try db.run("DELETE FROM group_managers WHERE group_id = ?", [group.rowID])
                for manager in Set(managers) {
                    try db.run("INSERT INTO group_managers (group_id, user_id) VALUES (?, ?)", [group.rowID, manager.rawValue])
                }
            }
            try Self.tell(ChatDecisions.approved(companyName: company["name"]), group: group, db: db, now: now)
            guard let row = try db.row("SELECT * FROM groups WHERE id = ?", [group.rowID]) else {
                throw StoreError.notFound("group \(chat)")
            }
            return try Self.groupInfo(row, db: db)
        }
    }

    /// Denies a pending group: the group is told (through the outbox), and it leaves the
    /// pending lists; it stays pending, so an administrator may still `/activate` it with a
    /// code. Refused unless the group is pending and not denied already.
    @discardableResult
    public func denyGroup(chat: ChatID, now: Date = Date()) async throws(StoreError) -> GroupInfo {
        let now = Timestamp.rounded(now)
        return try await write { db in
            guard let group = try db.group(chatID: chat) else { throw StoreError.notFound("group \(chat)") }
            guard group.group.status == .pending,
                try db.row("SELECT 1 FROM groups WHERE id = ? AND denied_at IS NULL", [group.rowID]) != nil
            else {
                throw StoreError(.conflict, "group \(chat) is not waiting for approval")
            }
            try db.run("UPDATE groups SET denied_at = ?, updated_at = ? WHERE id = ?", [stamp(now), stamp(now), group.rowID])
            try Self.tell(ChatDecisions.denied(), group: group, db: db, now: now)
            guard let row = try db.row("SELECT * FROM groups WHERE id = ?", [group.rowID]) else {
                throw StoreError.notFound("group \(chat)")
            }
            return try Self.groupInfo(row, db: db)
        }
    }

    /// Writes messages for a group to the outbox, as the bot's own decisions do.
    static func tell(_ effects: [Effect], group: StoredGroup, db: Database, now: Date) throws {
        let encoder = jsonEncoder()
        for effect in effects {
            _ = try db.enqueue(
                effect, groupRowID: group.rowID, chatID: group.group.chatID, groupIsInactive: false, now: now,
                encoder: encoder)
        }
    }

    // MARK: People

    /// The people of `companyID`'s world: members of its departments, registered drivers and
    /// managers of its groups, and reporters and participants of its incidents, as last seen,
    /// by name. Members known only by an @handle (not seen yet) are not people yet.
    public func people(companyID: Int64) async throws(StoreError) -> [PersonInfo] {
        try await read { db in
            let ids = try Int64.fetchAll(
                db,
                sql: """
                    SELECT m.user_id FROM memberships m JOIN departments d ON d.id = m.department_id
                        WHERE d.company_id = ?1 AND d.deleted_at IS NULL AND m.user_id IS NOT NULL
                    UNION SELECT r.user_id FROM registered_drivers r JOIN groups g ON g.id = r.group_id WHERE g.company_id = ?1
                    UNION SELECT gm.user_id FROM group_managers gm JOIN groups g ON g.id = gm.group_id WHERE g.company_id = ?1
                    UNION SELECT reporter_id FROM incidents WHERE company_id = ?1
                    UNION SELECT p.user_id FROM participations p JOIN incidents i ON i.id = p.incident_id WHERE i.company_id = ?1
                    """, arguments: [companyID])
            let departments = try db.departments(company: CompanyID(companyID))
            var memberOf: [Int64: [Department]] = [:]
            for department in departments {
                for user in try Int64.fetchAll(
                    db, sql: "SELECT user_id FROM memberships WHERE department_id = ? AND user_id IS NOT NULL",
                    arguments: [department.id.rawValue])
                {
                    memberOf[user, default: []].append(department)
                }
            }
            var drivers: [Int64: [ChatID]] = [:]
            for row in try db.rows(
                "SELECT r.user_id, g.chat_id FROM registered_drivers r JOIN groups g ON g.id = r.group_id WHERE g.company_id = ?",
                [companyID])
            {
                drivers[row[0], default: []].append(ChatID(row[1] as Int64))
            }
            var managers: [Int64: [ChatID]] = [:]
            for row in try db.rows(
                "SELECT gm.user_id, g.chat_id FROM group_managers gm JOIN groups g ON g.id = gm.group_id WHERE g.company_id = ?",
                [companyID])
            {
                managers[row[0], default: []].append(ChatID(row[1] as Int64))
            }
            var result: [PersonInfo] = []
            for id in ids {
                guard let row = try db.row("SELECT * FROM users WHERE id = ?", [id]) else { continue }
                let person = Person(
                    id: UserID(id), handle: (row["handle"] as String?).flatMap(Handle.init), firstName: row["first_name"],
                    lastName: row["last_name"])
                result.append(PersonInfo(
                    person: person, departments: (memberOf[id] ?? []).sorted { $0.name < $1.name },
                    driverIn: (drivers[id] ?? []).sorted(), managerOf: (managers[id] ?? []).sorted(),
                    firstSeenAt: try row.date("first_seen_at"), lastSeenAt: try row.date("updated_at")))
            }
            return result.sorted {
                ($0.person.displayName.lowercased(), $0.person.id) < ($1.person.displayName.lowercased(), $1.person.id)
            }
        }
    }
}

extension Database {
    func liveDepartment(_ id: DepartmentID) throws -> Department? {
        guard try row("SELECT 1 FROM departments WHERE id = ? AND deleted_at IS NULL", [id.rawValue]) != nil else {
            return nil
        }
        return try department(id)
    }
}

extension Transaction {
    /// Remembers who added the bot to a pending group (their company may approve it) and
    /// forgets an earlier denial: the bot was added anew.
    func recordAdder(_ sender: Person?) throws {
        guard let sender, let group, group.group.status == .pending else { return }
        try db.run(
            "UPDATE groups SET added_by = ?, denied_at = NULL WHERE id = ? AND status = 'pending'",
            [sender.id.rawValue, group.rowID])
    }
}

extension IncidentStore {
    /// Chats that are `companyID`'s: its groups' chat ids and the ids they had before a
    /// migration to a supergroup.
    static let companyChats = """
        SELECT chat_id FROM groups WHERE company_id = ?1
        UNION SELECT m.old_chat_id FROM chat_migrations m JOIN groups g ON g.id = m.group_id WHERE g.company_id = ?1
        """

    /// The dead letters of `companyID`'s chats, newest first (a company key's view; updates
    /// from chats of no company are the platform's).
    public func deadLetters(companyID: Int64, limit: Int = 100) async throws(StoreError) -> [DeadLetter] {
        let limit = min(max(limit, 1), 1000)
        return try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM dead_letters WHERE chat_id IN (\(Self.companyChats))
                    ORDER BY recorded_at DESC, update_id DESC LIMIT ?2
                    """, arguments: [companyID, limit]
            ).map { row in
                let json: String = row["update_json"]
                return DeadLetter(
                    updateID: row["update_id"], chatID: row["chat_id"],
                    update: try? JSONDecoder().decode(InboundUpdate.self, from: Data(json.utf8)),
                    reason: row["reason"], attempts: row["attempts"],
                    firstFailedAt: try row.date("first_failed_at"), recordedAt: try row.date("recorded_at"))
            }
        }
    }

    /// How many dead letters `companyID`'s chats have.
    public func deadLetterCount(companyID: Int64) async throws(StoreError) -> Int {
        try await read { db in
            try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM dead_letters WHERE chat_id IN (\(Self.companyChats))", arguments: [companyID]) ?? 0
        }
    }
}
