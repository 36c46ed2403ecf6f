import Foundation
import IncidentCore
import Storage
import Testing

/// Bad input gets a refusal (an answer in the outbox) and writes nothing else.
@Suite struct StoreBadInputTests {
    typealias F = StoreFixture

    struct BadPress: Sendable, CustomTestStringConvertible {
        var name: String
        var refusal: Refusal
        var testDescription: String { name }
    }

    @Test(arguments: [
        BadPress(name: "unknown incident", refusal: .unknownIncident),
        BadPress(name: "unknown department", refusal: .unknownDepartment),
        BadPress(name: "department of another company", refusal: .unknownDepartment),
        BadPress(name: "incident of another group", refusal: .incidentOfAnotherChat),
        BadPress(name: "garbled data", refusal: .unrecognisedButton),
        BadPress(name: "forged data for a button not on the card", refusal: .notAvailable(1, .awaitingDepartment)),
        BadPress(name: "stale card", refusal: .staleCard),
    ])
    func badPressIsRefusedAndChangesNothing(_ bad: BadPress) async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let id = try #require(try await fixture.newIssue(1).incidentID)
        // Another company with a department; another active group of the same company.
        let other = try await fixture.store.createCompany(name: "Other Co", now: F.t0)
        let foreign = try await fixture.store.createDepartment(company: other.id, name: "Foreign", now: F.t0)
        try await fixture.store.activateGroup(chat: F.otherChat.id, company: fixture.company.id, managers: [], now: F.t0)
        try await fixture.deliverAll()
        let before = try await fixture.snapshot()
        let version = try #require(try await fixture.store.incident(id)).cardVersion

        let (data, chat): (String, ChatRef) = switch bad.name {
        case "unknown incident": (CallbackData(incidentID: 999, cardVersion: 1, action: .claim).encoded, F.chat)
        case "unknown department": (CallbackData(incidentID: id, cardVersion: version, action: .chooseDepartment(999)).encoded, F.chat)
        case "department of another company":
            (CallbackData(incidentID: id, cardVersion: version, action: .chooseDepartment(foreign.id)).encoded, F.chat)
        case "incident of another group":
            (CallbackData(incidentID: id, cardVersion: version, action: .chooseDepartment(fixture.dispatch.id)).encoded, F.otherChat)
        case "garbled data": ("c:1:1:'; DROP TABLE incidents; --", F.chat)
        case "forged data for a button not on the card": (CallbackData(incidentID: id, cardVersion: version, action: .resolve).encoded, F.chat)
        default: (CallbackData(incidentID: id, cardVersion: version - 1, action: .chooseDepartment(fixture.dispatch.id)).encoded, F.chat)
        }
        let result = try await fixture.store.apply(
            updateID: 2, chat: chat, sender: F.manager, event: .press(query: "bad", data: data), now: F.at(minutes: 1))
        #expect(result.outcome == .refused(bad.refusal))
        #expect(try await fixture.snapshot() == before)
        // The press is answered, with the reason, as an alert.
        let items = try await fixture.store.claimOutbox(now: F.at(minutes: 1))
        #expect(items.count == 1)
        #expect(items.first?.effect == .answerPress(PressAnswer(query: "bad", text: bad.refusal.message, showAlert: true)))
        // The same update again is a duplicate: no second answer.
        #expect(try await fixture.store.apply(
            updateID: 2, chat: chat, sender: F.manager, event: .press(query: "bad", data: data), now: F.at(minutes: 1)
        ).outcome == .duplicate)
        #expect(try await fixture.store.claimOutbox(now: F.at(minutes: 1)).isEmpty)
    }

    @Test func descriptionOverTelegramsLimitCreatesNothing() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let result = try await fixture.newIssue(1, text: String(repeating: "x", count: 4097))
        #expect(result.outcome == .refused(.descriptionTooLong(limit: 4096)))
        #expect(try await fixture.store.incidents().isEmpty)
        // The number was not used up.
        #expect(try await fixture.newIssue(2).outcome == .applied)
        #expect(try await fixture.store.incidents().map(\.number) == [1])
    }

    @Test func notAReplyIsExplained() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let result = try await fixture.store.apply(
            updateID: 1, chat: F.chat, sender: F.driver, event: .newIssue(command: 5, reported: nil), now: F.t0)
        #expect(result.outcome == .refused(.notAReply))
        let item = try #require(try await fixture.store.claimOutbox(now: F.t0).first)
        guard case .sendMessage(let message) = item.effect else { throw Failure("no answer") }
        #expect(message.replyTo == .message(5))
        #expect(message.html == "Describe the problem in a message, then reply /new_issue to it (or send /new_issue within a few minutes of writing it).")
        #expect(try await fixture.store.incidents().isEmpty)
    }

    @Test func companyWithoutDepartmentsIsExplained() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let empty = try await fixture.store.createCompany(name: "Empty", now: F.t0)
        try await fixture.store.activateGroup(chat: F.otherChat.id, company: empty.id, managers: [F.manager.id], now: F.t0)
        #expect(try await fixture.newIssue(1, by: F.manager, chat: F.otherChat).outcome == .refused(.noDepartments))
    }
}

