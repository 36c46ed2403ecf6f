import Foundation
import IncidentCore
import Testing
import Timestamps

@Suite struct SLATests {
    @Test(arguments: [(0.5, 30.0), (1.25, 75.0), (10, 600), (0.001, 0.06), (1440, 86_400)])
    func decimalMinutes(_ minutes: Double, _ seconds: TimeInterval) {
        #expect(SLAPolicy.seconds(minutes: minutes) == seconds)
    }

    @Test(arguments: [0.0, -1, .nan, .infinity, 0.000001])
    func rejectsNonsensePeriods(_ minutes: Double) {
        #expect(SLAPolicy.seconds(minutes: minutes) == nil)
        #expect(SLAPolicy(unclaimedNudgeMinutes: minutes, summaryTimeoutMinutes: 1) == nil)
    }

    @Test func reporterIsRemindedOnceAfterOnePeriod() {
        let incident = Fixture.created
        let policy = Fixture.policy
        #expect(policy.due(for: incident, at: Fixture.at(minutes: 9.99)) == nil)
        #expect(policy.due(for: incident, at: Fixture.at(minutes: 10)) == .remindReporter)
        let reminded = Fixture.step(incident, .nudge, by: .clock, minutes: 10)
        #expect(reminded.reporterNudged)
        #expect(policy.due(for: reminded, at: Fixture.at(minutes: 500)) == nil)
        let again = IncidentMachine.decide(reminded, .nudge, by: .clock, context: Fixture.context, now: Fixture.at(minutes: 500))
        #expect(again == .failure(.notDue))
    }

    /// Reminders stay on the schedule assigned + k x period; after downtime one reminder goes
    /// out (not a burst) and the next is due at the next slot.
    @Test func unclaimedRemindersFollowTheSchedule() throws {
        let policy = Fixture.policy
        var incident = Fixture.awaitingClaim  // assigned at minute 1
        #expect(policy.nextDue(for: incident)?.at == Fixture.at(minutes: 11))
        #expect(policy.due(for: incident, at: Fixture.at(minutes: 10.99)) == nil)
        incident = Fixture.step(incident, .nudge, by: .clock, minutes: 11)
        #expect(incident.lastNudgeAt == Fixture.at(minutes: 11))
        #expect(policy.nextDue(for: incident)?.at == Fixture.at(minutes: 21))
        // Down from minute 12 to minute 55: one reminder, on slot 51; next at 61.
        incident = Fixture.step(incident, .nudge, by: .clock, minutes: 55)
        #expect(incident.lastNudgeAt == Fixture.at(minutes: 51))
        #expect(policy.due(for: incident, at: Fixture.at(minutes: 60.9)) == nil)
        #expect(policy.nextDue(for: incident)?.at == Fixture.at(minutes: 61))
    }

    @Test func claimStopsRemindersAndLastLeaveRestartsTheClock() throws {
        let policy = Fixture.policy
        var incident = Fixture.pressed(Fixture.awaitingClaim, .claim, by: Fixture.bob, minutes: 5)
        #expect(policy.nextDue(for: incident) == nil)
        incident = Fixture.pressed(incident, .leave, by: Fixture.bob, minutes: 30)
        #expect(incident.status == .awaitingClaim)
        #expect(policy.nextDue(for: incident)?.at == Fixture.at(minutes: 40))
    }

    @Test func transferRestartsTheClock() {
        let incident = Fixture.pressed(Fixture.inProgressPicker, .pickDepartment(Fixture.maintenance.id), by: Fixture.ann, minutes: 33)
        #expect(incident.activeParticipantIDs.isEmpty)
        #expect(incident.sessions.map(\.departmentID) == [10, 11])
        #expect(incident.sessions[0].end == .transferred)
        #expect(incident.participations.allSatisfy { $0.endedAt == Fixture.at(minutes: 33) })
        #expect(Fixture.policy.nextDue(for: incident)?.at == Fixture.at(minutes: 43))
    }

    @Test func summaryDeadlineAndAutoClose() {
        let incident = Fixture.awaitingSummary  // Resolve at minute 4
        #expect(incident.summaryDeadline == Fixture.at(minutes: 64))
        let early = IncidentMachine.decide(incident, .autoClose, by: .clock, context: Fixture.context, now: Fixture.at(minutes: 63.99))
        #expect(early == .failure(.notDue))
        let closed = Fixture.step(incident, .autoClose, by: .clock, minutes: 64)
        #expect(closed.status == .closed)
        #expect(closed.closedAt == Fixture.at(minutes: 64))
        #expect(!closed.isPinned)
    }

    @Test func reopenOnlyWithinSevenDays() {
        let resolved = Fixture.resolved  // resolved at minute 5
        let lastMoment = Fixture.at(minutes: 5 + 7 * 24 * 60)
        let inTime = IncidentMachine.decide(
            resolved, .press(.reopen, cardVersion: resolved.cardVersion, query: "q"), by: .user(Fixture.ann),
            context: Fixture.context, now: lastMoment)
        #expect((try? inTime.get().incident.status) == .awaitingClaim)
        let late = IncidentMachine.decide(
            resolved, .press(.reopen, cardVersion: resolved.cardVersion, query: "q"), by: .user(Fixture.ann),
            context: Fixture.context, now: lastMoment.addingTimeInterval(0.001))
        #expect(late == .failure(.reopenWindowPassed(days: 7)))
        #expect(Refusal.reopenWindowPassed(days: 7).message.contains("7 days"))
    }

    @Test(arguments: [
        (Date(timeIntervalSince1970: 0), "1970-01-01T00:00:00.000Z"),
        (Date(timeIntervalSince1970: 1_740_816_000.123), "2025-03-01T08:00:00.123Z"),
        (Date(timeIntervalSince1970: 951_782_400), "2000-02-29T00:00:00.000Z"),
        (Date(timeIntervalSince1970: -1), "1969-12-31T23:59:59.000Z"),
        (Date(timeIntervalSince1970: 253_402_300_799.999), "9999-12-31T23:59:59.999Z"),
    ])
    func timestampsAreRFC3339UTC(_ date: Date, _ text: String) {
        #expect(Timestamp.format(date) == text)
        #expect(Timestamp.parse(text) == Timestamp.rounded(date))
    }

    @Test(arguments: ["", "2025-02-30T00:00:00.000Z", "2025-03-01T08:00:00Z", "2025-03-01 08:00:00.000Z", "2025-13-01T00:00:00.000Z", "2025-03-01T24:00:00.000Z", "２025-03-01T08:00:00.000Z"])
    func timestampParserRejectsOtherFormats(_ text: String) {
        #expect(Timestamp.parse(text) == nil)
    }
}
