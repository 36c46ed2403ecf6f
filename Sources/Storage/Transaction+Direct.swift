import Foundation
import GRDB
import IncidentCore

/// `/start` and `/notify` in a private chat: personal messages on or off.
extension Transaction {
    func start(by sender: Person?, command: MessageID) throws -> ApplyResult {
        let (register, effects) = ChatDecisions.start(in: chat, command: command)
        if register, let sender {
            try db.setDirectMessages(sender.id, enabled: true, reason: nil, now: now)
        }
        return try finish(effects)
    }

    func notify(_ argument: String, by sender: Person?, command: MessageID) throws -> ApplyResult {
        guard let sender else { return ApplyResult(outcome: .ignored) }
        let enabled = try db.directMessagesEnabled(sender.id) ?? false
        let (change, effects) = ChatDecisions.notify(
            ChatDecisions.notifyRequest(argument), in: chat, enabled: enabled, command: command)
        if let change {
            try db.setDirectMessages(sender.id, enabled: change, reason: change ? nil : "opted_out", now: now)
        }
        return try finish(effects)
    }
}
