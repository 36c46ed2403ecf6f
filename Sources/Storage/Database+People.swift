import Foundation
import GRDB
import IncidentCore

extension Database {
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
}
