import Foundation
import IncidentCore
import IncidentShifts
import Storage
import Testing

/// Shifts, escalations and personal messages on a real SQLite file. The fixture's company is
/// on UTC; t0 (2025-03-01 08:00Z) is a Saturday.
@Suite("Store: shifts, escalation, personal messages")
struct StoreShiftTests {
    typealias F = StoreFixture

    func shift(_ day: String, _ start: String, _ end: String) -> WeeklyShift {
        try! WeeklyShift.parse(day: day, start: start, end: end).get()
    }

    func messages(_ items: [OutboxItem]) -> [String] {
        items.compactMap { if case .sendMessage(let message) = $0.effect { message.html } else { nil } }
    }

    func directs(_ items: [OutboxItem]) -> [(chat: ChatID?, html: String)] {
        items.compactMap { if case .sendDirect(let message) = $0.effect { (chat: $0.chatID, html: message.html) } else { nil } }
    }

    @Test("shifts are validated against the company: department, group, member; CRUD by id")
    func crud() async throws {
        let fixture = try await F()
        defer { fixture.remove() }
        let store = fixture.store, company = fixture.company.id
        let night = ShiftInput(departmentID: fixture.dispatch.id, chatID: F.chat.id, userID: F.ann.id, shift: shift("saturday", "22:00", "06:00"))
        let created = try await store.createShift(company: company, night, now: F.t0)
        #expect(created.shift.isOvernight && created.chatID == F.chat.id)

        let other = try await store.createCompany(name: "Other", now: F.t0)
        let otherDepartment = try await store.createDepartment(company: other.id, name: "Theirs", now: F.t0)
        func refusal(_ input: ShiftInput, company: CompanyID) async -> StoreError? {
            do { _ = try await store.createShift(company: company, input, now: F.t0); return nil } catch { return error }
        }
        var wrong = night
        wrong.departmentID = otherDepartment.id
        #expect(await refusal(wrong, company: company)?.code == .invalidInput)
        wrong = night
        wrong.chatID = F.otherChat.id
        let notGroup = await refusal(wrong, company: company)
        #expect(notGroup?.code == .invalidInput && notGroup?.message.contains("is not a group of company") == true)
        wrong = night
        wrong.userID = F.otto.id
        let notMember = await refusal(wrong, company: company)
        #expect(notMember?.code == .invalidInput && notMember?.message.contains("is not a member of department Dispatch") == true)
        #expect(await refusal(night, company: CompanyID(999))?.code == .notFound)
        #expect(try await store.shifts(company: company).map(\.id) == [created.id], "refusals wrote nothing")

        var day = night
        day.shift = shift("monday", "08:00", "16:00")
        day.userID = F.bob.id
        let updated = try await store.updateShift(company: company, id: created.id, day, now: F.t0)
        #expect(updated.userID == F.bob.id)
        #expect(try await store.shifts(company: company, department: fixture.dispatch.id).first?.shift == shift("monday", "08:00", "16:00"))
        #expect(try await store.shifts(company: company, department: fixture.maintenance.id).isEmpty)
        await #expect(throws: StoreError.self) { try await store.updateShift(company: other.id, id: created.id, day, now: F.t0) }
        await #expect(throws: StoreError.self) { try await store.deleteShift(company: other.id, id: created.id) }
        try await store.deleteShift(company: company, id: created.id)
        #expect(try await store.shifts(company: company).isEmpty)
    }

    @Test("leads: only members, by user id")
    func leads() async throws {
        let fixture = try await F()
        defer { fixture.remove() }
        try await fixture.store.setLead(F.ann.id, of: fixture.dispatch.id, lead: true)
        #expect(try await fixture.store.leads(of: fixture.dispatch.id) == [F.ann.id])
        await #expect(throws: StoreError.self) { try await fixture.store.setLead(F.otto.id, of: fixture.dispatch.id, lead: true) }
        try await fixture.store.setLead(F.ann.id, of: fixture.dispatch.id, lead: false)
        #expect(try await fixture.store.leads(of: fixture.dispatch.id).isEmpty)
    }

