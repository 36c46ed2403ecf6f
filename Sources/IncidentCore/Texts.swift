#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Every text the bot shows, in English, in one place so that it can be translated later.
/// Functions returning HTML escape what they are given; the others return plain text.
public enum Texts {
    /// At most this many people are mentioned in one message.
    public static let mentionsPerMessage = 5

    // MARK: Card

    /// The status as the card shows it.
    public static func status(_ status: IncidentStatus) -> String {
        switch status {
        case .awaitingDepartment: "Awaiting department"
        case .awaitingClaim: "Awaiting claim"
        case .inProgress: "In progress"
        case .awaitingSummary: "Awaiting summary"
        case .resolved: "Resolved"
        case .closed: "Closed"
        }
    }

    static let reportedBy = "Reported by: "
    static let department = "Department: "
    static let onIt = "On it: "
    static let resolveRequestedBy = "Resolve requested by: "
    static let waitingForSummary = " (waiting for the summary)"
    static let resolvedBy = "Resolved by: "
    static let summary = "Summary:"
    static let closedWithoutSummary = "Closed without a summary."
    static let chooseDepartment = "Choose a department:"
    static let chooseNewDepartment = "Move to which department?"
    static func andMore(_ count: Int) -> String { " and \(count) more" }
    /// The name of a user the bot has never seen (a member added by id).
    public static func unseenUser(_ id: UserID) -> String { "user \(id)" }
    /// Shown for a reported message without text (a photo without caption, a sticker).
    public static let noText = "(message without text)"

    // MARK: Buttons

    static func departmentButton(_ department: Department) -> String {
        department.restricted ? "🔒 " + department.name : department.name
    }
    static let claimButton = "Claim"
    static let joinButton = "Join"
    static let leaveButton = "Leave"
    static let resolveButton = "Resolve"
    static let changeDepartmentButton = "Change department"
    static let backButton = "« Back"
    static let cancelResolveButton = "Cancel resolve"
    static let reopenButton = "Reopen"

    // MARK: Answers to presses (plain text, at most 200 characters)

    static func chosen(_ number: IncidentNumber, _ department: String) -> String {
        "\(number) sent to \(department)."
    }
    static func claimed(_ number: IncidentNumber) -> String { "You are on \(number)." }
    static func joined(_ number: IncidentNumber) -> String { "You joined \(number)." }
    static func left(_ number: IncidentNumber) -> String { "You left \(number)." }
    static func resolveRequested(_ number: IncidentNumber) -> String {
        "Reply to the prompt with the summary of \(number)."
    }
    static func resolveCancelled(_ number: IncidentNumber) -> String { "\(number) is in progress again." }
    static func reopened(_ number: IncidentNumber) -> String { "\(number) reopened." }
    static func transferred(_ number: IncidentNumber, _ department: String) -> String {
        "\(number) moved to \(department)."
    }

    // MARK: Messages (HTML)

    /// Calls a department's members to an incident; `part` counts from 0.
    static func departmentCall(
        _ number: IncidentNumber, department: String, mentions: [Mention], part: Int, reopened: Bool
    ) -> String {
        var html = "<b>\(number)</b> "
        if part > 0 {
            html += "(\(HTML.escape(department)), continued)"
        } else if reopened {
            html += "was reopened and waits for <b>\(HTML.escape(department))</b>"
        } else {
            html += "waits for <b>\(HTML.escape(department))</b>"
        }
        return html + mentionList(mentions)
    }

    /// Reminds a department that an incident still waits for a claim.
    static func unclaimedReminder(
        _ number: IncidentNumber, department: String, mentions: [Mention], part: Int
    ) -> String {
        let head = part > 0
            ? "Reminder (continued)"
            : "Reminder: <b>\(number)</b> still waits for a claim by <b>\(HTML.escape(department))</b>"
        return head + mentionList(mentions)
    }

    /// Reminds the reporter to choose a department.
    static func chooseDepartmentReminder(_ number: IncidentNumber, reporter: Mention) -> String {
        "\(HTML.mention(reporter)), please choose a department for <b>\(number)</b> on its card."
    }

    /// Asks the resolver for the summary (sent with ForceReply).
    static func summaryPrompt(_ number: IncidentNumber, resolver: Mention) -> String {
        "\(HTML.mention(resolver)), reply to this message with the summary of <b>\(number)</b>."
    }
    static func summaryPlaceholder(_ number: IncidentNumber) -> String { "Summary of \(number)" }

