import Dashboard
import Foundation
import Hummingbird
import IncidentCore
import Storage
import Testing

/// Every form: what it writes through the store, and for bad input a message on the page,
/// status 400 and nothing written.
@Suite struct DashboardFormTests {
    @Test func badInputOnEveryFormIsExplainedAndWritesNothing() async throws {
        let fixture = try await DashboardFixture()
        defer { fixture.remove() }
        let a = fixture.a
        let dispatch = "/dashboard/departments/\(a.dispatch.id.rawValue)"
        let cases: [(path: String, form: [String: String], message: String)] = [
            ("/dashboard/departments", ["name": "   "], "Give the department a name."),
            ("/dashboard/departments", ["name": "dispatch"], "has a department named dispatch"),
            ("/dashboard/departments", ["name": String(repeating: "x", count: 65)], "A department name has 1 to 64 characters."),
            ("/dashboard/departments", ["name": "Bad\u{7}name"], "A department name may not contain control characters."),
            (dispatch + "/members", ["member": "not a handle!"], "Name the member by Telegram user id (a positive number) or @handle"),
            (dispatch + "/members", ["member": "-5"], "Name the member by Telegram user id"),
            (dispatch + "/members", ["member": ""], "Name the member by Telegram user id"),
            (dispatch + "/members", ["member": String(a.member.id.rawValue)], "is already a member"),
            (dispatch + "/members/remove", ["member": "@nobody_here"], "No such member"),
            (dispatch + "/members/remove", ["member": "x y"], "Name the member by Telegram user id or @handle."),
            (dispatch + "/rename", ["name": ""], "Give the department a name."),
            (dispatch + "/rename", ["name": "Dept-acmesecret"], "has a department named Dept-acmesecret"),
            (dispatch + "/restrict", ["restricted": "maybe"], "Say whether the department is restricted (1) or open (0)."),
            ("/dashboard/departments/\(a.secret.id.rawValue)/delete", [:], "open incident"),
            ("/dashboard/company", ["company_id": "abc"], "A company key shows its own company only."),
        ]
        try await fixture.withBrowser { browser in
            try await browser.login(fixture.keyA)
            for item in cases {
                let before = try await fixture.snapshot(a)
                let page = try await browser.post(item.path, item.form)
                #expect(page.status == .badRequest || (item.path == "/dashboard/company" && page.status == .forbidden), "\(item.path) \(item.form): \(page.status)")
                #expect(page.html.contains(item.message), "\(item.path) \(item.form): no \"\(item.message)\" in \(page.text(id: "error") ?? page.html.prefix(300).description)")
                #expect(try await fixture.snapshot(a) == before, "\(item.path) \(item.form) wrote something")
            }
        }
    }

    @Test func departmentsAreCreatedRenamedRestrictedAndDeletedWithHistoryKept() async throws {
        let fixture = try await DashboardFixture()
        defer { fixture.remove() }
        let a = fixture.a
        try await fixture.withBrowser { browser in
            try await browser.login(fixture.keyA)
            let created = try await browser.post("/dashboard/departments", ["name": "Night Desk", "restricted": "1"])
            #expect(created.status == .seeOther)
            let department = try #require(try await fixture.store.departments(company: a.company.id).first { $0.name == "Night Desk" })
            #expect(department.restricted)
            #expect(created.location == "/dashboard/departments/\(department.id.rawValue)?done=created")
            #expect(try await browser.get(created.location!).text(id: "notice") == "Department created.")
            let path = "/dashboard/departments/\(department.id.rawValue)"

            #expect(try await browser.post(path + "/members", ["member": "@new_person"]).status == .seeOther)
            #expect(try await browser.post(path + "/members", ["member": String(a.driver.id.rawValue)]).status == .seeOther)
            let members = try await fixture.store.members(of: department.id).map(\.member)
            #expect(members == [.handle(Handle("@new_person")!), .user(a.driver.id)])
            #expect(try await browser.post(path + "/members/remove", ["member": "@new_person"]).status == .seeOther)
            #expect(try await fixture.store.members(of: department.id).map(\.member) == [.user(a.driver.id)])

            #expect(try await browser.post(path + "/rename", ["name": "Night Ops"]).status == .seeOther)
            #expect(try await fixture.store.department(department.id)?.name == "Night Ops")
            #expect(try await browser.post(path + "/restrict", ["restricted": "0"]).status == .seeOther)
            #expect(try await fixture.store.department(department.id)?.restricted == false)

            // Deleting keeps what happened: the incident sent to a department keeps its name.
            let secret = "/dashboard/departments/\(a.secret.id.rawValue)"
            #expect(try await browser.post(path + "/delete", [:]).location == "/dashboard/departments?done=deleted")
            #expect(try await fixture.store.departments(company: a.company.id).contains { $0.id == department.id } == false)
            #expect(try await browser.get(path).status == .notFound)
            let list = try await browser.get("/dashboard/departments?done=deleted")
            #expect(list.text(id: "notice") == "Department deleted. Its incidents and reports keep its name.")
            #expect(!list.html.contains("Night Ops"))
            #expect(try await browser.get(secret).status == .ok)
        }
    }

