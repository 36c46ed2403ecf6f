import Foundation
import GRDB
import IncidentCore

/// An update the incident service gave up on after repeated failures: recorded here and
/// acknowledged, so that it no longer holds back the updates behind it.
public struct DeadLetter: Hashable, Sendable {
    public var updateID: Int64
    public var chatID: Int64
    public var update: InboundUpdate?
    public var reason: String
    public var attempts: Int
    public var firstFailedAt: Date
    public var recordedAt: Date
}

extension IncidentStore {
    /// Records `update` as a dead letter and marks its update id processed (outcome
    /// `dead_letter`), in one transaction: a redelivery is then a duplicate. Returns false if
    /// the update had been processed meanwhile (nothing recorded).
    @discardableResult
    public func recordDeadLetter(
        _ update: InboundUpdate, reason: String, attempts: Int, firstFailedAt: Date, now: Date
    ) async throws(StoreError) -> Bool {
        let json = String(decoding: (try? jsonEncoder().encode(update)) ?? Data("{}".utf8), as: UTF8.self)
        let reason = String(reason.prefix(200)).isEmpty ? "unknown" : String(reason.prefix(200))
        return try await write { db in
            if try db.row("SELECT 1 FROM processed_updates WHERE update_id = ?", [update.updateID]) != nil {
                return false
            }
            try db.run(
                """
                INSERT INTO dead_letters (update_id, chat_id, update_json, reason, attempts, first_failed_at, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
                [update.updateID, update.chat.id.rawValue, json, reason, max(1, attempts), stamp(firstFailedAt), stamp(now)])
            try db.run(
                "INSERT INTO processed_updates (update_id, processed_at, outcome) VALUES (?, ?, 'dead_letter')",
                [update.updateID, stamp(now)])
            return true
        }
    }

    /// The most recent dead letters, newest first.
    public func deadLetters(limit: Int = 100) async throws(StoreError) -> [DeadLetter] {
        let limit = min(max(limit, 1), 1000)
        return try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM dead_letters ORDER BY recorded_at DESC, update_id DESC LIMIT ?", arguments: [limit]).map { row in
                let json: String = row["update_json"]
                return DeadLetter(
                    updateID: row["update_id"], chatID: row["chat_id"],
                    update: try? JSONDecoder().decode(InboundUpdate.self, from: Data(json.utf8)),
                    reason: row["reason"], attempts: row["attempts"],
                    firstFailedAt: try row.date("first_failed_at"), recordedAt: try row.date("recorded_at"))
            }
        }
    }

    /// How many dead letters there are.
    public func deadLetterCount() async throws(StoreError) -> Int {
        try await read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM dead_letters") ?? 0 }
    }

    /// Writes one row, so that a full disk, a read-only file or a lost lock shows up even when
    /// no update arrives. Throws what a real write would.
    public func probeWrite(now: Date) async throws(StoreError) {
        try await write { db in
            try db.run("INSERT OR REPLACE INTO write_probe (id, written_at) VALUES (1, ?)", [stamp(now)])
        }
    }
}
