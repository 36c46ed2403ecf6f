import Foundation
import IncidentCore
import Storage
import Testing

/// Reminders and auto-close come from stored timestamps, once each, across restarts.
@Suite struct StoreTickTests {
    typealias F = StoreFixture

    @Test func remindersAreSentOnceAcrossRestarts() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let waiting = try await fixture.incidentAwaitingClaim(1)  // assigned at minute 0
        let unchosen = try #require(try await fixture.newIssue(3).incidentID)  // created at minute 0
        try await fixture.deliverAll()

        #expect(try await fixture.store.dueReminders(now: F.at(minutes: 9.9)).isEmpty)
        let due = try await fixture.store.dueReminders(now: F.at(minutes: 10))
        #expect(Set(due.map(\.incidentID)) == [waiting, unchosen])
        let first = try await fixture.store.applyTick(now: F.at(minutes: 10))
        #expect(first.applied.count == 2)
        #expect(Set(first.applied.map(\.action)) == [.remindDepartment, .remindReporter])

        // A restart: a new store object on the same file, ticking at the same moment.
        let restarted = try fixture.secondStore()
        #expect(try await restarted.applyTick(now: F.at(minutes: 10)).applied.isEmpty)
        #expect(try await restarted.applyTick(now: F.at(minutes: 19.9)).applied.isEmpty)
        // Next period: only the unclaimed one (the reporter is reminded once).
        let second = try await restarted.applyTick(now: F.at(minutes: 20))
        #expect(second.applied.map(\.incidentID) == [waiting])
        #expect(try await restarted.applyTick(now: F.at(minutes: 500)).applied.map(\.incidentID) == [waiting])

        // By minute 500 the escalation ladder (30 min by default) has escalated too; that is
        // docs/shifts.md's business, and counted apart here.
        let delivered = try await fixture.deliverAll().compactMap { item -> String? in
            if case .sendMessage(let m) = item.effect, m.purpose == .reminder { m.html } else { nil }
        }
        #expect(delivered.filter { $0.hasPrefix("Escalation: <b>#0001</b>") }.count == 1)
        let messages = delivered.filter { !$0.hasPrefix("Escalation:") }
        #expect(messages.count == 4)
        #expect(messages.filter { $0.contains("please choose a department for <b>#0002</b>") }.count == 1)
        #expect(messages.filter { $0.hasPrefix("Reminder: <b>#0001</b> still waits for a claim by <b>Dispatch</b>") }.count == 3)
        let nudges = try await fixture.store.timeline(of: waiting).filter { $0.kind == .nudged && $0.detail.reminder == .unclaimed }
        #expect(nudges.map(\.at) == [F.at(minutes: 10), F.at(minutes: 20), F.at(minutes: 500)])
        // Claimed: no more reminders.
        _ = try await fixture.press(9, .claim, on: waiting, by: F.ann, minutes: 501)
        #expect(try await fixture.store.applyTick(now: F.at(minutes: 2000)).applied.isEmpty)
    }

    @Test func autoCloseAfterTheSummaryTimeout() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let id = try await fixture.incidentAwaitingClaim(1)
        _ = try await fixture.press(3, .claim, on: id, by: F.ann, minutes: 1)
        _ = try await fixture.press(4, .resolve, on: id, by: F.ann, minutes: 2)
        try await fixture.deliverAll()
        #expect(try await fixture.store.incident(id)?.summaryDeadline == F.at(minutes: 62))
        #expect(try await fixture.store.applyTick(now: F.at(minutes: 61.999)).applied.isEmpty)
        let tick = try await fixture.store.applyTick(now: F.at(minutes: 62))
        #expect(tick.applied.map(\.action) == [.autoClose])
        #expect(try await fixture.store.incident(id)?.status == .closed)
        let delivered = try await fixture.deliverAll()
        #expect(delivered.map(\.effect.kindName) == ["updateCard", "unpinCard"])
        guard case .updateCard(let card) = delivered[0].effect else { throw Failure("no card") }
        #expect(CardRenderer.render(card).html.contains("Closed without a summary."))
        #expect(try await fixture.store.applyTick(now: F.at(minutes: 100)).applied.isEmpty)
        // The closed incident can be reopened within the window.
        #expect(try await fixture.press(5, .reopen, on: id, by: F.bob, minutes: 100).outcome == .applied)
    }

    @Test func noRemindersForAnInactiveGroup() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        _ = try await fixture.incidentAwaitingClaim(1)
        let removed = try await fixture.store.apply(updateID: 3, chat: F.chat, sender: nil, event: .botRemoved, now: F.t0)
        #expect(removed.outcome == .applied)
        #expect(try await fixture.store.group(chat: F.chat.id)?.status == .inactive)
        // Nothing that was waiting for the chat is sent (answers to presses are not sent to
        // the chat), and nothing new is.
        let waiting = try await fixture.store.claimOutbox(now: F.t0)
        #expect(waiting.map(\.effect.kindName) == ["answerPress"])
        #expect(try await fixture.store.applyTick(now: F.at(minutes: 30)).applied.isEmpty)
        #expect(try await fixture.store.claimOutbox(now: F.t0).isEmpty)
    }
}