    @Test func pendingGroupsAreApprovedOrDeniedAndTheGroupIsTold() async throws {
        let fixture = try await DashboardFixture()
        defer { fixture.remove() }
        let a = fixture.a
        // Another pending group the member added, to deny.
        let other = ChatRef(id: ChatID(-1_001_000_000_150), kind: .supergroup, title: "Yard")
        _ = try await fixture.store.apply(
            updateID: 55_555, chat: other, sender: a.member, event: .botMember(canPinMessages: true), now: DashboardFixture.t0)
        try await fixture.withBrowser { browser in
            try await browser.login(fixture.keyA)
            let page = try await browser.get("/dashboard/groups")
            #expect(page.html.contains("Pending-acmesecret"))
            #expect(page.html.contains("/dashboard/groups/\(a.pendingChat.id.rawValue)/approve"))
            // Company B does not even see A's pending group.
            // (What was waiting, the greetings among it, is taken out first.)
            _ = try await fixture.store.claimOutbox(limit: 100, now: DashboardFixture.t0.addingTimeInterval(3600)).count
            let approved = try await browser.post("/dashboard/groups/\(a.pendingChat.id.rawValue)/approve", [:], from: page)
            #expect(approved.location == "/dashboard/groups?done=approved")
            let group = try await fixture.store.groupInfo(chat: a.pendingChat.id)
            #expect(group?.status == .active && group?.companyID == a.company.id)
            let denied = try await browser.post("/dashboard/groups/\(other.id.rawValue)/deny", [:], from: page)
            #expect(denied.location == "/dashboard/groups?done=denied")
            #expect(try await fixture.store.groupInfo(chat: other.id)?.deniedAt != nil)
            // Both groups were told, through the outbox.
            let told = try await fixture.store.claimOutbox(limit: 100, now: DashboardFixture.t0.addingTimeInterval(3600))
            #expect(told.contains { $0.chatID == a.pendingChat.id })
            #expect(told.contains { $0.chatID == other.id })
            // Approving again: the group is not pending any more; a clear message, nothing changes.
            let again = try await browser.post("/dashboard/groups/\(a.pendingChat.id.rawValue)/approve", [:], from: page)
            #expect(again.status == .badRequest)
            #expect(again.html.contains("not pending"))
            let after = try await browser.get("/dashboard/groups?done=approved")
            #expect(after.text(id: "notice") == "Group approved: the bot told the group it is active.")

            // An activation code, shown once.
            let coded = try await browser.post("/dashboard/groups/activation-code", [:], from: after)
            let code = try #require(coded.text(id: "activation-code"))
            #expect(code.count == 11 && code.contains("-"))
            #expect(try await fixture.store.activationCodes(companyID: a.company.id.rawValue).count == 1)
            #expect(!(try await browser.get("/dashboard/groups").html.contains(code)))
        }
    }
}