@Suite struct StoreAdminTests {
    typealias F = StoreFixture

    @Test func adminErrorsAreTypedAndWriteNothing() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let store = fixture.store
        await #expect(throws: StoreError(.duplicate, "a company named acme exists")) {
            try await store.createCompany(name: "acme", now: F.t0)
        }
        await #expect(throws: StoreError(.invalidInput, "a company name has 1 to 200 characters")) {
            try await store.createCompany(name: "  ", now: F.t0)
        }
        await #expect(throws: StoreError(.notFound, "company 999")) {
            try await store.createDepartment(company: 999, name: "X", now: F.t0)
        }
        await #expect(throws: StoreError(.duplicate, "company 1 has a department named DISPATCH")) {
            try await store.createDepartment(company: fixture.company.id, name: "DISPATCH", now: F.t0)
        }
        await #expect(throws: StoreError(.notFound, "department 999")) {
            try await store.addMember(.user(3), to: 999, now: F.t0)
        }
        await #expect(throws: StoreError(.duplicate, "user 3 is already a member of department \(fixture.dispatch.id)")) {
            try await store.addMember(.user(3), to: fixture.dispatch.id, now: F.t0)
        }
        await #expect(throws: StoreError(.notFound, "no such member of department \(fixture.dispatch.id)")) {
            try await store.removeMember(.user(12345), from: fixture.dispatch.id)
        }
        await #expect(throws: StoreError(.notFound, "company 999")) {
            try await store.activateGroup(chat: -5, company: 999, managers: nil, now: F.t0)
        }
        #expect(try await store.companies().map(\.name) == ["Acme"])
        #expect(try await store.departments(company: fixture.company.id).map(\.name) == ["Dispatch", "Maintenance", "Safety"])
        #expect(try await store.group(chat: -5) == nil)
    }

    @Test func membersByHandleAreBoundWhenSeen() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let store = fixture.store
        #expect(try await store.members(of: fixture.dispatch.id).map(\.member) == [.user(3), .user(4), .handle(Handle("carol")!)])
        // Carol appears (with her handle in another case): bound to her id.
        try await store.recordUserSeen(F.carol, now: F.t0)
        let members = try await store.members(of: fixture.dispatch.id)
        #expect(members.map(\.member) == [.user(3), .user(4), .user(5)])
        #expect(members.last?.person?.firstName == "Carol")
        // Removing by handle works for a bound member; adding a seen handle binds at once.
        try await store.removeMember(.handle(Handle("@CAROL")!), from: fixture.dispatch.id)
        #expect(try await store.members(of: fixture.dispatch.id).map(\.member) == [.user(3), .user(4)])
        let added = try await store.addMember(.handle(Handle("carol")!), to: fixture.maintenance.id, now: F.t0)
        #expect(added.member == .user(5))
        // A pending handle that matches a user already a member by id leaves one membership.
        try await store.addMember(.handle(Handle("later")!), to: fixture.dispatch.id, now: F.t0)
        try await store.addMember(.user(77), to: fixture.dispatch.id, now: F.t0)
        try await store.recordUserSeen(Person(id: 77, handle: Handle("later"), firstName: "Later"), now: F.t0)
        #expect(try await store.members(of: fixture.dispatch.id).map(\.member) == [.user(3), .user(4), .user(77)])
    }

    @Test func activationReplacesManagers() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let group = try await fixture.store.activateGroup(chat: F.chat.id, company: fixture.company.id, managers: [8, 9], now: F.t0)
        #expect(group.managerIDs == [8, 9])
        let kept = try await fixture.store.activateGroup(chat: F.chat.id, company: fixture.company.id, managers: nil, now: F.t0)
        #expect(kept.managerIDs == [8, 9])
        #expect(kept.status == .active)
    }
}
