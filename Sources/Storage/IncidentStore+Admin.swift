import Foundation
import GRDB
import IncidentCore
import Timestamps

/// A department member as stored: bound to a user id, or waiting for an @handle.
public struct Membership: Hashable, Sendable {
    public var departmentID: DepartmentID
    public var member: MemberRef
    /// The user's name and handle once seen.
    public var person: Person?
}

extension IncidentStore {
    /// Creates a company. Names are unique, ignoring case.
    public func createCompany(name: String, now: Date) async throws(StoreError) -> Company {
        let name = try NameRules.validate(name, what: "company", maximum: 200)
        return try await write { db in
            if try db.row("SELECT 1 FROM companies WHERE name = ? COLLATE NOCASE", [name]) != nil {
                throw StoreError.duplicate("a company named \(name) exists")
            }
            try db.run("INSERT INTO companies (name, created_at) VALUES (?, ?)", [name, stamp(now)])
            return Company(id: CompanyID(db.lastInsertedRowID), name: name)
        }
    }

    public func company(_ id: CompanyID) async throws(StoreError) -> Company? {
        try await read { db in
            try db.row("SELECT name FROM companies WHERE id = ?", [id.rawValue]).map {
                Company(id: id, name: $0["name"])
            }
        }
    }

    public func companies() async throws(StoreError) -> [Company] {
        try await read { db in
            try db.rows("SELECT id, name FROM companies ORDER BY id").map {
                Company(id: CompanyID($0["id"] as Int64), name: $0["name"])
            }
        }
    }

    /// Creates a department of `company`. Names are unique within a company, ignoring case.
    public func createDepartment(
        company: CompanyID, name: String, restricted: Bool = false, now: Date
    ) async throws(StoreError) -> Department {
        let name = try NameRules.validate(name, what: "department", maximum: 64)
        return try await write { db in
            guard try db.row("SELECT 1 FROM companies WHERE id = ?", [company.rawValue]) != nil else {
                throw StoreError.notFound("company \(company)")
            }
            if try db.row(
                "SELECT 1 FROM departments WHERE company_id = ? AND name = ? COLLATE NOCASE AND deleted_at IS NULL",
                [company.rawValue, name]) != nil
            {
                throw StoreError.duplicate("company \(company) has a department named \(name)")
            }
            try db.run(
                "INSERT INTO departments (company_id, name, restricted, created_at) VALUES (?, ?, ?, ?)",
                [company.rawValue, name, restricted, stamp(now)])
            return Department(
                id: DepartmentID(db.lastInsertedRowID), companyID: company, name: name, restricted: restricted)
        }
    }

    public func department(_ id: DepartmentID) async throws(StoreError) -> Department? {
        try await read { db in try db.department(id) }
    }

    /// The departments of `company`, in card order.
    public func departments(company: CompanyID) async throws(StoreError) -> [Department] {
        try await read { db in try db.departments(company: company) }
    }

    /// Adds a member to a department, by user id or by @handle. A handle of a user already
    /// seen is bound to their id at once; otherwise when that user is first seen.
    @discardableResult
    public func addMember(_ member: MemberRef, to department: DepartmentID, now: Date) async throws(StoreError) -> Membership {
        try await write { db in
            guard try db.department(department) != nil else { throw StoreError.notFound("department \(department)") }
            var resolved = member
            if case .handle(let handle) = member,
                let user = try Int64.fetchOne(
                    db.cachedStatement(sql: "SELECT id FROM users WHERE handle = ? ORDER BY updated_at DESC LIMIT 1"),
                    arguments: [handle.name])
            {
                resolved = .user(UserID(user))
            }
            switch resolved {
            case .user(let user):
                if try db.row(
                    "SELECT 1 FROM memberships WHERE department_id = ? AND user_id = ?",
                    [department.rawValue, user.rawValue]) != nil
                {
                    throw StoreError.duplicate("user \(user) is already a member of department \(department)")
                }
                try db.run(
                    "INSERT INTO memberships (department_id, user_id, created_at, bound_at) VALUES (?, ?, ?, ?)",
                    [department.rawValue, user.rawValue, stamp(now), stamp(now)])
                return Membership(departmentID: department, member: .user(user), person: try db.people([user])[user])
            case .handle(let handle):
                if try db.row(
                    "SELECT 1 FROM memberships WHERE department_id = ? AND pending_handle = ?",
                    [department.rawValue, handle.name]) != nil
                {
                    throw StoreError.duplicate("\(handle) is already a member of department \(department)")
                }
                try db.run(
                    "INSERT INTO memberships (department_id, pending_handle, created_at) VALUES (?, ?, ?)",
                    [department.rawValue, handle.name, stamp(now)])
                return Membership(departmentID: department, member: .handle(handle), person: nil)
            }
        }
    }

