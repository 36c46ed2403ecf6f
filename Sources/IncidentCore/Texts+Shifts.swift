#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Texts of shifts, escalations and personal messages (HTML; user text escaped).
extension Texts {
    /// Appended to a department call or reminder when the department has shifts for the group
    /// but nobody is on shift.
    static func nobodyOnShift(_ department: String) -> String {
        "\nNobody in <b>\(HTML.escape(department))</b> is on shift now, so everyone assigned to this group is called."
    }

    /// A personal message: an incident was assigned (or reopened) to your department.
    static func assignedDirect(
        _ number: IncidentNumber, department: String, groupTitle: String?, report: String, reopened: Bool
    ) -> String {
        let place = groupTitle.map { " in <b>\(HTML.escape($0))</b>" } ?? ""
        let verb = reopened ? "was reopened and waits" : "waits"
        return "<b>\(number)</b>\(place) \(verb) for <b>\(HTML.escape(department))</b>:\n"
            + HTML.escape(HTML.shortened(report, toUTF16Length: 300))
            + "\nClaim it on its card in the group. (/notify off stops these messages.)"
    }

    /// Escalation in the group: the department's leads and the group's managers.
    static func escalation(_ number: IncidentNumber, department: String, waitedMinutes: Int, mentions: [Mention]) -> String {
        "Escalation: <b>\(number)</b> has waited \(waitedMinutes) min for a claim by <b>\(HTML.escape(department))</b>"
            + (mentions.isEmpty
                ? " (no leads or managers to mention)."
                : ": " + mentions.map(HTML.mention).joined(separator: ", "))
    }

    /// Escalation in private.
    static func escalationDirect(_ number: IncidentNumber, department: String, groupTitle: String?, waitedMinutes: Int) -> String {
        let place = groupTitle.map { " in <b>\(HTML.escape($0))</b>" } ?? ""
        return "Escalation: <b>\(number)</b>\(place) has waited \(waitedMinutes) min and nobody in <b>\(HTML.escape(department))</b> has claimed it."
            + "\n(/notify off stops these messages.)"
    }

    /// A shift started: its person is pinged about the department's incidents waiting in the group.
    static func shiftStarted(_ person: Mention, department: String, waiting: [IncidentNumber]) -> String {
        let list = waiting.map { "<b>\($0)</b>" }.joined(separator: ", ")
        let verb = waiting.count == 1 ? "waits" : "wait"
        return "\(HTML.mention(person)), your <b>\(HTML.escape(department))</b> shift has started: \(list) still \(verb) for a claim."
    }

    /// `/start` in private.
    static let directStarted = """
        You will get personal messages here: escalations, and incidents assigned to your department.
        Send /notify off to stop them, /notify on to get them again.
        """
    static let notifyOff = "Personal messages are off. Send /notify on to get them again."
    static let notifyOn = "Personal messages are on: escalations, and incidents assigned to your department."
    static func notifyUsage(enabled: Bool) -> String {
        "Send /notify on or /notify off. Personal messages are \(enabled ? "on" : "off") now."
    }
    static let notifyInPrivate = "Send /notify to me in a private chat (open my profile and press Start)."
}
