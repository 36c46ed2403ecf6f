import Foundation
import IncidentCore
import IncidentKPI
import Storage
import Testing

/// What the dashboard writes and lists: departments renamed, restricted and deleted with their
/// history kept; groups by status and who may see a pending one; approve and deny; people;
/// `/activate CODE`.
@Suite struct StoreDashboardTests {
    typealias F = StoreFixture
    static let newChat = ChatRef(id: -1_001_000_000_077, kind: .supergroup, title: "Night shift")

    func messages(_ items: [OutboxItem], to chat: ChatRef) -> [OutgoingMessage] {
        items.compactMap { item in
            guard item.chatID == chat.id, case .sendMessage(let message) = item.effect else { return nil }
            return message
        }
    }

    // MARK: Departments

    @Test func renameAndRestrict() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let renamed = try await fixture.store.renameDepartment(fixture.dispatch.id, to: "  Dispatch desk ")
        #expect(renamed.name == "Dispatch desk")
        #expect(try await fixture.store.department(fixture.dispatch.id)?.name == "Dispatch desk")
        let duplicate = await #expect(throws: StoreError.self) {
            try await fixture.store.renameDepartment(fixture.dispatch.id, to: "maintenance")
        }
        #expect(duplicate?.code == .duplicate)
        await #expect(throws: StoreError.self) { try await fixture.store.renameDepartment(fixture.dispatch.id, to: " ") }
        // Renaming to itself in another case is allowed.
        #expect(try await fixture.store.renameDepartment(fixture.dispatch.id, to: "DISPATCH DESK").name == "DISPATCH DESK")
        #expect(try await fixture.store.setDepartmentRestricted(fixture.maintenance.id, true).restricted)
        #expect(try await fixture.store.department(fixture.maintenance.id)?.restricted == true)
        #expect(try await fixture.store.setDepartmentRestricted(fixture.maintenance.id, false).restricted == false)
        let missing = await #expect(throws: StoreError.self) { try await fixture.store.setDepartmentRestricted(999, true) }
        #expect(missing?.code == .notFound)
    }

    @Test func deletionKeepsHistoryAndLeavesThePicker() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let id = try await fixture.incidentAwaitingClaim(1)
        // Open incidents block the deletion, and nothing changes.
        let blocked = await #expect(throws: StoreError.self) { try await fixture.store.deleteDepartment(fixture.dispatch.id) }
        #expect(blocked?.code == .conflict)
        #expect(try await fixture.store.departments(company: fixture.company.id).count == 3)
        // Resolved and closed ones do not.
        #expect(try await fixture.press(3, .claim, on: id, by: F.ann).outcome == .applied)
        #expect(try await fixture.press(4, .resolve, on: id, by: F.ann, minutes: 1).outcome == .applied)
        try await fixture.deliverAll(minutes: 1)
        #expect(try await fixture.store.applyTick(now: F.at(minutes: 62)).applied.map(\.action) == [.autoClose])
        #expect(try await fixture.store.incident(id)?.status == .closed)
        try await fixture.store.deleteDepartment(fixture.dispatch.id, now: F.at(minutes: 63))

        #expect(try await fixture.store.departments(company: fixture.company.id).map(\.name) == ["Maintenance", "Safety"])
        #expect(try await fixture.store.liveDepartment(fixture.dispatch.id) == nil)
        #expect(try await fixture.store.incidentDetail(id)?.incident.department?.name == "Dispatch")
        let dataset = try await fixture.store.kpiDataset(
            company: fixture.company.id, span: ReportPeriod(from: F.t0.addingTimeInterval(-3600), to: F.at(minutes: 120)))
        #expect(dataset.departmentNames[fixture.dispatch.id] == "Dispatch")
        // Gone from the picker of a new incident; the name may be used again.
        let created = try await fixture.newIssue(10, minutes: 64)
        let delivered = try await fixture.deliverAll(minutes: 64)
        let card = try #require(delivered.compactMap { item -> CardView? in
            if case .postCard(let card, _) = item.effect, card.incidentID == created.incidentID { return card }
            return nil
        }.first)
        #expect(card.buttons.flatMap { $0 }.map(\.label).filter { $0.contains("Dispatch") }.isEmpty)
        #expect(!card.buttons.flatMap { $0 }.isEmpty)
        let again = try await fixture.store.createDepartment(company: fixture.company.id, name: "Dispatch", now: F.at(minutes: 65))
        #expect(again.id != fixture.dispatch.id)
        // Deleting twice, renaming or restricting a deleted one: not found.
        for attempt in [
            { try await fixture.store.deleteDepartment(fixture.dispatch.id) },
            { _ = try await fixture.store.renameDepartment(fixture.dispatch.id, to: "X") },
            { _ = try await fixture.store.setDepartmentRestricted(fixture.dispatch.id, true) },
        ] as [@Sendable () async throws -> Void] {
            let error = await #expect(throws: StoreError.self) { try await attempt() }
            #expect(error?.code == .notFound)
        }
    }

    // MARK: Groups

    /// The bot is added to a new group by `person`: the group is pending and greeted.
    func addBot(_ fixture: StoreFixture, by person: Person, update: Int64, chat: ChatRef = Self.newChat) async throws {
        let result = try await fixture.store.apply(
            updateID: update, chat: chat, sender: person, event: .botMember(canPinMessages: true), now: F.at(minutes: 1))
        #expect(result.outcome == .applied)
    }

    @Test func aPendingGroupIsOfferedOnlyToTheCompanyOfWhoAddedTheBot() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let acme = fixture.company.id.rawValue
        let globex = try await fixture.store.createCompany(name: "Globex", now: F.t0)
        try await addBot(fixture, by: F.ann, update: 1)  // Ann: a Dispatch member of Acme
        try await addBot(fixture, by: F.outsider, update: 2, chat: ChatRef(id: -1_001_000_000_078, kind: .supergroup, title: "Unknown"))

        let pending = try await fixture.store.groups(companyID: acme, status: .pending)
        #expect(pending.map(\.chatID) == [Self.newChat.id])
        #expect(pending.first?.addedBy == F.ann.id && pending.first?.title == "Night shift")
        #expect(try await fixture.store.groups(companyID: globex.id.rawValue, status: .pending).isEmpty)
        #expect(try await fixture.store.groups(companyID: globex.id.rawValue).isEmpty)
        #expect(try await fixture.store.groups(companyID: nil, status: .pending).count == 2)
        #expect(try await fixture.store.group(chat: Self.newChat.id, isVisibleTo: acme))
        #expect(try await fixture.store.group(chat: Self.newChat.id, isVisibleTo: globex.id.rawValue) == false)
        #expect(try await fixture.store.group(chat: F.chat.id, isVisibleTo: globex.id.rawValue) == false)
        let active = try await fixture.store.groups(companyID: acme, status: .active)
        #expect(active.map(\.chatID) == [F.chat.id])
        #expect(active.first?.managers.map(\.id) == [F.manager.id])
        #expect(active.first?.managers.first?.person == nil, "Max was never seen")
    }

    @Test func approvingAPendingGroupActivatesItAndTellsTheGroup() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        try await addBot(fixture, by: F.ann, update: 1)
        _ = try await fixture.deliverAll(minutes: 1)
        let approved = try await fixture.store.approveGroup(
            chat: Self.newChat.id, companyID: fixture.company.id.rawValue, managers: [F.ann.id], now: F.at(minutes: 2))
        #expect(approved.status == .active && approved.companyID == fixture.company.id)
        #expect(approved.managers.map(\.id) == [F.ann.id])
        let told = messages(try await fixture.deliverAll(minutes: 2), to: Self.newChat)
        #expect(told.map(\.html) == [Texts.groupActivated(companyName: "Acme")])
        // Incidents can be reported there now.
        #expect(try await fixture.newIssue(5, by: F.ann, chat: Self.newChat, minutes: 3).outcome == .applied)
        // Approving again, or an active group of a company: refused, nothing sent.
        let again = await #expect(throws: StoreError.self) {
            try await fixture.store.approveGroup(chat: Self.newChat.id, companyID: fixture.company.id.rawValue, managers: nil)
        }
        #expect(again?.code == .conflict)
        _ = try await fixture.deliverAll(minutes: 3)
        let missing = await #expect(throws: StoreError.self) {
            try await fixture.store.approveGroup(chat: ChatID(-5), companyID: fixture.company.id.rawValue, managers: nil)
        }
        #expect(missing?.code == .notFound)
        #expect(try await fixture.store.claimOutbox(now: F.at(minutes: 4)).isEmpty)
    }

    @Test func denyingAPendingGroupTellsItAndDropsItFromTheList() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        try await addBot(fixture, by: F.ann, update: 1)
        _ = try await fixture.deliverAll(minutes: 1)
        let denied = try await fixture.store.denyGroup(chat: Self.newChat.id, now: F.at(minutes: 2))
        #expect(denied.status == .pending && denied.deniedAt == F.at(minutes: 2))
        #expect(messages(try await fixture.deliverAll(minutes: 2), to: Self.newChat).map(\.html) == [Texts.groupDenied])
        #expect(try await fixture.store.groups(companyID: fixture.company.id.rawValue, status: .pending).isEmpty)
        #expect(try await fixture.store.group(chat: Self.newChat.id, isVisibleTo: fixture.company.id.rawValue) == false)
        let twice = await #expect(throws: StoreError.self) { try await fixture.store.denyGroup(chat: Self.newChat.id) }
        #expect(twice?.code == .conflict)
        let active = await #expect(throws: StoreError.self) { try await fixture.store.denyGroup(chat: F.chat.id) }
        #expect(active?.code == .conflict)
        // Added again: offered again.
        try await addBot(fixture, by: F.ann, update: 2)
        #expect(try await fixture.store.groups(companyID: fixture.company.id.rawValue, status: .pending).count == 1)
    }

    // MARK: People

    @Test func peopleOfACompany() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        try await fixture.store.recordUserSeen(F.ann, now: F.t0)
        try await fixture.store.recordUserSeen(F.otto, now: F.t0)
        try await fixture.store.recordUserSeen(F.outsider, now: F.t0)
        _ = try await fixture.newIssue(1, minutes: 1)  // Rita, the driver, is seen reporting
        let people = try await fixture.store.people(companyID: fixture.company.id.rawValue)
        #expect(people.map(\.person.firstName) == ["Ann", "Otto", "Rita"])
        let ann = try #require(people.first)
        #expect(ann.departments.map(\.name) == ["Dispatch"] && ann.driverIn.isEmpty)
        let rita = try #require(people.last)
        #expect(rita.driverIn == [F.chat.id] && rita.departments.isEmpty)
        let other = try await fixture.store.createCompany(name: "Globex", now: F.t0)
        #expect(try await fixture.store.people(companyID: other.id.rawValue).isEmpty)
    }

    // MARK: /activate CODE

    func activate(
        _ fixture: StoreFixture, _ code: String, by person: Person = F.ann, admin: Bool = true, update: Int64,
        chat: ChatRef = Self.newChat, minutes: Double = 2
    ) async throws -> ApplyResult {
        try await fixture.store.apply(
            updateID: update, chat: chat, sender: person,
            event: .activate(command: MessageID(update * 10), code: code, senderIsAdministrator: admin), now: F.at(minutes: minutes))
    }

    @Test func anAdministratorActivatesAGroupWithAOneTimeCode() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        try await addBot(fixture, by: F.outsider, update: 1)
        _ = try await fixture.deliverAll(minutes: 1)
        let (info, code) = try await fixture.store.createActivationCode(
            companyID: fixture.company.id.rawValue, lifetime: .seconds(3600), now: F.t0)
        #expect(code.count == 11 && code.contains("-"))
        #expect(info.expiresAt == F.at(minutes: 60))

        // Refusals change nothing.
        let refusals: [(String, Bool, ActivationRefusal)] = [
            (code, false, .administratorsOnly), ("", true, .usage), ("not a code!", true, .usage),
            ("ABCDE-FGHJK", true, .unknownCode),
        ]
        for (index, (text, admin, reason)) in refusals.enumerated() {
            let result = try await activate(fixture, text, admin: admin, update: 10 + Int64(index))
            #expect(result.outcome == .refused(.activation(reason)))
        }
        #expect(try await fixture.store.group(chat: Self.newChat.id)?.status == .pending)
        #expect(try await fixture.store.activationCodes(companyID: fixture.company.id.rawValue).first?.usedAt == nil)

        // Lower case, without the dash: the same code.
        let typed = code.lowercased().replacingOccurrences(of: "-", with: "")
        let activated = try await activate(fixture, typed, by: F.outsider, update: 20)
        #expect(activated.outcome == .applied)
        let group = try #require(try await fixture.store.group(chat: Self.newChat.id))
        #expect(group.status == .active && group.companyID == fixture.company.id && group.managerIDs == [F.outsider.id])
        let used = try #require(try await fixture.store.activationCodes(companyID: fixture.company.id.rawValue).first)
        #expect(used.usedAt == F.at(minutes: 2) && used.usedChatID == Self.newChat.id.rawValue)
        let told = messages(try await fixture.deliverAll(minutes: 2), to: Self.newChat).map(\.html)
        #expect(told.suffix(1) == [Texts.groupActivated(companyName: "Acme")])

        // Single use: another group cannot use it.
        let other = ChatRef(id: -1_001_000_000_079, kind: .supergroup, title: "Other")
        try await addBot(fixture, by: F.outsider, update: 30, chat: other)
        #expect(try await activate(fixture, code, update: 31, chat: other).outcome == .refused(.activation(.usedCode)))
        #expect(try await fixture.store.group(chat: other.id)?.status == .pending)
        // An active group is not moved by a code.
        let (_, fresh) = try await fixture.store.createActivationCode(companyID: fixture.company.id.rawValue, now: F.t0)
        #expect(try await activate(fixture, fresh, update: 32).outcome == .refused(.activation(.alreadyActive)))
    }

    @Test func anExpiredCodeIsRefused() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        try await addBot(fixture, by: F.outsider, update: 1)
        let (_, code) = try await fixture.store.createActivationCode(
            companyID: fixture.company.id.rawValue, lifetime: .seconds(60), now: F.t0)
        #expect(try await activate(fixture, code, update: 2, minutes: 1).outcome == .refused(.activation(.expiredCode)))
        #expect(try await fixture.store.group(chat: Self.newChat.id)?.status == .pending)
        await #expect(throws: StoreError.self) {
            try await fixture.store.createActivationCode(companyID: fixture.company.id.rawValue, lifetime: .seconds(10))
        }
        await #expect(throws: StoreError.self) { try await fixture.store.createActivationCode(companyID: 999) }
    }

    @Test func activateOutsideAGroupIsRefused() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let (_, code) = try await fixture.store.createActivationCode(companyID: fixture.company.id.rawValue, now: F.t0)
        let privateChat = ChatRef(id: ChatID(F.ann.id.rawValue), kind: .private)
        #expect(try await activate(fixture, code, update: 1, chat: privateChat).outcome == .refused(.groupsOnly))
        #expect(try await fixture.store.activationCodes(companyID: fixture.company.id.rawValue).first?.usedAt == nil)
    }
}
