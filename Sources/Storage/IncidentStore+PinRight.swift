import Foundation
import GRDB
import IncidentCore
import Timestamps

/// Telling a group once that the bot lacks the right to pin.
///
/// `groups.pin_right_notice_at` records when the group was told. Pinning or unpinning that
/// fails for lack of the right tells the group only when it is not set; the bot's membership
/// changing to one with the pin right clears it, so the group is told again only after the right
/// was given and taken away again.
extension IncidentStore {
    /// Outbox item `outboxID` (a pin or an unpin) failed because the bot may not pin in its
    /// group. Writes the notice to that group unless it was told already; returns the notice's
    /// outbox id when one was written.
    @discardableResult
    public func notePinRightMissing(outbox outboxID: Int64, now: Date) async throws(StoreError) -> Int64? {
        let now = Timestamp.rounded(now)
        return try await write { db in
            guard let groupRowID = try Int64.fetchOne(
                db, sql: "SELECT group_id FROM outbox WHERE id = ?", arguments: [outboxID]),
                let group = try db.group(rowID: groupRowID)
            else { return nil }
            try db.run(
                "UPDATE groups SET pin_right_notice_at = ? WHERE id = ? AND pin_right_notice_at IS NULL",
                [stamp(now), groupRowID])
            guard db.changesCount == 1 else { return nil }
            return try db.enqueue(
                .sendMessage(OutgoingMessage(incidentID: nil, html: HTML.escape(Texts.pinRightMissing))),
                groupRowID: groupRowID, chatID: group.group.chatID, groupIsInactive: group.group.status == .inactive,
                now: now, encoder: jsonEncoder())
        }
    }
}

extension Database {
    /// The bot's rights in the group changed: with the pin right, a later lack of it is told again.
    func recordPinRight(_ canPin: Bool, groupRowID: Int64) throws {
        guard canPin else { return }
        try run("UPDATE groups SET pin_right_notice_at = NULL WHERE id = ?", [groupRowID])
    }
}
