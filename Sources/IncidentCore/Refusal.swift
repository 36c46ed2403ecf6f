#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Why something was not done. A refusal changes nothing; its ``message`` is shown to the
/// person (an alert for a button press, a reply for a command).
///
/// It conforms to `Error` only so that decisions can be `Result<Decision, Refusal>`; it is
/// returned, never thrown.
public enum Refusal: Error, Hashable, Codable, Sendable, CustomStringConvertible {
    /// The press was made on an older version of the card.
    case staleCard
    /// The button names an incident that does not exist (or no longer does).
    case unknownIncident
    /// The button names an incident of another chat (forged data).
    case incidentOfAnotherChat
    /// The callback data is not ours (garbled or forged).
    case unrecognisedButton
    /// The department does not exist or belongs to another company.
    case unknownDepartment
    /// The bot works in groups only.
    case groupsOnly
    /// This group is not (or no longer) activated.
    case groupNotActivated(ChatID)
    /// `/new_issue` was not sent as a reply.
    case notAReply
    /// The reported text is longer than Telegram allows a message to be.
    case descriptionTooLong(limit: Int)
    /// The group's company has no departments yet.
    case noDepartments
    /// Only registered drivers, department members and managers may report.
    case reporterNotAllowed
    /// This button does not apply in the incident's current status.
    case notAvailable(IncidentNumber, IncidentStatus)
    /// Only the reporter or a manager may choose the department.
    case reporterOrManagerOnly
    /// A restricted department is chosen only by its members or a manager.
    case restrictedDepartment(name: String)
    /// Only members of this department (or, where allowed, a manager) may do this.
    case departmentMembersOnly(department: String, managersToo: Bool)
    /// The presser already works on it.
    case alreadyParticipating
    /// The presser does not work on it.
    case notParticipating
    /// Only someone working on it or a manager may resolve.
    case participantOrManagerOnly
    /// Only the person who pressed Resolve may submit the summary.
    case resolverOnly(name: String)
    /// Only the person who pressed Resolve or a manager may cancel.
    case resolverOrManagerOnly(name: String)
    /// The incident is already with that department.
    case sameDepartment(name: String)
    /// There is no other department to transfer to.
    case noOtherDepartment
    /// Reopen is allowed for a limited time after resolution or closure.
    case reopenWindowPassed(days: Int)
    /// The summary is empty.
    case summaryEmpty
    /// The summary is longer than Telegram allows a message to be.
    case summaryTooLong(limit: Int)
    /// The clock asked too early (a reminder or auto-close not yet due).
    case notDue
    /// A person asked for a clock action, or the clock pressed a button.
    case wrongInitiator
    /// `/report` is for the group's managers.
    case reportManagersOnly
    /// `/report` with an argument other than day, week or month.
    case reportUsage
    /// The report could not be computed now.
    case reportUnavailable
    /// Sent as an anonymous administrator or as a channel: the bot cannot tell who reports,
    /// registers or summarises.
    case sentOnBehalfOfChat
    /// `/activate CODE` refused (see ``ActivationRefusal``).
    case activation(ActivationRefusal)

    /// The user-facing reason, in English (see ``Texts``).
    public var message: String { Texts.refusal(self) }

    public var description: String { message }

    /// How the refusal reaches the person: an alert for a press, a reply to their message,
    /// nothing for the clock.
    public func effects(answering trigger: Trigger) -> [Effect] {
        switch trigger {
        case .press(let query):
            [.answerPress(PressAnswer(query: query, text: message, showAlert: true))]
        case .message(let messageID, let incident):
            [.sendMessage(OutgoingMessage(
                incidentID: incident, html: HTML.escape(message), replyTo: .message(messageID)))]
        case .clock:
            []
        }
    }

    /// What a refusal answers.
    public enum Trigger: Hashable, Sendable {
        case press(CallbackQueryID)
        case message(MessageID, incident: IncidentID?)
        case clock
    }
}
