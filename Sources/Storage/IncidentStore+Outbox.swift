import Foundation
import GRDB
import IncidentCore
import Timestamps

/// An effect waiting to be delivered, with what delivery needs to know now.
public struct OutboxItem: Hashable, Sendable {
    public var id: Int64
    public var effect: Effect
    /// The chat to deliver to: the group's current chat id (after any migration); nil for
    /// answers to button presses, which are not bound to a chat.
    public var chatID: ChatID?
    public var incidentID: IncidentID?
    /// The incident's card message as known now: what `updateCard`, `pinCard`, `unpinCard`
    /// and replies to the card refer to. Nil until the card's post has been delivered; an
    /// `updateCard` without it (or whose message was deleted) is posted as a new card.
    public var cardMessageID: MessageID?
    /// Delivery attempts so far, this one included.
    public var attempts: Int
    public var createdAt: Date
}

/// How delivering an outbox item ended.
public enum DeliveryResult: Hashable, Sendable {
    /// Done. `messageID` is the message sent or edited, when there is one: for a card it
    /// becomes the incident's card (a different id than before means it was posted again,
    /// and it is pinned again if it should be); for a summary prompt it is what a summary
    /// must reply to.
    case delivered(messageID: MessageID?)
    /// Given up for good (a permanent Telegram error); the reason is kept for operators and
    /// must not contain secrets.
    case failed(reason: String)
}

extension IncidentStore {
    /// Takes up to `limit` pending items for delivery, oldest first, and marks them sent.
    ///
    /// Items of one incident are handed out one at a time and in order: an item is held back
    /// while an earlier item of its incident is not done, so a card is edited only after it
    /// was posted, and a reminder replies to the card that exists. Answers to button presses
    /// are never held back.
    public func claimOutbox(limit: Int = 100, now: Date) async throws(StoreError) -> [OutboxItem] {
        let now = Timestamp.rounded(now)
        let claimed = try await write { db -> [ClaimedRow] in
            let rows = try db.rows(
                """
                SELECT o.id, o.effect, COALESCE(g.chat_id, o.chat_id), o.incident_id, i.card_message_id,
                    o.attempts, o.created_at, o.kind
                FROM outbox o
                LEFT JOIN groups g ON g.id = o.group_id
                LEFT JOIN incidents i ON i.id = o.incident_id
                WHERE o.state = 'pending'
                  AND (o.lane IS NULL OR NOT EXISTS (
                        SELECT 1 FROM outbox p
                        WHERE p.lane = o.lane AND p.state != 'done' AND p.id < o.id))
                ORDER BY CASE WHEN o.kind IN (\(FloodControl.firstKinds)) THEN 0 ELSE 1 END, o.id
                LIMIT ?
                """, [limit])
            let claimed = try rows.map { row in
                var columns = Columns(row)
                return ClaimedRow(
                    id: columns.int64(), effect: columns.string(), chat: columns.optionalInt64(),
                    incident: columns.optionalInt64(), card: columns.optionalInt64(),
                    attempts: Int(columns.int64()) + 1, createdAt: try columns.date(),
                    isAnswer: columns.string() == "answer_press")
            }
            if !claimed.isEmpty {
                let placeholders = Array(repeating: "?", count: claimed.count).joined(separator: ", ")
                try db.execute(
                    sql: """
                        UPDATE outbox SET state = 'sent', attempts = attempts + 1, sent_at = ?
                        WHERE id IN (\(placeholders))
                        """,
                    arguments: StatementArguments([stamp(now)] + claimed.map { $0.id as DatabaseValueConvertible? }))
            }
            return claimed
        }
        // Decoding happens here, off the writer, so that it does not hold up the next action.
        let decoder = JSONDecoder()
        var items: [OutboxItem] = []
        var unreadable: [Int64] = []
        for row in claimed {
            guard let effect = try? decoder.decode(Effect.self, from: Data(row.effect.utf8)) else {
                unreadable.append(row.id)
                continue
            }
            items.append(OutboxItem(
                id: row.id, effect: effect, chatID: row.isAnswer ? nil : row.chat.map(ChatID.init),
                incidentID: row.incident.map(IncidentID.init), cardMessageID: row.card.map(MessageID.init),
                attempts: row.attempts, createdAt: row.createdAt))
        }
        if !unreadable.isEmpty {
            // Written by a newer version or damaged: never deliverable, never retried.
            try await completeOutbox(unreadable.map { ($0, .failed(reason: "unreadable effect")) }, now: now)
        }
        return items
    }

