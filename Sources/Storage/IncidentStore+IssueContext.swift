import Foundation
import GRDB
import IncidentCore

/// How `/new_issue` (or `/ticket`) sent without a reply finds its description: the reporter's
/// own last messages in the group, of the last few minutes (ISSUE_CONTEXT_WINDOW_MINUTES,
/// ISSUE_CONTEXT_MESSAGE_LIMIT, 3 and 3 by default, as the bot RaiseDash replaces did).
public struct IssueContextPolicy: Hashable, Sendable {
    /// How far back a message counts, in seconds; 0 turns the feature off.
    public var window: TimeInterval
    /// At most this many messages, the newest ones, oldest first in the description.
    public var messageLimit: Int

    public init(window: TimeInterval = 180, messageLimit: Int = 3) {
        self.window = max(0, window)
        self.messageLimit = max(0, messageLimit)
    }

    var isEnabled: Bool { window > 0 && messageLimit > 0 }
}

extension Database {
    /// Keeps a person's group message for the context window, and forgets the group's messages
    /// older than it.
    func rememberMessage(
        _ message: MessageID, text: String, attachments: [Attachment] = [], by user: UserID, groupRowID: Int64,
        now: Date, policy: IssueContextPolicy
    ) throws {
        guard policy.isEnabled else { return }
        try run(
            """
            INSERT OR IGNORE INTO recent_messages (group_id, message_id, user_id, text, at, attachments)
            VALUES (?, ?, ?, ?, ?, ?)
            """,
            [groupRowID, message.rawValue, user.rawValue, String(text.prefix(4096)), stamp(now),
             Attachment.encodeList(attachments)])
        try run(
            "DELETE FROM recent_messages WHERE group_id = ? AND at < ?",
            [groupRowID, stamp(now.addingTimeInterval(-policy.window))])
    }

    /// The reporter's last messages before `command`, within the window, as the reported
    /// message: their texts joined by line breaks, the newest one as the message the card
    /// replies to. Nil when there are none.
    func recentReport(
        by user: UserID, before command: MessageID, groupRowID: Int64, now: Date, policy: IssueContextPolicy
    ) throws -> (reported: CreateRequest.Reported, messages: [MessageID])? {
        guard policy.isEnabled else { return nil }
        let rows = try rows(
            """
            SELECT message_id, text, attachments FROM recent_messages
            WHERE group_id = ? AND user_id = ? AND message_id < ? AND at >= ?
            ORDER BY message_id DESC LIMIT ?
            """,
            [groupRowID, user.rawValue, command.rawValue, stamp(now.addingTimeInterval(-policy.window)), policy.messageLimit]
        ).reversed()
        guard let newest = rows.last else { return nil }
        let ids = rows.map { MessageID($0["message_id"] as Int64) }
        let text = rows.map { $0["text"] as String }.filter { !$0.isEmpty }.joined(separator: "\n")
        let attachments = rows.flatMap { Attachment.decodeList($0["attachments"] as String) }
        return (
            CreateRequest.Reported(messageID: MessageID(newest["message_id"] as Int64), text: text, attachments: attachments),
            ids)
    }

    /// Messages that became an incident's description are not offered again.
    func forgetMessages(_ messages: [MessageID], groupRowID: Int64) throws {
        for message in messages {
            try run("DELETE FROM recent_messages WHERE group_id = ? AND message_id = ?", [groupRowID, message.rawValue])
        }
    }
}

extension Attachment {
    /// The JSON array stored in `report_attachments` and `recent_messages.attachments`.
    static func encodeList(_ attachments: [Attachment]) -> String {
        guard !attachments.isEmpty, let data = try? JSONEncoder().encode(attachments) else { return "[]" }
        return String(decoding: data, as: UTF8.self)
    }

    /// Reads a stored list; an unreadable one reads as none (it only describes the report).
    static func decodeList(_ text: String) -> [Attachment] {
        guard text != "[]", !text.isEmpty else { return [] }
        return (try? JSONDecoder().decode([Attachment].self, from: Data(text.utf8))) ?? []
    }
}
