#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What a decision asks the outside world to do, as plain data. The store writes them to its
/// outbox (timeline entries to the timeline) in the same transaction as the state change; the
/// incident service turns them into outbound intents.
public enum Effect: Hashable, Codable, Sendable {
    /// Post a new card in the incident's chat, as a reply to `replyTo` when given. Its message
    /// id is the card's from then on.
    case postCard(CardView, replyTo: MessageID?)
    /// Edit the card in place (its message id is known to the store by delivery time; if it
    /// is not, or the card was deleted, post it again).
    case updateCard(CardView)
    /// Pin the incident's card.
    case pinCard(IncidentID)
    /// Unpin the incident's card.
    case unpinCard(IncidentID)
    /// Send a message to the chat.
    case sendMessage(OutgoingMessage)
    /// Answer a button press (ends the client's spinner).
    case answerPress(PressAnswer)
    /// Record this in the incident's timeline (not delivered anywhere).
    case appendTimeline(TimelineEntry)
    /// Send a personal message to a person's private chat with the bot.
    case sendDirect(DirectMessage)

    /// The incident this effect is about, if any.
    public var incidentID: IncidentID? {
        switch self {
        case .postCard(let card, _), .updateCard(let card): card.incidentID
        case .pinCard(let id), .unpinCard(let id): id
        case .sendMessage(let message): message.incidentID
        case .sendDirect(let message): message.incidentID
        case .answerPress, .appendTimeline: nil
        }
    }
}

/// A personal message: to the private chat of `userID` (a Telegram private chat's id is the
/// user's id), already as Telegram HTML.
public struct DirectMessage: Hashable, Codable, Sendable {
    public var userID: UserID
    /// The incident it is about, if any.
    public var incidentID: IncidentID?
    public var html: String

    public init(userID: UserID, incidentID: IncidentID?, html: String) {
        self.userID = userID
        self.incidentID = incidentID
        self.html = html
    }
}

/// Where a message replies to.
public enum ReplyTarget: Hashable, Codable, Sendable {
    /// The incident's card (its message id is resolved at delivery).
    case card(IncidentID)
    /// A message already in the chat.
    case message(MessageID)
}

/// Telegram's ReplyPrompt markup: the client opens a reply to the bot's message.
public struct ReplyPrompt: Hashable, Codable, Sendable {
    /// Only for the users mentioned in the text (and the sender of the replied-to message).
    public var selective: Bool
    public var placeholder: String?
    public init(selective: Bool, placeholder: String?) {
        self.selective = selective
        self.placeholder = placeholder
    }
}

/// Why a message is sent; some results matter to the store.
public enum MessagePurpose: Hashable, Codable, Sendable {
    /// Information, a reply to a command, a refusal.
    case notice
    /// Mentions of a department's members (assignment, transfer, reopen).
    case departmentCall
    /// A reminder.
    case reminder
    /// The prompt for the summary of resolve round `round`: its message id is remembered so
    /// that a reply to it is recognised as the summary.
    case summaryPrompt(round: Int)
}

/// A message to send, already as Telegram HTML.
public struct OutgoingMessage: Hashable, Codable, Sendable {
    /// The incident it is about; nil for general answers (help, registration).
    public var incidentID: IncidentID?
    /// `parse_mode: HTML` text; user-supplied parts are escaped.
    public var html: String
    public var replyTo: ReplyTarget?
    public var forceReply: ReplyPrompt?
    public var purpose: MessagePurpose

    public init(
        incidentID: IncidentID?, html: String, replyTo: ReplyTarget? = nil,
        forceReply: ReplyPrompt? = nil, purpose: MessagePurpose = .notice
    ) {
        self.incidentID = incidentID
        self.html = html
        self.replyTo = replyTo
        self.forceReply = forceReply
        self.purpose = purpose
    }
}

/// The answer to a button press.
public struct PressAnswer: Hashable, Codable, Sendable {
    /// Telegram's limit on the answer text.
    public static let maximumLength = 200

    public var query: CallbackQueryID
    /// Plain text (not HTML), at most 200 characters; nil just stops the spinner.
    public var text: String?
    /// Shown as a dialog the user must dismiss (refusals) rather than a brief toast.
    public var showAlert: Bool

    public init(query: CallbackQueryID, text: String?, showAlert: Bool) {
        self.query = query
        self.text = text.map { HTML.shortened($0, toUTF16Length: Self.maximumLength) }
        self.showAlert = showAlert
    }
}

/// A decision's outcome: the incident as it now is, and what to do about it.
public struct Decision: Hashable, Sendable {
    public var incident: Incident
    public var effects: [Effect]

    public init(incident: Incident, effects: [Effect]) {
        self.incident = incident
        self.effects = effects
    }

    /// The timeline entries among the effects.
    public var timeline: [TimelineEntry] {
        effects.compactMap { if case .appendTimeline(let entry) = $0 { entry } else { nil } }
    }
}