    private static func mentionList(_ mentions: [Mention]) -> String {
        mentions.isEmpty ? " (no members to mention yet)." : ": " + mentions.map(HTML.mention).joined(separator: ", ")
    }

    // MARK: Commands and group events (HTML)

    /// `/help` and `/start`.
    public static let help = """
        I run incidents in this group.
        • Reply <b>/new_issue</b> (or /ticket) to the message that describes a problem: I post a card and pin it.
        • Choose the department on the card; its members claim the incident, and more can join.
        • Resolve asks for a short summary: reply to my prompt with it.
        • Drivers register once with <b>/register_driver</b> in this group.
        • Managers get a summary with <b>/report</b> day, week or month.
        """

    /// When the bot is added to a group it does not know (or that has no company yet).
    public static func greeting(chatID: ChatID) -> String {
        """
        Hello! I run incidents for logistics teams. A group administrator activates this group \
        by sending <b>/activate CODE</b> with an activation code from the company's dashboard, or \
        a company manager approves it there (chat id <code>\(chatID)</code>). Until then I cannot \
        create incidents here.
        """
    }

    /// When the bot is added back to a group that was activated before.
    public static let welcomeBack = "I'm back. Reply <b>/new_issue</b> to a message to report a problem."

    static func driverRegistered(_ name: String) -> String {
        "\(HTML.escape(name)) is registered as a driver and can report incidents here."
    }
    static func driverAlreadyRegistered(_ name: String) -> String {
        "\(HTML.escape(name)) is already registered as a driver here."
    }

    // MARK: Refusals (plain text, at most 200 characters)

    static func refusal(_ refusal: Refusal) -> String {
        switch refusal {
        case .staleCard:
            "This card has changed, use the current one."
        case .unknownIncident:
            "This incident no longer exists."
        case .incidentOfAnotherChat:
            "This button does not belong to this chat."
        case .unrecognisedButton:
            "This button is not recognised."
        case .unknownDepartment:
            "That department does not exist for this group's company."
        case .groupsOnly:
            "I work in groups only. Add me to your team's group."
        case .groupNotActivated(let chat):
            "This group is not activated yet. A group administrator activates it with /activate CODE (a code from the dashboard); chat id \(chat)."
        case .notAReply:
            "Describe the problem in a message, then reply /new_issue to it (or send /new_issue within a few minutes of writing it)."
        case .descriptionTooLong(let limit):
            "The description is longer than \(limit) characters."
        case .noDepartments:
            "This company has no departments yet. An administrator must add them first."
        case .reporterNotAllowed:
            "Only registered drivers, department members and managers can report here. Drivers: send /register_driver in this group first."
        case .notAvailable(let number, let status):
            "\(number) is \(Texts.status(status).lowercased()); that button no longer applies."
        case .reporterOrManagerOnly:
            "Only the reporter or a manager can choose the department."
        case .restrictedDepartment(let name):
            "\(name) is restricted: only its members or a manager can send incidents there."
        case .departmentMembersOnly(let department, let managersToo):
            managersToo
                ? "Only members of \(department) or a manager can do this."
                : "Only members of \(department) can do this."
        case .alreadyParticipating:
            "You are already on it."
        case .notParticipating:
            "You are not on it."
        case .participantOrManagerOnly:
            "Only someone working on it or a manager can resolve it."
        case .resolverOnly(let name):
            "Only \(name), who pressed Resolve, can submit the summary."
        case .resolverOrManagerOnly(let name):
            "Only \(name), who pressed Resolve, or a manager can cancel."
        case .sameDepartment(let name):
            "It is already with \(name)."
        case .noOtherDepartment:
            "There is no other department to move it to."
        case .reopenWindowPassed(let days):
            "It can be reopened only within \(days) days of being resolved or closed."
        case .summaryEmpty:
            "The summary is empty; reply with a few words about the resolution."
        case .summaryTooLong(let limit):
            "The summary is longer than \(limit) characters."
        case .notDue:
            "Nothing is due yet."
        case .wrongInitiator:
            "This cannot be done that way."
        case .reportManagersOnly:
            "Only this group's managers can ask for a report."
        case .reportUsage:
            "Usage: /report day, /report week or /report month (day when omitted)."
        case .reportUnavailable:
            "The report cannot be computed right now; try again in a minute."
        case .sentOnBehalfOfChat:
            "I can't tell who sent this: it was sent anonymously or as a channel. Send it from your own account (an admin can turn off \"Remain anonymous\")."
        case .activation(let reason):
            Texts.activationRefusal(reason)
        }
    }
}
