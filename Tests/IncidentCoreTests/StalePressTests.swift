import Foundation
import IncidentCore
import Testing

/// Presses drawn for a card that is behind the incident (its edit still queued): carried out
/// when they mean the same now; refused as stale when the card belongs to an earlier
/// transfer's picker or an earlier episode.
@Suite struct StalePressTests {
    typealias F = Fixture

    static func decide(_ incident: Incident, _ button: ButtonAction, version: Int, by person: Person, minutes: Double = 30)
        -> Result<Decision, Refusal>
    {
        IncidentMachine.decide(
            incident, .press(button, cardVersion: version, query: "q"), by: .user(person), context: F.context,
            now: F.at(minutes: minutes))
    }

    /// Claim, then every button of in_progress pressed on the card that still shows Claim.
    @Test func everyButtonOfTheNextStateOnTheCardBefore() throws {
        let waiting = F.awaitingClaim
        let shown = waiting.cardVersion
        var incident = try Self.decide(waiting, .claim, version: shown, by: F.bob).get().incident
        #expect(incident.status == .inProgress)
        incident = try Self.decide(incident, .join, version: shown, by: F.carol).get().incident
        #expect(incident.activeParticipantIDs == [F.bob.id, F.carol.id])
        incident = try Self.decide(incident, .leave, version: shown, by: F.carol).get().incident
        #expect(incident.activeParticipantIDs == [F.bob.id])
        incident = try Self.decide(incident, .resolve, version: shown, by: F.bob).get().incident
        #expect(incident.status == .awaitingSummary)
        incident = try Self.decide(incident, .cancelResolve, version: shown, by: F.bob).get().incident
        #expect(incident.status == .inProgress)
        // After Cancel, the Resolve of the card before the Cancel is carried out too.
        incident = try Self.decide(incident, .resolve, version: shown, by: F.bob).get().incident
        #expect(incident.status == .awaitingSummary)
        // The card moved on each time; the presses did not wait for it.
        #expect(incident.cardVersion > shown + 4)
    }

    /// Rights are still checked against the current state: a lagging Leave by someone not on
    /// it, a lagging Claim after someone claimed.
    @Test func rightsAndStatusStillApply() throws {
        let waiting = F.awaitingClaim
        let shown = waiting.cardVersion
        let claimed = try Self.decide(waiting, .claim, version: shown, by: F.bob).get().incident
        #expect(Self.decide(claimed, .leave, version: shown, by: F.carol) == .failure(.notParticipating))
        #expect(Self.decide(claimed, .claim, version: shown, by: F.ann) == .failure(.notAvailable(1, .inProgress)))
        #expect(Self.decide(claimed, .join, version: shown, by: F.otto)
            == .failure(.departmentMembersOnly(department: "Dispatch", managersToo: false)))
    }

    /// A card drawn before the picker opened still works: Leave while someone has the picker open.
    @Test func cardWithoutThePickerWhileThePickerIsOpen() throws {
        let before = F.inProgress
        let picker = F.inProgressPicker
        let decision = try Self.decide(picker, .leave, version: before.cardVersion, by: F.carol).get()
        #expect(decision.incident.activeParticipantIDs == [F.bob.id])
        #expect(decision.incident.isPickerOpen)
        // Resolve from that card moves it to awaiting summary, and the picker goes with it.
        let resolving = try Self.decide(picker, .resolve, version: before.cardVersion, by: F.bob).get()
        #expect(resolving.incident.status == .awaitingSummary)
        #expect(!resolving.incident.isPickerOpen)
        #expect(IncidentMachine.card(for: resolving.incident, context: F.context).isPickerOpen == false)
        // On the current card (the picker), Leave is not offered.
        #expect(Self.decide(picker, .leave, version: picker.cardVersion, by: F.carol) == .failure(.notAvailable(1, .inProgress)))
    }

    /// A department of a picker of the current assignment still moves it after someone closed
    /// the picker (Back) in the meantime.
    @Test func pickerOfTheCurrentAssignmentClosedMeanwhile() throws {
        let picker = F.inProgressPicker
        let closed = try Self.decide(picker, .closePicker, version: picker.cardVersion, by: F.ann).get().incident
        #expect(!closed.isPickerOpen)
        let moved = try Self.decide(closed, .pickDepartment(F.maintenance.id), version: picker.cardVersion, by: F.bob).get().incident
        #expect(moved.departmentID == F.maintenance.id)
        #expect(moved.status == .awaitingClaim)
    }

    /// A department of a picker drawn before a transfer is refused as stale; Back and Change
    /// department from it are harmless and work.
    @Test func pickerOfAnEarlierTransferIsStale() throws {
        let picker = F.awaitingClaimPicker
        let oldPicker = picker.cardVersion
        let moved = try Self.decide(picker, .pickDepartment(F.maintenance.id), version: oldPicker, by: F.ann).get().incident
        #expect(moved.departmentID == F.maintenance.id)
        #expect(moved.assignmentCardVersion == moved.cardVersion)
        let reopenedPicker = try Self.decide(moved, .openPicker, version: moved.cardVersion, by: F.otto).get().incident
        // The old picker (drawn while in Dispatch) offered Maintenance and Safety.
        #expect(Self.decide(reopenedPicker, .pickDepartment(F.dispatch.id), version: oldPicker, by: F.manager) == .failure(.staleCard))
        #expect(Self.decide(moved, .pickDepartment(F.dispatch.id), version: oldPicker, by: F.manager) == .failure(.staleCard))
        // The new picker works.
        let back = try Self.decide(reopenedPicker, .pickDepartment(F.dispatch.id), version: reopenedPicker.cardVersion, by: F.manager).get()
        #expect(back.incident.departmentID == F.dispatch.id)
    }

    /// After a reopen, every button drawn before it is stale, even one the new card offers.
    @Test func buttonOfAnEarlierEpisodeIsStale() throws {
        let firstClaimCard = F.awaitingClaim.cardVersion
        let resolved = F.resolved
        let reopened = try Self.decide(resolved, .reopen, version: resolved.cardVersion, by: F.ann).get().incident
        #expect(reopened.status == .awaitingClaim)
        #expect(reopened.episodeCardVersion == reopened.cardVersion)
        #expect(Self.decide(reopened, .claim, version: firstClaimCard, by: F.bob) == .failure(.staleCard))
        #expect(Self.decide(reopened, .claim, version: resolved.cardVersion, by: F.bob) == .failure(.staleCard))
        let claimed = try Self.decide(reopened, .claim, version: reopened.cardVersion, by: F.bob).get().incident
        #expect(claimed.status == .inProgress)
        // A Reopen pressed again on the resolved card (now behind) is refused as stale too.
        #expect(Self.decide(claimed, .reopen, version: resolved.cardVersion, by: F.ann) == .failure(.staleCard))
    }
}
