import Foundation
import GRDB
import IncidentCore

/// A group upgraded to a supergroup: its open incidents get a fresh, pinned card there at once.
///
/// Telegram does not carry the bot's cards over to the supergroup in a way the bot can edit or
/// pin, so when the store learns of the migration (the service message, or a call answered
/// "group chat was upgraded" with `migrate_to_chat_id`) every open incident forgets its card
/// message and gets its current card queued as an update: with no message to edit, it is
/// posted anew in the supergroup, and a card posted again is pinned again (`complete`). This
/// happens once: the migration is applied only by the first notice that moves the group.
extension Database {
    /// Queues a fresh card for every open incident of group `groupRowID`; returns the outbox
    /// ids written.
    @discardableResult
    func repostOpenCards(groupRowID: Int64, policy: SLAPolicy, now: Date) throws -> [Int64] {
        guard let group = try group(rowID: groupRowID) else { return [] }
        let ids = try Int64.fetchAll(
            cachedStatement(sql: """
                SELECT id FROM incidents
                WHERE group_id = ? AND status NOT IN ('resolved', 'closed') ORDER BY id
                """), arguments: [groupRowID])
        var written: [Int64] = []
        let encoder = jsonEncoder()
        for id in ids {
            guard let stored = try storedIncident(IncidentID(id)) else { continue }
            let context = try decisionContext(for: stored.incident, group: group, actor: nil, policy: policy)
            try run("UPDATE incidents SET card_message_id = NULL WHERE id = ?", [id])
            if let item = try enqueue(
                .updateCard(IncidentMachine.card(for: stored.incident, context: context)), groupRowID: groupRowID,
                chatID: group.group.chatID, groupIsInactive: group.group.status == .inactive, now: now, encoder: encoder)
            {
                written.append(item)
            }
        }
        return written
    }

    /// The message id of the incident's card now (nil: not posted yet, or posted again after a
    /// migration and not delivered yet).
    func cardMessageID(of incident: IncidentID) throws -> MessageID? {
        try Int64.fetchOne(
            cachedStatement(sql: "SELECT card_message_id FROM incidents WHERE id = ?"), arguments: [incident.rawValue]
        ).map(MessageID.init)
    }
}

extension IncidentStore {
    /// Whether `message` is still the card of `incident`: an edit of a card that has since been
    /// replaced (posted again after a migration) must not post yet another copy when Telegram
    /// answers "message to edit not found".
    public func isCurrentCard(_ message: MessageID?, of incident: IncidentID) async throws(StoreError) -> Bool {
        try await read { db in try db.cardMessageID(of: incident) == message }
    }
}
