import Foundation
import IncidentCore
import Testing

/// Department calls and reminders follow the roster the store gives (shifts), the assignment
/// is told in private to those who want it, and the escalation ladder's steps come in order.
@Suite("Shifts, escalation and personal messages in the core")
struct ShiftEscalationTests {
    typealias F = Fixture

    func htmls(_ effects: [Effect]) -> [String] {
        effects.compactMap { if case .sendMessage(let message) = $0 { message.html } else { nil } }
    }

    func directs(_ effects: [Effect]) -> [DirectMessage] {
        effects.compactMap { if case .sendDirect(let message) = $0 { message } else { nil } }
    }

    func choose(_ context: DecisionContext) throws -> Decision {
        try IncidentMachine.decide(
            F.created, .press(.chooseDepartment(F.dispatch.id), cardVersion: F.created.cardVersion, query: "q"),
            by: .user(F.reporter), context: context, now: F.at(minutes: 1)).get()
    }

    @Test("without a roster every member is called, as before shifts")
    func everyMember() throws {
        let calls = htmls(try choose(F.context).effects)
        #expect(calls.count == 1)
        #expect(calls[0].contains("@dispatch_ann") && calls[0].contains("tg://user?id=4") && calls[0].contains("@carol"))
        #expect(!calls[0].contains("on shift"))
    }

    @Test("with a roster only those on shift are called")
    func onShift() throws {
        var context = F.context
        context.rosters = [F.dispatch.id: Roster(mentions: [F.carol.mention], nobodyOnShift: false)]
        let calls = htmls(try choose(context).effects)
        #expect(calls == ["<b>#0001</b> waits for <b>Dispatch</b>: @carol"])
    }

    @Test("nobody on shift: everyone assigned is called, with a line saying so; reminders too")
    func nobodyOnShift() throws {
        var context = F.context
        context.rosters = [F.dispatch.id: Roster(mentions: [F.ann.mention, F.carol.mention], nobodyOnShift: true)]
        let calls = htmls(try choose(context).effects)
        #expect(calls.count == 1)
        #expect(calls[0].contains("@dispatch_ann, @carol"))
        #expect(calls[0].contains("Nobody in <b>Dispatch</b> is on shift now"))
        let reminder = try IncidentMachine.decide(F.awaitingClaim, .nudge, by: .clock, context: context, now: F.at(minutes: 11)).get()
        let reminders = htmls(reminder.effects)
        #expect(reminders.count == 1)
        #expect(reminders[0].hasPrefix("Reminder: <b>#0001</b> still waits"))
        #expect(reminders[0].contains("@dispatch_ann, @carol") && reminders[0].contains("Nobody in <b>Dispatch</b> is on shift now"))
        #expect(!reminders[0].contains("tg://user?id=4"), "Bob is not assigned to this group")
    }

    @Test("the people called who want personal messages are told in private, each once; others are not")
    func assignedDirect() throws {
        var context = F.context
        context.rosters = [F.dispatch.id: Roster(mentions: [F.ann.mention, F.carol.mention], nobodyOnShift: false)]
        context.directMessageUsers = [F.carol.id, F.bob.id, F.otto.id]
        let direct = directs(try choose(context).effects)
        #expect(direct.map(\.userID) == [F.carol.id], "Bob and Otto take personal messages but are not called")
        #expect(direct.first?.incidentID == F.incidentID)
        #expect(direct.first?.html.contains("<b>#0001</b> waits for <b>Dispatch</b>") == true)
        #expect(direct.first?.html.contains("Truck 12 has a flat tyre &lt;near&gt; exit 5 &amp; waits") == true, "escaped")
    }

    let ladder = EscalationLadder(escalateAfter: 30 * 60, directAfter: 15 * 60)

    @Test("the ladder: nothing before the escalation period; then leads; then direct; each once, in order")
    func ladderOrder() {
        let waiting = F.awaitingClaim  // waits from minute 1
        #expect(Escalation.next(for: waiting, taken: [], ladder: ladder, at: F.at(minutes: 30.9)) == nil)
        #expect(Escalation.next(for: waiting, taken: [], ladder: ladder, at: F.at(minutes: 31)) == .leads)
        #expect(Escalation.next(for: waiting, taken: [.leads], ladder: ladder, at: F.at(minutes: 45.9)) == nil)
        #expect(Escalation.next(for: waiting, taken: [.leads], ladder: ladder, at: F.at(minutes: 46)) == .direct)
        #expect(Escalation.next(for: waiting, taken: [], ladder: ladder, at: F.at(minutes: 500)) == .leads, "after downtime: the first step first")
        #expect(Escalation.next(for: waiting, taken: [.leads, .direct], ladder: ladder, at: F.at(minutes: 500)) == nil)
        #expect(Escalation.next(for: F.inProgress, taken: [], ladder: ladder, at: F.at(minutes: 500)) == nil, "claimed: no escalation")
        #expect(Escalation.next(for: F.created, taken: [], ladder: ladder, at: F.at(minutes: 500)) == nil)
    }