    /// Records how delivering item `id` ended. Completing an item twice is harmless; a
    /// result for an item handed back to pending (a late answer) still completes it.
    public func completeOutbox(_ id: Int64, result: DeliveryResult, now: Date) async throws(StoreError) {
        try await completeOutbox([(id, result)], now: now)
    }

    /// Records several results in one transaction (cheaper than one at a time).
    public func completeOutbox(_ results: [(id: Int64, result: DeliveryResult)], now: Date) async throws(StoreError) {
        let now = Timestamp.rounded(now)
        try await write { db in
            for (id, result) in results {
                try db.complete(id, result: result, now: now)
            }
        }
    }

    /// Hands item `id` back for another attempt (a retryable failure, or a result that
    /// never came).
    public func requeueOutbox(_ id: Int64) async throws(StoreError) {
        try await write { db in
            try db.run("UPDATE outbox SET state = 'pending' WHERE id = ? AND state = 'sent'", [id])
        }
    }

    /// Hands every item still marked sent back to pending: at start-up, their results will
    /// never come. Returns how many.
    @discardableResult
    public func requeueAllSent() async throws(StoreError) -> Int {
        try await write { db in
            try db.run("UPDATE outbox SET state = 'pending' WHERE state = 'sent'")
            return db.changesCount
        }
    }

    /// Items not yet done, oldest first, without claiming them.
    public func openOutbox(limit: Int = 1000) async throws(StoreError) -> [(id: Int64, state: String, effect: Effect)] {
        try await read { db in
            let decoder = JSONDecoder()
            return try db.rows("SELECT id, state, effect FROM outbox WHERE state != 'done' ORDER BY id LIMIT ?", [limit])
                .compactMap { row in
                    guard let effect = try? decoder.decode(Effect.self, from: Data((row["effect"] as String).utf8))
                    else { return nil }
                    return (row["id"] as Int64, row["state"] as String, effect)
                }
        }
    }

    /// The effect of item `id`, whatever its state; nil if there is no such item.
    public func outboxEffect(_ id: Int64) async throws(StoreError) -> Effect? {
        try await read { db in
            try String.fetchOne(db.cachedStatement(sql: "SELECT effect FROM outbox WHERE id = ?"), arguments: [id])
                .flatMap { try? JSONDecoder().decode(Effect.self, from: Data($0.utf8)) }
        }
    }

    /// The recorded result of a done item (`delivered: message 12`, `failed: ...`,
    /// `dropped: group inactive`); nil while it is not done or if there is no such item.
    public func outboxResult(_ id: Int64) async throws(StoreError) -> String? {
        try await read { db in
            try String.fetchOne(db.cachedStatement(sql: "SELECT result FROM outbox WHERE id = ?"), arguments: [id])
        }
    }

    /// Deletes done items completed before `date`. Returns how many.
    @discardableResult
    public func pruneOutbox(doneBefore date: Date) async throws(StoreError) -> Int {
        try await write { db in
            try db.run("DELETE FROM outbox WHERE state = 'done' AND done_at < ?", [stamp(date)])
            return db.changesCount
        }
    }

    /// Forgets processed update ids recorded before `date` (Telegram redelivers an update for
    /// at most 24 hours). Returns how many.
    @discardableResult
    public func pruneProcessedUpdates(before date: Date) async throws(StoreError) -> Int {
        try await write { db in
            try db.run("DELETE FROM processed_updates WHERE processed_at < ?", [stamp(date)])
            return db.changesCount
        }
    }
}

/// An outbox row as claimed, before its effect is decoded.
private struct ClaimedRow: Sendable {
    var id: Int64
    var effect: String
    var chat: Int64?
    var incident: Int64?
    var card: Int64?
    var attempts: Int
    var createdAt: Date
    var isAnswer: Bool
}

extension Effect {
    /// The outbox's `kind` column.
    var outboxKind: String {
        switch self {
        case .postCard: "post_card"
        case .updateCard: "update_card"
        case .pinCard: "pin_card"
        case .unpinCard: "unpin_card"
        case .sendMessage(let message):
            if case .summaryPrompt = message.purpose { "summary_prompt" } else { "send_message" }
        case .answerPress: "answer_press"
        case .appendTimeline: "timeline"
        case .sendDirect: "direct_message"
        }
    }
}

