import Foundation
import GRDB
import IncidentCore

/// Inbound flood control: what many people (or one person) sending the same command over and
/// over may cost the chat.
///
/// A general notice (the answer to `/help`, a refusal: a message about no incident, not a
/// summary prompt) is not queued again while the same text to the same chat is still waiting
/// to be delivered: 300 `/help` arriving together produce one reply (then at most one more
/// per delivery, at the chat's pace), not 300 replies queued ahead of incident cards.
/// Refusals that name the person differ per person, so each person still hears once why.
/// Telegram's per-chat limit (20 messages a minute in a group) makes every queued duplicate
/// cost the chat three seconds. A notice asked for after the last one was delivered is sent:
/// the person asking now has not seen it yet.
public enum FloodControl {
    /// How far back (in outbox rows) to look for the same notice.
    static let lookBack = 500

    /// The outbox kinds handed to senders before the others: button answers (Telegram
    /// expires them) and the cards (the incidents themselves). Everything else waits.
    static let firstKinds = "'answer_press', 'post_card', 'update_card', 'pin_card', 'unpin_card', 'summary_prompt'"
}

extension Database {
    /// Whether `message` to this chat repeats a notice that is still waiting to be delivered.
    func repeatsRecentNotice(_ message: OutgoingMessage, groupRowID: Int64?, chatID: ChatID, now: Date) throws -> Bool {
        guard message.incidentID == nil, message.forceReply == nil else { return false }
        let destination = groupRowID != nil ? "o.group_id = ?" : "o.chat_id = ?"
        let rows = try Row.fetchAll(
            self,
            sql: """
                SELECT o.effect FROM outbox o
                WHERE o.id > (SELECT COALESCE(MAX(id), 0) FROM outbox) - ?
                  AND o.kind = 'send_message' AND o.lane IS NULL AND \(destination)
                  AND o.state != 'done'
                ORDER BY o.id DESC
                """,
            arguments: [FloodControl.lookBack, groupRowID ?? chatID.rawValue])
        let decoder = JSONDecoder()
        for row in rows {
            let json: String = row["effect"]
            if case .sendMessage(let earlier)? = try? decoder.decode(Effect.self, from: Data(json.utf8)),
               earlier.html == message.html
            {
                return true
            }
        }
        return false
    }
}
