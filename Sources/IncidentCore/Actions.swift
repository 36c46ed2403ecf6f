#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What a button on the card asks for. Each is carried, with the incident id and card
/// version, in the button's callback data (see ``CallbackData``).
public enum ButtonAction: Hashable, Codable, Sendable {
    /// awaiting_department: send it to this department.
    case chooseDepartment(DepartmentID)
    /// awaiting_claim: take it (the first person).
    case claim
    /// in_progress: work on it too.
    case join
    /// in_progress: stop working on it.
    case leave
    /// in_progress: done; the presser is asked for the summary.
    case resolve
    /// awaiting_summary: back to in_progress.
    case cancelResolve
    /// resolved or closed: back to awaiting_claim in the same department.
    case reopen
    /// awaiting_claim or in_progress: show the other departments.
    case openPicker
    /// The picker is open: transfer to this department.
    case pickDepartment(DepartmentID)
    /// The picker is open: Back, close it without a transfer.
    case closePicker
}

/// Something that happens to an existing incident.
public enum IncidentAction: Hashable, Codable, Sendable {
    /// A button press on a card of version `cardVersion`, answered with `query`.
    case press(ButtonAction, cardVersion: Int, query: CallbackQueryID)
    /// A reply to the summary prompt (matched to the incident by the store).
    case submitSummary(text: String, message: MessageID)
    /// The clock: close an incident whose summary deadline has passed.
    case autoClose
    /// The clock: remind about an incident waiting for a department or a claim.
    case nudge
}

/// Who did something: a person, or the clock (reminders, auto-close).
///
/// Named so as not to shadow Swift's `Actor`.
public enum Initiator: Hashable, Codable, Sendable {
    case user(Person)
    case clock

    public var userID: UserID? {
        if case .user(let person) = self { return person.id }
        return nil
    }
}

/// A request to create an incident: `/new_issue` (or `/ticket`) sent by `reporter`.
public struct CreateRequest: Hashable, Codable, Sendable {
    /// The message `/new_issue` replied to; nil when it was not a reply.
    public struct Reported: Hashable, Codable, Sendable {
        public var messageID: MessageID
        /// Its text or caption; empty when it had none.
        public var text: String
        /// Its photo, document or location.
        public var attachments: [Attachment]
        public init(messageID: MessageID, text: String, attachments: [Attachment] = []) {
            self.messageID = messageID
            self.text = text
            self.attachments = attachments
        }
    }

    public var reporter: Person
    public var commandMessageID: MessageID
    public var reported: Reported?

    public init(reporter: Person, commandMessageID: MessageID, reported: Reported?) {
        self.reporter = reporter
        self.commandMessageID = commandMessageID
        self.reported = reported
    }
}