    @Test("the department call mentions those on shift; nobody on shift: everyone assigned, with the line")
    func callsFollowShifts() async throws {
        let fixture = try await F()
        defer { fixture.remove() }
        let store = fixture.store, company = fixture.company.id
        _ = try await store.createShift(company: company, ShiftInput(
            departmentID: fixture.dispatch.id, chatID: F.chat.id, userID: F.ann.id, shift: shift("saturday", "07:00", "12:00")), now: F.t0)
        _ = try await store.createShift(company: company, ShiftInput(
            departmentID: fixture.dispatch.id, chatID: F.chat.id, userID: F.bob.id, shift: shift("saturday", "20:00", "02:00")), now: F.t0)
        try await fixture.deliverAll()
        _ = try await fixture.incidentAwaitingClaim(1, minutes: 0)  // 08:00: Ann's shift
        let morning = messages(try await fixture.deliverAll())
        #expect(morning.contains { $0.contains("waits for <b>Dispatch</b>: <a href=\"tg://user?id=3\">") && !$0.contains("on shift") })
        #expect(!morning.contains { $0.contains("tg://user?id=4") }, "Bob is off shift")
        _ = try await fixture.incidentAwaitingClaim(3, minutes: 300)  // 13:00: nobody
        let afternoon = messages(try await fixture.deliverAll(minutes: 300))
        let call = try #require(afternoon.first { $0.contains("<b>#0002</b> waits for") })
        #expect(call.contains("tg://user?id=3") && call.contains("tg://user?id=4") && !call.contains("@carol"))
        #expect(call.contains("Nobody in <b>Dispatch</b> is on shift now"))
        _ = try await fixture.incidentAwaitingClaim(5, minutes: 16 * 60 + 30)  // Sunday 00:30: Bob's Saturday night
        let night = messages(try await fixture.deliverAll(minutes: 16 * 60 + 30))
        let nightCall = try #require(night.first { $0.contains("<b>#0003</b> waits for") })
        #expect(nightCall.contains("tg://user?id=4") && !nightCall.contains("tg://user?id=3"))
    }

    @Test("escalation: leads and managers at 30 min, personal messages at 45, each once, also from a second store (a restart)")
    func escalationSteps() async throws {
        let fixture = try await F()
        defer { fixture.remove() }
        let store = fixture.store
        try await store.setLead(F.ann.id, of: fixture.dispatch.id, lead: true)
        // The manager started the bot in private; Ann did not.
        let started = try await store.apply(
            updateID: 90, chat: ChatRef(id: ChatID(F.manager.id.rawValue), kind: .private), sender: F.manager,
            event: .start(command: 1), now: F.t0)
        #expect(started.outcome == .applied)
        let id = try await fixture.incidentAwaitingClaim(1, minutes: 0)
        try await fixture.deliverAll()

        #expect(try await store.applyTick(now: F.at(minutes: 29.9)).escalations.isEmpty)
        let first = try await store.applyTick(now: F.at(minutes: 30))
        #expect(first.escalations == [AppliedEscalation(incidentID: id, step: .leads)])
        let group = messages(try await fixture.deliverAll(minutes: 30))
        #expect(group.contains("Escalation: <b>#0001</b> has waited 30 min for a claim by <b>Dispatch</b>: <a href=\"tg://user?id=3\">user 3</a>, @max_boss"),
                "the lead (never seen: by link) and the manager")
        #expect(try await store.applyTick(now: F.at(minutes: 44)).escalations.isEmpty, "once")