    @Test("leads: the department's leads and the group's managers are mentioned once each, recorded in the timeline")
    func leadsStep() {
        let addressees = Escalation.addressees(leads: [F.ann.mention, F.manager.mention], managers: [F.manager.mention])
        #expect(addressees == [F.ann.mention, F.manager.mention])
        let effects = Escalation.effects(
            .leads, incident: F.awaitingClaim, department: F.dispatch, addressees: addressees,
            directMessageUsers: [F.ann.id], groupTitle: "Fleet", now: F.at(minutes: 31))
        #expect(htmls(effects) == ["Escalation: <b>#0001</b> has waited 30 min for a claim by <b>Dispatch</b>: @dispatch_ann, @max_boss"])
        #expect(directs(effects).isEmpty, "the group step sends no personal message")
        #expect(effects.last == .appendTimeline(TimelineEntry(
            kind: .nudged, at: F.at(minutes: 31), actorID: nil,
            detail: TimelineDetail(departmentID: F.dispatch.id, reminder: .escalated))))
    }

    @Test("direct: a personal message to each addressee who takes them; the step is recorded even when nobody does")
    func directStep() {
        let addressees = [F.ann.mention, F.manager.mention, Mention.handle(Handle("pending_lead")!)]
        let effects = Escalation.effects(
            .direct, incident: F.awaitingClaim, department: F.dispatch, addressees: addressees,
            directMessageUsers: [F.manager.id], groupTitle: "Fleet <1>", now: F.at(minutes: 46))
        let direct = directs(effects)
        #expect(direct.map(\.userID) == [F.manager.id])
        #expect(direct.first?.html.hasPrefix("Escalation: <b>#0001</b> in <b>Fleet &lt;1&gt;</b> has waited 45 min") == true)
        #expect(htmls(effects).isEmpty)
        let none = Escalation.effects(
            .direct, incident: F.awaitingClaim, department: F.dispatch, addressees: addressees,
            directMessageUsers: [], groupTitle: nil, now: F.at(minutes: 46))
        #expect(none == [.appendTimeline(TimelineEntry(
            kind: .nudged, at: F.at(minutes: 46), actorID: nil,
            detail: TimelineDetail(departmentID: F.dispatch.id, reminder: .escalatedDirect)))])
    }

    @Test("ladder settings must be positive and at most a year")
    func ladderProblems() {
        #expect(EscalationLadder.standard.problem == nil)
        #expect(EscalationLadder(escalateAfter: 0, directAfter: 60).problem?.contains("escalation_minutes") == true)
        #expect(EscalationLadder(escalateAfter: 60, directAfter: -1).problem?.contains("direct_message_minutes") == true)
        #expect(EscalationLadder(escalateAfter: .nan, directAfter: 60).problem != nil)
        #expect(EscalationLadder(escalateAfter: 60, directAfter: 60, reminderEvery: 0).problem?.contains("reminder_minutes") == true)
        #expect(EscalationLadder(escalateAfter: 60, directAfter: 60, reminderEvery: 30).problem == nil)
    }

    @Test("/start in private registers; /notify on|off in private changes it; in a group nothing changes", arguments: [
        ("on", ChatDecisions.NotifyRequest.on), (" OFF ", .off), ("", .show), ("maybe", .show),
    ])
    func notifyParsing(argument: String, expected: ChatDecisions.NotifyRequest) {
        #expect(ChatDecisions.notifyRequest(argument) == expected)
    }

    @Test("/start and /notify decisions")
    func startAndNotify() {
        let privateChat = ChatRef(id: 3, kind: .private)
        #expect(ChatDecisions.start(in: privateChat, command: 1).register)
        let inGroup = ChatDecisions.start(in: F.chat, command: 1)
        #expect(!inGroup.register && inGroup.effects == ChatDecisions.help(replyingTo: 1))
        #expect(ChatDecisions.notify(.off, in: privateChat, enabled: true, command: 2).enabled == false)
        #expect(ChatDecisions.notify(.on, in: privateChat, enabled: false, command: 2).enabled == true)
        let show = ChatDecisions.notify(.show, in: privateChat, enabled: true, command: 2)
        #expect(show.enabled == nil && htmls(show.effects).first?.contains("Personal messages are on now") == true)
        #expect(ChatDecisions.notify(.off, in: F.chat, enabled: true, command: 2).enabled == nil, "not in a group")
    }

    @Test("a shift start pings its person with the waiting incidents; nothing when none wait")
    func shiftStart() {
        let effects = ShiftDecisions.shiftStarted(F.carol.mention, department: F.dispatch, waiting: [1, 3])
        #expect(htmls(effects) == ["@carol, your <b>Dispatch</b> shift has started: <b>#0001</b>, <b>#0003</b> still wait for a claim."])
        #expect(ShiftDecisions.shiftStarted(F.carol.mention, department: F.dispatch, waiting: []).isEmpty)
    }
}
