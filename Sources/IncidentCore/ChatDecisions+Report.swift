#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension ChatDecisions {
    /// The periods `/report` accepts, by name; an empty argument means `day`.
    public static let reportPeriods = ["day", "week", "month"]

    /// The period named by `/report`'s argument (`""` is `day`), or nil when it names none.
    public static func reportPeriod(_ argument: String) -> String? {
        let word = argument.trimmedOfWhitespace.lowercased()
        if word.isEmpty { return "day" }
        return reportPeriods.contains(word) ? word : nil
    }

    /// `/report [day|week|month]`: by a manager of an active group, the summary `html`
    /// (computed beforehand from the group's data) as a reply to the command. Anyone else is
    /// told why not; a bad argument gets the usage.
    public static func report(
        argument: String, by user: UserID, in chat: ChatRef, group: Group?, html: String?, command: MessageID
    ) -> Result<[Effect], Refusal> {
        guard chat.kind.isGroup else { return .failure(.groupsOnly) }
        guard let group, group.isActive else { return .failure(.groupNotActivated(chat.id)) }
        guard group.managerIDs.contains(user) else { return .failure(.reportManagersOnly) }
        guard reportPeriod(argument) != nil else { return .failure(.reportUsage) }
        guard let html else { return .failure(.reportUnavailable) }
        return .success([.sendMessage(OutgoingMessage(incidentID: nil, html: html, replyTo: .message(command)))])
    }
}
