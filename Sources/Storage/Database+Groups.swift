import Foundation
import GRDB
import IncidentCore

/// A group row: the domain value and the store's own id (which survives chat migrations).
struct StoredGroup: Sendable {
    var rowID: Int64
    var group: Group
    var nextNumber: Int
}

extension Database {
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
}
