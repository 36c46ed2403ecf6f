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
///
/// Per person: the general notices one person's commands cause in one chat are limited to
/// ``FloodControlPolicy/repliesPerPerson`` per ``FloodControlPolicy/window``. The next one is
/// replaced by a single notice saying so (``Texts/tooManyCommands(_:window:)``), and the ones
/// after that are dropped until the window has moved on. Other people's commands, cards, card
/// updates, summary prompts and answers to button presses are never limited.
public enum FloodControl {
    /// How far back (in outbox rows) to look for the same notice.
    static let lookBack = 500

    /// The outbox kinds handed to senders before the others: button answers (Telegram
    /// expires them) and the cards (the incidents themselves). Everything else waits.
    static let firstKinds = "'answer_press', 'post_card', 'update_card', 'pin_card', 'unpin_card', 'summary_prompt'"
}

/// How many general notices one person's commands may cause in one chat, per window
/// (FLOOD_REPLIES_PER_PERSON, FLOOD_PERSON_WINDOW_SECONDS).
public struct FloodControlPolicy: Hashable, Sendable {
    /// Notices answered per person and chat within ``window``; 0 turns the limit off.
    public var repliesPerPerson: Int
    /// The sliding window, in seconds.
    public var window: TimeInterval

    public init(repliesPerPerson: Int = 5, window: TimeInterval = 60) {
        self.repliesPerPerson = repliesPerPerson
        self.window = window
    }
}

/// What flood control does with a general notice one person's command caused.
enum PersonalAllowance: Equatable {
    /// Queue it.
    case send
    /// Queue the single "too many commands" notice instead.
    case warn
    /// Queue nothing.
    case drop
}

extension OutgoingMessage {
    /// A message about no incident that is not a summary prompt: the answer to `/help`, a
    /// refusal, a registration confirmation. Only these are collapsed and limited.
    var isGeneralNotice: Bool { incidentID == nil && forceReply == nil }
}

extension Database {
    /// Whether `person` may have one more general notice in this chat now.
    func personalAllowance(
        for person: UserID, groupRowID: Int64?, chatID: ChatID, now: Date, policy: FloodControlPolicy
    ) throws -> PersonalAllowance {
        guard policy.repliesPerPerson > 0 else { return .send }
        let destination = groupRowID != nil ? "group_id = ?" : "chat_id = ?"
        let count = try Int.fetchOne(
            self,
            sql: """
                SELECT COUNT(*) FROM outbox
                WHERE requested_by = ? AND created_at > ? AND kind = 'send_message' AND \(destination)
                """,
            arguments: [person.rawValue, stamp(now.addingTimeInterval(-policy.window)), groupRowID ?? chatID.rawValue]) ?? 0
        if count < policy.repliesPerPerson { return .send }
        return count == policy.repliesPerPerson ? .warn : .drop
    }

    /// Whether `message` to this chat repeats a notice that is still waiting to be delivered.
    func repeatsRecentNotice(_ message: OutgoingMessage, groupRowID: Int64?, chatID: ChatID, now: Date) throws -> Bool {
        guard message.isGeneralNotice else { return false }
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
