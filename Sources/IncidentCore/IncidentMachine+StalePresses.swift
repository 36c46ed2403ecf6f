#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Presses made on a card that is behind the incident.
///
/// The card on screen can lag: its edit waits in the sender's pacing queue, or two people
/// press at once. A press is therefore judged against the incident's current state and the
/// presser's rights, whatever card version it was drawn for. A card that is behind refuses a
/// press ("This card has changed, use the current one.") only where the press would now mean
/// something else than what the person saw:
/// - a department of a picker drawn before the current assignment (an earlier transfer,
///   choice or reopen): the list no longer describes where the incident is;
/// - any button drawn before the current episode began (a reopen): it acted on an incident
///   that has since been resolved or closed;
/// - a version the incident never had (ahead of the current card): forged.
extension IncidentMachine {
    /// Nil when the press may be decided; the refusal otherwise.
    static func refusal(
        pressing button: ButtonAction, drawnFor version: Int, on incident: Incident, context: DecisionContext
    ) -> Refusal? {
        guard version <= incident.cardVersion, version >= incident.episodeCardVersion else { return .staleCard }
        if version == incident.cardVersion {
            return offers(button, incident, context) ? nil : .notAvailable(incident.number, incident.status)
        }
        if case .pickDepartment = button, version < incident.assignmentCardVersion { return .staleCard }
        // A card behind may differ in whether the picker shows: the button counts if the
        // incident's status offers it with the picker open or closed.
        var closed = incident
        closed.isPickerOpen = false
        var open = incident
        open.isPickerOpen = true
        guard offers(button, closed, context) || offers(button, open, context) else {
            return .notAvailable(incident.number, incident.status)
        }
        return nil
    }

    /// A press from a card without the picker (drawn before it opened) may move the incident to
    /// a status that has no picker: the picker closes with it.
    static func closePickerWhereNotOffered(_ incident: inout Incident) {
        if incident.status != .awaitingClaim && incident.status != .inProgress { incident.isPickerOpen = false }
    }

    /// Records the card version a new assignment or a new episode starts with (called once
    /// the decision's card version is known).
    static func markBoundaries(_ new: inout Incident, from old: Incident) {
        if new.sessions.count != old.sessions.count { new.assignmentCardVersion = new.cardVersion }
        if old.status.isFinished && !new.status.isFinished { new.episodeCardVersion = new.cardVersion }
    }
}