    /// Removes a member, named by user id or by @handle (a pending handle, or the handle of a
    /// bound member).
    public func removeMember(_ member: MemberRef, from department: DepartmentID) async throws(StoreError) {
        try await write { db in
            guard try db.department(department) != nil else { throw StoreError.notFound("department \(department)") }
            switch member {
            case .user(let user):
                try db.run(
                    "DELETE FROM memberships WHERE department_id = ? AND user_id = ?",
                    [department.rawValue, user.rawValue])
            case .handle(let handle):
                try db.run(
                    """
                    DELETE FROM memberships WHERE department_id = ? AND (pending_handle = ?
                        OR user_id IN (SELECT id FROM users WHERE handle = ?))
                    """, [department.rawValue, handle.name, handle.name])
            }
            guard db.changesCount > 0 else {
                throw StoreError.notFound("no such member of department \(department)")
            }
        }
    }

    /// The members of a department, in the order they were added.
    public func members(of department: DepartmentID) async throws(StoreError) -> [Membership] {
        try await read { db in
            guard try db.department(department) != nil else { throw StoreError.notFound("department \(department)") }
            return try db.rows(
                """
                SELECT m.user_id, m.pending_handle, u.handle, u.first_name, u.last_name
                FROM memberships m LEFT JOIN users u ON u.id = m.user_id
                WHERE m.department_id = ? ORDER BY m.id
                """, [department.rawValue]
            ).compactMap { row in
                if let user: Int64 = row["user_id"] {
                    let person = (row["first_name"] as String?).map {
                        Person(id: UserID(user), handle: (row["handle"] as String?).flatMap(Handle.init),
                               firstName: $0, lastName: row["last_name"])
                    }
                    return Membership(departmentID: department, member: .user(UserID(user)), person: person)
                }
                guard let handle = (row["pending_handle"] as String?).flatMap(Handle.init) else { return nil }
                return Membership(departmentID: department, member: .handle(handle), person: nil)
            }
        }
    }

    /// Activates the group of `chat` for `company` (creating it if the bot has not seen it).
    /// `managers`, when given, replaces the group's managers; nil keeps them.
    @discardableResult
    public func activateGroup(
        chat: ChatID, company: CompanyID, managers: [UserID]?, now: Date
    ) async throws(StoreError) -> Group {
        try await write { db in
            guard try db.row("SELECT 1 FROM companies WHERE id = ?", [company.rawValue]) != nil else {
                throw StoreError.notFound("company \(company)")
            }
            let group = try db.ensureGroup(ChatRef(id: chat, kind: .supergroup), now: now)
            try db.run(
                "UPDATE groups SET company_id = ?, status = 'active', updated_at = ? WHERE id = ?",
                [company.rawValue, stamp(now), group.rowID])
            if let managers {
                try db.run("DELETE FROM group_managers WHERE group_id = ?", [group.rowID])
                for manager in Set(managers) {
                    try db.run(
                        "INSERT INTO group_managers (group_id, user_id) VALUES (?, ?)", [group.rowID, manager.rawValue])
                }
            }
            guard let updated = try db.group(rowID: group.rowID) else { throw StoreError.notFound("group \(chat)") }
            return updated.group
        }
    }

    public func group(chat: ChatID) async throws(StoreError) -> Group? {
        try await read { db in try db.group(chatID: chat)?.group }
    }

    /// Marks the group of `chat` inactive (the bot was removed) and drops what was waiting to
    /// be sent there. Unknown chats are ignored.
    public func markGroupInactive(chat: ChatID, now: Date) async throws(StoreError) {
        try await write { db in
            guard let group = try db.group(chatID: chat) else { return }
            try db.markGroupInactive(group.rowID, now: now)
        }
    }

    /// Moves the group of `old` and its incidents to chat `new` (Telegram upgraded it to a
    /// supergroup). Idempotent: returns false when there was nothing to move.
    @discardableResult
    public func migrateGroup(from old: ChatID, to new: ChatID, now: Date) async throws(StoreError) -> Bool {
        let policy = self.policy
        let now = Timestamp.rounded(now)
        return try await write { db in
            let moved = try db.migrateGroup(from: old, to: new, now: now)
            // Open incidents get a fresh, pinned card in the supergroup (see repostOpenCards).
            if moved, let group = try db.group(chatID: new) {
                try db.repostOpenCards(groupRowID: group.rowID, policy: policy, now: now)
            }
            return moved
        }
    }

    /// Registers `user` as a driver who may report in the group of `chat`.
    public func registerDriver(_ user: UserID, chat: ChatID, now: Date) async throws(StoreError) {
        try await write { db in
            guard let group = try db.group(chatID: chat) else { throw StoreError.notFound("group \(chat)") }
            try db.run(
                "INSERT OR IGNORE INTO registered_drivers (group_id, user_id, registered_at) VALUES (?, ?, ?)",
                [group.rowID, user.rawValue, stamp(now)])
        }
    }

    /// Records a user as seen (name, @handle) and binds memberships waiting for their handle.
    public func recordUserSeen(_ person: Person, now: Date) async throws(StoreError) {
        try await write { db in try db.recordSeen(person, now: Timestamp.rounded(now)) }
    }

    public func user(_ id: UserID) async throws(StoreError) -> Person? {
        try await read { db in try db.people([id])[id] }
    }
}