        let restarted = try fixture.secondStore()
        let second = try await restarted.applyTick(now: F.at(minutes: 45))
        #expect(second.escalations == [AppliedEscalation(incidentID: id, step: .direct)])
        let direct = directs(try await fixture.deliverAll(minutes: 45))
        #expect(direct.count == 1 && direct.first?.chat == ChatID(F.manager.id.rawValue))
        #expect(direct.first?.html.contains("Escalation: <b>#0001</b> in <b>Fleet</b>") == true)
        #expect(try await store.applyTick(now: F.at(minutes: 90)).escalations.isEmpty)
        #expect(try await restarted.applyTick(now: F.at(minutes: 90)).escalations.isEmpty)
        let reminders = try await store.timeline(of: id).compactMap { $0.kind == .nudged ? $0.detail.reminder : nil }
        #expect(reminders.filter { $0 == .escalated }.count == 1 && reminders.filter { $0 == .escalatedDirect }.count == 1)
        #expect(reminders.firstIndex(of: .escalated)! < reminders.firstIndex(of: .escalatedDirect)!)
    }

    @Test("a new waiting episode (the last person leaves) climbs the ladder again; a claim stops it")
    func episodes() async throws {
        let fixture = try await F()
        defer { fixture.remove() }
        let store = fixture.store
        let id = try await fixture.incidentAwaitingClaim(1, minutes: 0)
        #expect(try await store.applyTick(now: F.at(minutes: 31)).escalations.map(\.step) == [.leads])
        _ = try await fixture.press(3, .claim, on: id, by: F.ann, minutes: 32)
        #expect(try await store.applyTick(now: F.at(minutes: 60)).escalations.isEmpty, "claimed")
        _ = try await fixture.press(4, .leave, on: id, by: F.ann, minutes: 61)
        #expect(try await store.applyTick(now: F.at(minutes: 90)).escalations.isEmpty)
        #expect(try await store.applyTick(now: F.at(minutes: 200)).escalations.map(\.step) == [.leads, .direct],
                "after downtime both steps, in order")
    }

    @Test("a company's own ladder; a bad one is refused and changes nothing")
    func companyLadder() async throws {
        let fixture = try await F()
        defer { fixture.remove() }
        let store = fixture.store
        #expect(try await store.escalationLadder(company: fixture.company.id, ownReminder: true) == .standard)
        #expect(try await store.escalationLadder(company: fixture.company.id).reminderEvery == 600, "the installation's period")
        _ = try await store.setEscalationLadder(company: fixture.company.id, EscalationLadder(escalateAfter: 300, directAfter: 60), now: F.t0)
        await #expect(throws: StoreError.self) {
            try await store.setEscalationLadder(company: fixture.company.id, EscalationLadder(escalateAfter: 0, directAfter: 60), now: F.t0)
        }
        #expect(try await store.escalationLadder(company: fixture.company.id, ownReminder: true) == EscalationLadder(escalateAfter: 300, directAfter: 60))
        let id = try await fixture.incidentAwaitingClaim(1, minutes: 0)
        #expect(try await store.applyTick(now: F.at(minutes: 5)).escalations == [AppliedEscalation(incidentID: id, step: .leads)])
    }

    @Test("a company's own reminder period: its incidents are reminded on it, another company's on the installation's")
    func companyReminderPeriod() async throws {
        let fixture = try await F()
        defer { fixture.remove() }
        let store = fixture.store
        let other = try await store.createCompany(name: "Other", now: F.t0)
        let theirs = try await store.createDepartment(company: other.id, name: "Yard", now: F.t0)
        try await store.addMember(.user(F.otto.id), to: theirs.id, now: F.t0)
        try await store.activateGroup(chat: F.otherChat.id, company: other.id, managers: [F.manager.id], now: F.t0)
        _ = try await store.setEscalationLadder(
            company: fixture.company.id, EscalationLadder(escalateAfter: 3600, directAfter: 600, reminderEvery: 180), now: F.t0)
        let ours = try await fixture.incidentAwaitingClaim(1, minutes: 0)
        let created = try #require(try await fixture.newIssue(3, by: F.manager, chat: F.otherChat).incidentID)
        _ = try await fixture.press(4, .chooseDepartment(theirs.id), on: created, by: F.manager, chat: F.otherChat)
        #expect(try await store.dueReminders(now: F.at(minutes: 2.9)).isEmpty)
        #expect(try await store.dueReminders(now: F.at(minutes: 3)).map(\.incidentID) == [ours])
        #expect(try await store.applyTick(now: F.at(minutes: 3)).applied.map(\.incidentID) == [ours])
        #expect(try await store.applyTick(now: F.at(minutes: 5.9)).applied.isEmpty)
        #expect(try await store.applyTick(now: F.at(minutes: 6)).applied.map(\.incidentID) == [ours])
        #expect(try await store.applyTick(now: F.at(minutes: 8.9)).applied.isEmpty, "the other company waits 10 minutes")
        #expect(Set(try await store.applyTick(now: F.at(minutes: 10)).applied.map(\.incidentID)) == [ours, created])
        #expect(try await store.timeline(of: ours).filter { $0.detail.reminder == .unclaimed }.count == 3, "3, 6 and 9 minutes")
        #expect(try await store.timeline(of: created).filter { $0.detail.reminder == .unclaimed }.count == 1)
        await #expect(throws: StoreError.self) {
            try await store.setEscalationLadder(
                company: fixture.company.id, EscalationLadder(escalateAfter: 3600, directAfter: 600, reminderEvery: 0), now: F.t0)
        }
    }

    @Test("personal messages: /start registers, /notify off|on, a refusal (blocked) turns them off; assignments are told in private")
    func personalMessages() async throws {
        let fixture = try await F()
        defer { fixture.remove() }
        let store = fixture.store
        let privateChat = ChatRef(id: ChatID(F.ann.id.rawValue), kind: .private)
        func send(_ update: Int64, _ event: InboundUpdate.Event) async throws {
            _ = try await store.apply(updateID: update, chat: privateChat, sender: F.ann, event: event, now: F.t0)
        }
        #expect(try await store.directMessages(user: F.ann.id) == nil)
        try await send(1, .start(command: 1))
        #expect(try await store.directMessages(user: F.ann.id)?.enabled == true)
        try await fixture.deliverAll()
        _ = try await fixture.incidentAwaitingClaim(10, minutes: 1)
        let told = directs(try await fixture.deliverAll(minutes: 1))
        #expect(told.count == 1 && told.first?.chat == privateChat.id)
        #expect(told.first?.html.contains("<b>#0001</b> in <b>Fleet</b> waits for <b>Dispatch</b>") == true)

        try await send(2, .notify(command: 2, argument: "off"))
        #expect(try await store.directMessages(user: F.ann.id)?.enabled == false)
        try await send(3, .notify(command: 3, argument: "sometimes"))
        #expect(try await store.directMessages(user: F.ann.id)?.enabled == false, "usage answer, nothing changed")
        try await send(4, .notify(command: 4, argument: "on"))
        #expect(try await store.directMessages(user: F.ann.id)?.enabled == true)
        // /notify in a group changes nothing.
        _ = try await store.apply(updateID: 5, chat: F.chat, sender: F.ann, event: .notify(command: 5, argument: "off"), now: F.t0)
        #expect(try await store.directMessages(user: F.ann.id)?.enabled == true)

        try await store.directMessagesRefused(user: F.ann.id, now: F.t0)
        let off = try await store.directMessages(user: F.ann.id)
        #expect(off?.enabled == false && off?.offReason == "blocked")
        try await fixture.deliverAll(minutes: 1)
        _ = try await fixture.incidentAwaitingClaim(20, minutes: 2)
        #expect(directs(try await fixture.deliverAll(minutes: 2)).isEmpty, "blocked: no more personal messages")
        // Someone never registered stays unregistered.
        try await store.directMessagesRefused(user: F.bob.id, now: F.t0)
        #expect(try await store.directMessages(user: F.bob.id) == nil)
    }

    @Test("a shift start pings its person once about their waiting incidents")
    func shiftStartPing() async throws {
        let fixture = try await F()
        defer { fixture.remove() }
        let store = fixture.store
        let bobNight = try await store.createShift(company: fixture.company.id, ShiftInput(
            departmentID: fixture.dispatch.id, chatID: F.chat.id, userID: F.bob.id, shift: shift("saturday", "20:00", "02:00")), now: F.t0)
        _ = try await store.createShift(company: fixture.company.id, ShiftInput(
            departmentID: fixture.maintenance.id, chatID: F.chat.id, userID: F.otto.id, shift: shift("saturday", "20:00", "23:00")), now: F.t0)
        let first = try await fixture.incidentAwaitingClaim(1, minutes: 0)
        _ = try await fixture.incidentAwaitingClaim(3, minutes: 1)
        try await fixture.deliverAll(minutes: 1)
        #expect(try await store.applyTick(now: F.at(minutes: 11 * 60 + 59)).shiftStarts.isEmpty, "19:59: not yet")
        let tick = try await store.applyTick(now: F.at(minutes: 12 * 60 + 1))
        let bob = try #require(tick.shiftStarts.first { $0.shiftID == bobNight.id })
        #expect(Set(bob.waiting) == [first, IncidentID(first.rawValue + 1)])
        #expect(tick.shiftStarts.first { $0.shiftID != bobNight.id }?.waiting == [], "Otto's department has nothing waiting")
        let pings = messages(try await fixture.deliverAll(minutes: 12 * 60 + 1)).filter { $0.contains("shift has started") }
        #expect(pings.count == 1)
        #expect(pings.first?.hasPrefix("<a href=\"tg://user?id=4\">") == true)
        #expect(pings.first?.hasSuffix(", your <b>Dispatch</b> shift has started: <b>#0001</b>, <b>#0002</b> still wait for a claim.") == true)
        #expect(try await store.applyTick(now: F.at(minutes: 12 * 60 + 30)).shiftStarts.isEmpty, "once per shift")
        #expect(try await fixture.secondStore().applyTick(now: F.at(minutes: 13 * 60)).shiftStarts.isEmpty, "once, also after a restart")
    }
}