extension Database {
    /// Writes one effect to the outbox; returns its item id, or nil when it is not to be sent
    /// (the group is inactive). A card update while an earlier card item of the same incident
    /// is still pending rewrites that item instead: only the latest card is worth sending.
    ///
    /// `postReplyTo` is what the incident's card post replies to (its reported message), when
    /// the caller knows it; it saves decoding the pending post.
    ///
    /// `requester` is the person whose command caused the effect: a general notice to them
    /// counts against their flood-control allowance (see ``FloodControl``).
    func enqueue(
        _ effect: Effect, groupRowID: Int64?, chatID: ChatID, groupIsInactive: Bool, now: Date,
        encoder: JSONEncoder, postReplyTo: MessageID?? = nil,
        requester: Person? = nil, floodControl: FloodControlPolicy = FloodControlPolicy()
    ) throws -> Int64? {
        var effect = effect
        let isAnswer = if case .answerPress = effect { true } else { false }
        if case .sendDirect(let direct) = effect {
            // A personal message: to the person's private chat, outside the incident's lane
            // (a slow or refused private chat must not hold up the group's card).
            try run(
                """
                INSERT INTO outbox (group_id, chat_id, incident_id, lane, kind, effect, state, created_at)
                VALUES (NULL, ?, ?, NULL, ?, ?, 'pending', ?)
                """,
                [direct.userID.rawValue, direct.incidentID?.rawValue, effect.outboxKind,
                 String(decoding: try encoder.encode(effect), as: UTF8.self), stamp(now)])
            return lastInsertedRowID
        }
        if groupIsInactive && !isAnswer { return nil }
        var requestedBy: Int64?
        if case .sendMessage(let message) = effect {
            if try repeatsRecentNotice(message, groupRowID: groupRowID, chatID: chatID, now: now) {
                return nil  // flood control: the same notice is waiting or was just sent
            }
            if message.isGeneralNotice, let requester {
                switch try personalAllowance(
                    for: requester.id, groupRowID: groupRowID, chatID: chatID, now: now, policy: floodControl)
                {
                case .send:
                    break
                case .warn:
                    effect = .sendMessage(OutgoingMessage(
                        incidentID: nil, html: Texts.tooManyCommands(requester, window: floodControl.window),
                        replyTo: message.replyTo))
                case .drop:
                    return nil  // flood control: this person had their share of answers
                }
                requestedBy = requester.id.rawValue
            }
        }
        let lane = effect.incidentID?.rawValue
        if case .updateCard(let card) = effect, let lane,
            let pending = try row(
                """
                SELECT id, kind, effect FROM outbox
                WHERE lane = ? AND state = 'pending' AND kind IN ('post_card', 'update_card')
                ORDER BY id DESC LIMIT 1
                """, [lane])
        {
            var merged = effect
            if (pending["kind"] as String) == "post_card" {
                // Keep what the post replies to.
                if let postReplyTo {
                    merged = .postCard(card, replyTo: postReplyTo)
                } else {
                    guard case .postCard(_, let replyTo)? = try? JSONDecoder().decode(
                        Effect.self, from: Data((pending["effect"] as String).utf8))
                    else { throw StoreError(.unavailable, "stored outbox item is unreadable") }
                    merged = .postCard(card, replyTo: replyTo)
                }
            }
            try run(
                "UPDATE outbox SET effect = ? WHERE id = ?",
                [String(decoding: try encoder.encode(merged), as: UTF8.self), pending["id"] as Int64])
            return pending["id"]
        }
        try run(
            """
            INSERT INTO outbox (group_id, chat_id, incident_id, lane, kind, effect, state, created_at, requested_by)
            VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)
            """,
            [
                isAnswer ? nil : groupRowID, isAnswer || groupRowID != nil ? nil : chatID.rawValue,
                effect.incidentID?.rawValue, isAnswer ? nil : lane, effect.outboxKind,
                String(decoding: try encoder.encode(effect), as: UTF8.self), stamp(now), requestedBy,
            ])
        return lastInsertedRowID
    }

