import Dashboard
import Foundation
import Hummingbird
import IncidentCore
import IncidentShifts
import Storage
import Testing

/// The Shifts page's forms: shifts, leads, the escalation ladder and the time zone are
/// written through the store's operations; bad input is explained on the page and writes
/// nothing, for either company.
@Suite struct DashboardShiftFormTests {
    /// Tuesday 4 March 2025, 03:00 UTC: inside the fixture's Monday 22:00-06:00 shift in UTC,
    /// outside it in Asia/Tashkent (08:00 there).
    static let tuesdayNight = Date(timeIntervalSince1970: 1_741_057_200)

    static func shift(_ day: ShiftDay, _ start: String, _ end: String) -> WeeklyShift {
        WeeklyShift(day: day, start: TimeOfDay(start)!, end: TimeOfDay(end)!)
    }

    @Test func theWeekIsListedByDepartmentWithOvernightShiftsAndWhoIsOnShift() async throws {
        let fixture = try await DashboardFixture()
        defer { fixture.remove() }
        let a = fixture.a
        try await fixture.withBrowser(now: { Self.tuesdayNight }) { browser in
            try await browser.login(fixture.keyA)
            let page = try await browser.get("/dashboard/shifts")
            #expect(page.status == .ok)
            #expect(page.html.contains(#"<a href="/dashboard/shifts" class="current">Shifts</a>"#))
            let table = try #require(page.html.components(separatedBy: "id=\"shifts-\(a.secret.id.rawValue)\"").dropFirst().first)
            let row = try #require(table.components(separatedBy: "data-shift-id=\"\(a.shift.id)\"").dropFirst().first?
                .components(separatedBy: "</tr>").first)
            #expect(row.contains("Group-acmesecret"))
            #expect(row.contains("Memberacmesecret (@member_acmesecret)"))
            #expect(row.contains("Monday"))
            #expect(row.contains("22:00–06:00 (+1 day)"))
            #expect(row.contains("on shift now"))
            #expect(page.html.contains("No shifts: all its members are called, in every group."))
            #expect(page.text(id: "time-zone") == "UTC")
            #expect(!page.html.contains("boltsecret"))

            // In Tashkent it is 08:00 on Tuesday: the Monday night shift is over.
            let saved = try await browser.post("/dashboard/shifts/timezone", ["timezone": "Asia/Tashkent"], from: page)
            #expect(saved.location == "/dashboard/shifts?done=timezone")
            let later = try await browser.get(saved.location!)
            #expect(later.text(id: "notice") == "Time zone saved. Shifts and reports are read in it.")
            #expect(later.text(id: "time-zone") == "Asia/Tashkent")
            #expect(!later.html.contains("on shift now"))
            #expect(try await fixture.store.kpiSettings(company: a.company.id).timeZoneID == "Asia/Tashkent")
        }
    }

    @Test func shiftsAreAddedChangedAndDeleted() async throws {
        let fixture = try await DashboardFixture()
        defer { fixture.remove() }
        let a = fixture.a
        let store = fixture.store
        try await fixture.withBrowser { browser in
            try await browser.login(fixture.keyA)
            let page = try await browser.get("/dashboard/shifts")
            // Two days at once, the person named by @handle.
            let created = try await browser.post("/dashboard/shifts", [
                "department": String(a.dispatch.id.rawValue), "chat": String(a.chat.id.rawValue), "member": "@Member_AcmeSecret",
                "day_wednesday": "1", "day_monday": "1", "start": "09:00", "end": "17:30",
            ], from: page)
            #expect(created.status == .seeOther)
            #expect(created.location == "/dashboard/shifts?done=created-several")
            let added = try await store.shifts(company: a.company.id, department: a.dispatch.id)
            #expect(added.map(\.shift) == [Self.shift(.monday, "09:00", "17:30"), Self.shift(.wednesday, "09:00", "17:30")])
            #expect(added.allSatisfy { $0.userID == a.member.id && $0.chatID == a.chat.id })
            let list = try await browser.get(created.location!)
            #expect(list.text(id: "notice") == "Shifts added, one per day.")
            #expect(list.html.contains("09:00–17:30</td>") || list.html.contains("09:00–17:30 <"))
            #expect(!list.html.contains("09:00–17:30 (+1 day)"))

            // One day, by user id.
            let one = try await browser.post("/dashboard/shifts", [
                "department": String(a.dispatch.id.rawValue), "chat": String(a.chat.id.rawValue),
                "member": String(a.member.id.rawValue), "day_sunday": "1", "start": "18:00", "end": "00:00",
            ], from: page)
            #expect(one.location == "/dashboard/shifts?done=created")
            #expect(try await store.shifts(company: a.company.id, department: a.dispatch.id).count == 3)

            // The edit page shows the shift as stored; saving replaces it.
            let id = added[0].id
            let edit = try await browser.get("/dashboard/shifts/\(id)")
            #expect(edit.status == .ok)
            #expect(edit.text(id: "shift-summary") == "Dispatch in Group-acmesecret: Monday 09:00–17:30.")
            #expect(edit.html.contains(#"<option value="monday" selected>"#))
            #expect(edit.html.contains(#"value="\#(a.member.id.rawValue)""#))
            let updated = try await browser.post("/dashboard/shifts/\(id)/update", [
                "department": String(a.secret.id.rawValue), "chat": String(a.chat.id.rawValue),
                "member": String(a.member.id.rawValue), "day": "friday", "start": "22:30", "end": "06:30",
            ], from: edit)
            #expect(updated.location == "/dashboard/shifts?done=updated")
            let changed = try #require(try await store.shifts(company: a.company.id).first { $0.id == id })
            #expect(changed.departmentID == a.secret.id)
            #expect(changed.shift == Self.shift(.friday, "22:30", "06:30"))
            let after = try await browser.get("/dashboard/shifts/\(id)")
            #expect(after.text(id: "shift-summary") == "Dept-acmesecret in Group-acmesecret: Friday 22:30–06:30 (+1 day).")

            let deleted = try await browser.post("/dashboard/shifts/\(id)/delete", [:], from: after)
            #expect(deleted.location == "/dashboard/shifts?done=deleted")
            #expect(try await store.shifts(company: a.company.id).contains { $0.id == id } == false)
            #expect(try await browser.get("/dashboard/shifts/\(id)").status == .notFound)
            // Company B was not touched.
            #expect(try await store.shifts(company: fixture.b.company.id) == [fixture.b.shift])
        }
    }

    @Test func leadsAreMarkedAndUnmarked() async throws {
        let fixture = try await DashboardFixture()
        defer { fixture.remove() }
        let a = fixture.a
        try await fixture.withBrowser { browser in
            try await browser.login(fixture.keyA)
            let page = try await browser.get("/dashboard/shifts")
            #expect(page.html.contains("id=\"leads-\(a.dispatch.id.rawValue)\""))
            let marked = try await browser.post("/dashboard/shifts/leads", [
                "department": String(a.dispatch.id.rawValue), "member": String(a.member.id.rawValue), "lead": "1",
            ], from: page)
            #expect(marked.location == "/dashboard/shifts?done=lead-marked")
            #expect(try await fixture.store.leads(of: a.dispatch.id) == [a.member.id])
            #expect(try await fixture.store.leads(of: a.secret.id) == [])
            let shown = try await browser.get("/dashboard/shifts")
            let row = try #require(shown.html.components(separatedBy: "id=\"leads-\(a.dispatch.id.rawValue)\"").dropFirst().first?
                .components(separatedBy: "</tr>").dropFirst().first)
            #expect(row.contains("<td>yes</td>"))
            #expect(row.contains("No longer a lead"))

            let unmarked = try await browser.post("/dashboard/shifts/leads", [
                "department": String(a.dispatch.id.rawValue), "member": "@member_acmesecret", "lead": "0",
            ], from: shown)
            #expect(unmarked.location == "/dashboard/shifts?done=lead-unmarked")
            #expect(try await fixture.store.leads(of: a.dispatch.id) == [])
        }
    }

    @Test func theEscalationLadderIsSaved() async throws {
        let fixture = try await DashboardFixture()
        defer { fixture.remove() }
        let a = fixture.a
        try await fixture.withBrowser { browser in
            try await browser.login(fixture.keyA)
            let page = try await browser.get("/dashboard/shifts")
            // The installation's defaults: the fixture's 10 minute reminder, 30 and 15 minutes.
            #expect(page.text(id: "reminder") == "every 10 min (the installation's) while an incident waits for a claim")
            #expect(page.text(id: "escalation") == "mentioned after 30 min without a claim")
            let saved = try await browser.post("/dashboard/shifts/escalation", [
                "reminder_minutes": "2.5", "escalation_minutes": "20", "direct_message_minutes": "5",
            ], from: page)
            #expect(saved.location == "/dashboard/shifts?done=escalation")
            #expect(try await fixture.store.escalationLadder(company: a.company.id, ownReminder: true)
                == EscalationLadder(escalateAfter: 1200, directAfter: 300, reminderEvery: 150))
            let shown = try await browser.get(saved.location!)
            #expect(shown.text(id: "reminder") == "every 2.5 min while an incident waits for a claim")
            #expect(shown.text(id: "direct") == "to them 5 min after that")

            // A blank reminder goes back to the installation's.
            _ = try await browser.post("/dashboard/shifts/escalation", [
                "reminder_minutes": "", "escalation_minutes": "45", "direct_message_minutes": "10",
            ], from: shown)
            #expect(try await fixture.store.escalationLadder(company: a.company.id, ownReminder: true)
                == EscalationLadder(escalateAfter: 2700, directAfter: 600, reminderEvery: nil))
            #expect(try await fixture.store.escalationLadder(company: fixture.b.company.id, ownReminder: true) == .standard)
        }
    }

    @Test func badInputOnTheShiftsFormsIsExplainedAndWritesNothing() async throws {
        let fixture = try await DashboardFixture()
        defer { fixture.remove() }
        let a = fixture.a, b = fixture.b
        // Added by @handle and never seen: no user id for a shift or the lead mark yet.
        try await fixture.store.addMember(.handle(Handle("@unseen_person")!), to: a.dispatch.id, now: DashboardFixture.t0)
        let good = [
            "department": String(a.dispatch.id.rawValue), "chat": String(a.chat.id.rawValue),
            "member": String(a.member.id.rawValue), "start": "08:00", "end": "16:00",
        ]
        func with(_ changes: [String: String]) -> [String: String] { good.merging(changes) { $1 } }
        let monday = ["day_monday": "1"]
        let update = "/dashboard/shifts/\(a.shift.id)/update"
        let cases: [(path: String, form: [String: String], message: String)] = [
            ("/dashboard/shifts", with(monday.merging(["department": ""]) { $1 }), "Choose a department."),
            ("/dashboard/shifts", with(monday.merging(["department": "abc"]) { $1 }), "Acme has no department abc."),
            ("/dashboard/shifts", with(monday.merging(["department": String(b.dispatch.id.rawValue)]) { $1 }),
             "Acme has no department \(b.dispatch.id.rawValue)."),
            ("/dashboard/shifts", with(monday.merging(["chat": ""]) { $1 }), "Choose a group."),
            ("/dashboard/shifts", with(monday.merging(["chat": String(b.chat.id.rawValue)]) { $1 }),
             "Acme has no active group \(b.chat.id.rawValue)."),
            ("/dashboard/shifts", with(monday.merging(["chat": String(a.pendingChat.id.rawValue)]) { $1 }),
             "Acme has no active group \(a.pendingChat.id.rawValue)."),
            ("/dashboard/shifts", with(monday.merging(["member": "not a handle!"]) { $1 }), "Name the person by Telegram user id"),
            ("/dashboard/shifts", with(monday.merging(["member": String(a.driver.id.rawValue)]) { $1 }),
             "User \(a.driver.id.rawValue) is not a member of Dispatch"),
            ("/dashboard/shifts", with(monday.merging(["member": String(b.member.id.rawValue)]) { $1 }),
             "User \(b.member.id.rawValue) is not a member of Dispatch"),
            ("/dashboard/shifts", with(monday.merging(["member": "@driver_acmesecret"]) { $1 }), "@driver_acmesecret is not a member of Dispatch"),
            ("/dashboard/shifts", with(monday.merging(["member": "@unseen_person"]) { $1 }), "whom the bot has not seen yet"),
            ("/dashboard/shifts", good, "Choose at least one day."),
            ("/dashboard/shifts", with(monday.merging(["start": "25:00"]) { $1 }), "Start must be a time of day as HH:MM (00:00 to 23:59)"),
            ("/dashboard/shifts", with(monday.merging(["end": "7pm"]) { $1 }), "End must be a time of day as HH:MM (00:00 to 23:59)"),
            ("/dashboard/shifts", with(monday.merging(["end": "08:00"]) { $1 }), "Start and end are both 08:00"),
            // Several days: a bad time refuses all of them, none is written.
            ("/dashboard/shifts", with(["day_monday": "1", "day_tuesday": "1", "start": "8:00"]), "Start must be a time of day"),
            (update, with(["day": "funday"]), "Day must be one of monday, tuesday"),
            (update, with(["day": ""]), "Choose at least one day."),
            (update, with(["day": "monday", "start": "24:00"]), "Start must be a time of day"),
            (update, with(["day": "monday", "department": String(b.secret.id.rawValue)]), "Acme has no department \(b.secret.id.rawValue)."),
            (update, with(["day": "monday", "member": "@unseen_person"]), "whom the bot has not seen yet"),
            ("/dashboard/shifts/leads", ["department": String(a.dispatch.id.rawValue), "member": String(a.member.id.rawValue), "lead": "maybe"],
             "Say whether the person is a lead (1) or not (0)."),
            ("/dashboard/shifts/leads", ["department": String(b.dispatch.id.rawValue), "member": String(b.member.id.rawValue), "lead": "1"],
             "Acme has no department \(b.dispatch.id.rawValue)."),
            ("/dashboard/shifts/leads", ["department": String(a.dispatch.id.rawValue), "member": String(a.driver.id.rawValue), "lead": "1"],
             "User \(a.driver.id.rawValue) is not a member of Dispatch"),
            ("/dashboard/shifts/leads", ["department": String(a.dispatch.id.rawValue), "member": "@unseen_person", "lead": "1"],
             "whom the bot has not seen yet"),
            ("/dashboard/shifts/escalation", ["escalation_minutes": "soon", "direct_message_minutes": "5"],
             "The wait before leads and managers are mentioned must be a number of minutes."),
            ("/dashboard/shifts/escalation", ["escalation_minutes": "0", "direct_message_minutes": "5"],
             "The wait before leads and managers are mentioned must be a number of minutes &gt; 0 and at most a year."),
            ("/dashboard/shifts/escalation", ["escalation_minutes": "nan", "direct_message_minutes": "5"],
             "The wait before leads and managers are mentioned must be a number of minutes &gt; 0"),
            ("/dashboard/shifts/escalation", ["escalation_minutes": "20", "direct_message_minutes": "-5"],
             "The wait before personal messages must be a number of minutes &gt; 0"),
            ("/dashboard/shifts/escalation", ["escalation_minutes": "20", "direct_message_minutes": ""],
             "The wait before personal messages must be a number of minutes."),
            ("/dashboard/shifts/escalation", ["escalation_minutes": "20", "direct_message_minutes": "5", "reminder_minutes": "0"],
             "The group reminder period must be a number of minutes &gt; 0 and at most a year"),
            ("/dashboard/shifts/timezone", ["timezone": "Mars/Olympus"], "is not an IANA time zone name"),
            ("/dashboard/shifts/timezone", ["timezone": "EST"], "is not an IANA time zone name"),
            ("/dashboard/shifts/timezone", ["timezone": " "], "Give a time zone: an IANA name like Europe/Berlin, or UTC."),
        ]
        try await fixture.withBrowser { browser in
            try await browser.login(fixture.keyA)
            for item in cases {
                let before = (try await fixture.snapshot(a), try await fixture.snapshot(b))
                let page = try await browser.post(item.path, item.form)
                #expect(page.status == .badRequest, "\(item.path) \(item.form): \(page.status)")
                #expect(page.html.contains(item.message), "\(item.path) \(item.form): no \"\(item.message)\" in \(page.text(id: "error") ?? String(page.html.prefix(300)))")
                #expect(page.html.contains("id=\"error\""), "\(item.path) \(item.form): no message at the top")
                let after = (try await fixture.snapshot(a), try await fixture.snapshot(b))
                #expect(after.0 == before.0 && after.1 == before.1, "\(item.path) \(item.form) wrote something")
            }
        }
    }

    @Test func anotherCompanysShiftIsNotFoundAndUnchanged() async throws {
        let fixture = try await DashboardFixture()
        defer { fixture.remove() }
        let a = fixture.a, b = fixture.b
        let form = [
            "department": String(a.dispatch.id.rawValue), "chat": String(a.chat.id.rawValue),
            "member": String(a.member.id.rawValue), "day": "friday", "start": "08:00", "end": "16:00",
        ]
        try await fixture.withBrowser { browser in
            try await browser.login(fixture.keyA)
            let before = (try await fixture.snapshot(a), try await fixture.snapshot(b))
            for path in ["/dashboard/shifts/\(b.shift.id)/update", "/dashboard/shifts/\(b.shift.id)/delete", "/dashboard/shifts/999999/delete",
                         "/dashboard/shifts/abc/update"] {
                let page = try await browser.post(path, form)
                #expect(page.status == .notFound, "\(path): \(page.status)")
                #expect(page.html.contains("There is no such shift in Acme."), "\(path)")
                #expect(!page.html.contains("boltsecret"), "\(path)")
            }
            let shown = try await browser.get("/dashboard/shifts/\(b.shift.id)")
            #expect(shown.status == .notFound)
            #expect(!shown.html.contains("boltsecret"))
            let after = (try await fixture.snapshot(a), try await fixture.snapshot(b))
            #expect(after.0 == before.0 && after.1 == before.1)
        }
    }

    @Test func aShiftFormWithoutTheCSRFTokenIsRefused() async throws {
        let fixture = try await DashboardFixture()
        defer { fixture.remove() }
        let a = fixture.a
        let form = [
            "department": String(a.dispatch.id.rawValue), "chat": String(a.chat.id.rawValue),
            "member": String(a.member.id.rawValue), "day_friday": "1", "day": "friday", "start": "08:00", "end": "16:00",
            "lead": "1", "timezone": "Asia/Tashkent", "escalation_minutes": "1", "direct_message_minutes": "1",
        ]
        try await fixture.withBrowser { browser in
            try await browser.login(fixture.keyA)
            let before = try await fixture.snapshot(a)
            for path in ["/dashboard/shifts", "/dashboard/shifts/\(a.shift.id)/update", "/dashboard/shifts/\(a.shift.id)/delete",
                         "/dashboard/shifts/leads", "/dashboard/shifts/escalation", "/dashboard/shifts/timezone"] {
                let page = try await browser.request(.post, path, form: form)
                #expect(page.status == .forbidden, "\(path): \(page.status)")
                #expect(page.html.contains("Form expired"), "\(path)")
            }
            #expect(try await fixture.snapshot(a) == before)
            // The same form with the token is taken: the refusals above were the token's.
            #expect(try await browser.post("/dashboard/shifts/\(a.shift.id)/delete", form).status == .seeOther)
            #expect(try await fixture.snapshot(a) != before)
        }
    }
}
