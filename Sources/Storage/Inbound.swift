import Foundation
import IncidentCore

/// A Telegram update, normalised to what the incident service acts on.
public struct InboundUpdate: Hashable, Codable, Sendable {
    /// Telegram's `update_id`: an update is applied at most once.
    public var updateID: Int64
    public var chat: ChatRef
    /// Who sent it (nil for events without a person, such as a migration notice).
    public var sender: Person?
    public var event: Event
    /// When the service received it; rounded to the millisecond when stored.
    public var receivedAt: Date

    public init(updateID: Int64, chat: ChatRef, sender: Person?, event: Event, receivedAt: Date) {
        self.updateID = updateID
        self.chat = chat
        self.sender = sender
        self.event = event
        self.receivedAt = receivedAt
    }
}

extension InboundUpdate {
    /// What happened, in the incident service's terms.
    public enum Event: Hashable, Codable, Sendable {
        /// `/new_issue` or `/ticket` (with or without `@BotName`); `reported` is the message it
        /// replied to, nil when it was not a reply.
        case newIssue(command: MessageID, reported: CreateRequest.Reported?)
        /// A button press with its raw callback data (parsed and checked by the store).
        case press(query: CallbackQueryID, data: String)
        /// A reply to one of the bot's messages (a summary if it answers the current prompt).
        case reply(message: MessageID, replyTo: MessageID, text: String)
        /// `/register_driver`.
        case registerDriver(command: MessageID)
        /// `/help`.
        case help(command: MessageID)
        /// `/start`: in a private chat, the person registers for personal messages; elsewhere as
        /// `/help`.
        case start(command: MessageID)
        /// `/notify on|off` (personal messages), with its argument as sent.
        case notify(command: MessageID, argument: String)
        /// `/report [day|week|month]` with its argument as sent.
        case report(command: MessageID, argument: String)
        /// The bot was added to the chat.
        case botAdded
        /// The bot was added, promoted or demoted, and may (or may not) pin messages now: as
        /// ``botAdded``, and with the pin right a later lack of it is told to the group again.
        case botMember(canPinMessages: Bool)
        /// The bot was removed from the chat (kicked or left).
        case botRemoved
        /// The group became a supergroup with this chat id; the update's `chat` is the old group
        /// (Telegram's `migrate_to_chat_id`, or `migrate_from_chat_id` seen from the new chat).
        case migrated(to: ChatID)
        /// A command or a reply sent on behalf of a chat (an anonymous administrator or a
        /// channel): nobody can be told apart, so it is answered with a refusal and acts on nothing.
        case onBehalfOfChat(message: MessageID)
        /// A person's ordinary message in the group, kept for a few minutes as the context of a
        /// `/new_issue` sent without a reply (see `IssueContextPolicy`).
        case groupMessage(message: MessageID, text: String, attachments: [Attachment] = [])
        /// `/activate CODE`: a group administrator attaches the group to the company of a one-time
        /// activation code. `senderIsAdministrator` is what Telegram said of the sender when the
        /// gateway asked (false when it could not tell).
        case activate(command: MessageID, code: String, senderIsAdministrator: Bool)
    }
}

/// What applying an update did.
public struct ApplyResult: Hashable, Sendable {
    /// The kind of outcome.
    public enum Outcome: Hashable, Sendable {
        /// The state changed (or a command was answered).
        case applied
        /// Refused: nothing changed, the person is told why (an outbox item).
        case refused(Refusal)
        /// This update id was applied before: nothing happened now.
        case duplicate
        /// Nothing to do (an ordinary reply, an event about an unknown chat).
        case ignored
        /// Not applied and not recorded: it may mean something once an outbox result arrives
        /// (a reply to a summary prompt whose message id the sender has not reported yet).
        /// Apply the same update again later.
        case deferred
    }

    public var outcome: Outcome
    /// The incident concerned, if any.
    public var incidentID: IncidentID?
    /// Outbox items written (or refreshed) by this update, in the order of the decision's
    /// effects, to deliver.
    public var outboxIDs: [Int64]
    /// The version the incident's card has now (what its buttons carry), if an incident is
    /// concerned.
    public var cardVersion: Int?

    public init(outcome: Outcome, incidentID: IncidentID? = nil, outboxIDs: [Int64] = [], cardVersion: Int? = nil) {
        self.outcome = outcome
        self.incidentID = incidentID
        self.outboxIDs = outboxIDs
        self.cardVersion = cardVersion
    }
}