    /// Marks item `id` done and remembers what its message id means: a card's message id
    /// becomes the incident's card (a new one for an update means the card was posted again,
    /// so it is pinned again if it should be); a summary prompt's id is what a summary must
    /// reply to, if it is still the current round's.
    func complete(_ id: Int64, result: DeliveryResult, now: Date) throws {
        guard let row = try row("SELECT id, state, kind, incident_id, group_id, effect FROM outbox WHERE id = ?", [id])
        else { throw StoreError.notFound("outbox item \(id)") }
        guard (row["state"] as String) != "done" else { return }
        let summary: String
        switch result {
        case .delivered(let message):
            summary = message.map { "delivered: message \($0)" } ?? "delivered"
            if let message, let incident = row["incident_id"] as Int64? {
                switch row["kind"] as String {
                case "post_card", "update_card":
                    try cardDelivered(
                        incident: incident, message: message, reposted: (row["kind"] as String) == "update_card",
                        groupRowID: row["group_id"], now: now)
                case "summary_prompt":
                    guard case .sendMessage(let outgoing)? = try? JSONDecoder().decode(
                        Effect.self, from: Data((row["effect"] as String).utf8)),
                        case .summaryPrompt(let round) = outgoing.purpose
                    else { break }
                    try run(
                        """
                        UPDATE incidents SET summary_prompt_message_id = ?
                        WHERE id = ? AND status = 'awaiting_summary' AND resolve_round = ?
                        """, [message.rawValue, incident, round])
                default:
                    break
                }
            }
        case .failed(let reason):
            summary = "failed: " + String(reason.prefix(500))
        }
        try run("UPDATE outbox SET state = 'done', done_at = ?, result = ? WHERE id = ?", [stamp(now), summary, id])
    }

    private func cardDelivered(incident: Int64, message: MessageID, reposted: Bool, groupRowID: Int64?, now: Date) throws {
        guard let current = try row("SELECT card_message_id, pinned FROM incidents WHERE id = ?", [incident]),
            (current["card_message_id"] as Int64?) != message.rawValue
        else { return }
        try run("UPDATE incidents SET card_message_id = ? WHERE id = ?", [message.rawValue, incident])
        // An edit answered with a new message id: the card was deleted and posted again.
        if reposted, current["pinned"] as Bool {
            _ = try enqueue(
                .pinCard(IncidentID(incident)), groupRowID: groupRowID, chatID: ChatID(0),
                groupIsInactive: false, now: now, encoder: jsonEncoder())
        }
    }

    // MARK: Groups

    /// The bot is gone from the group: nothing more is sent there.
    func markGroupInactive(_ rowID: Int64, now: Date) throws {
        try run("UPDATE groups SET status = 'inactive', updated_at = ? WHERE id = ?", [stamp(now), rowID])
        try run(
            """
            UPDATE outbox SET state = 'done', done_at = ?, result = 'dropped: group inactive'
            WHERE group_id = ? AND state = 'pending'
            """, [stamp(now), rowID])
    }

    /// Moves a group (and so its incidents and undelivered items) to a new chat id. Returns
    /// false if there was nothing to move (unknown, or moved already).
    func migrateGroup(from old: ChatID, to new: ChatID, now: Date) throws -> Bool {
        guard old != new, let source = try group(chatID: old) else { return false }
        if let target = try group(chatID: new) {
            // The new chat was seen first (and recorded as pending); fold it into the old group.
            let incidents = try Int.fetchOne(
                cachedStatement(sql: "SELECT COUNT(*) FROM incidents WHERE group_id = ?"),
                arguments: [target.rowID]) ?? 0
            guard incidents == 0 else {
                throw StoreError(.conflict, "chat \(new) already has incidents of its own")
            }
            try run("UPDATE outbox SET group_id = ? WHERE group_id = ?", [source.rowID, target.rowID])
            try run(
                "INSERT OR IGNORE INTO group_managers (group_id, user_id) SELECT ?, user_id FROM group_managers WHERE group_id = ?",
                [source.rowID, target.rowID])
            try run(
                """
                INSERT OR IGNORE INTO registered_drivers (group_id, user_id, registered_at)
                SELECT ?, user_id, registered_at FROM registered_drivers WHERE group_id = ?
                """, [source.rowID, target.rowID])
            try run("DELETE FROM groups WHERE id = ?", [target.rowID])
        }
        try run("UPDATE groups SET chat_id = ?, updated_at = ? WHERE id = ?", [new.rawValue, stamp(now), source.rowID])
        try run(
            "INSERT OR REPLACE INTO chat_migrations (old_chat_id, group_id, migrated_at) VALUES (?, ?, ?)",
            [old.rawValue, source.rowID, stamp(now)])
        return true
    }
}
