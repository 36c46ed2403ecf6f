import Foundation
import IncidentCore
import Testing

@Suite struct CreateTests {
    static func create(
        by reporter: Person = Fixture.reporter, chat: ChatRef = Fixture.chat, group: Group? = Fixture.group,
        departments: [Department] = Fixture.departments, driver: Bool = true,
        reported: CreateRequest.Reported? = .init(messageID: 500, text: Fixture.reportedText)
    ) -> Result<Decision, Refusal> {
        IncidentMachine.create(
            CreateRequest(reporter: reporter, commandMessageID: 501, reported: reported), in: chat,
            context: CreationContext(
                group: group, departments: departments, members: Fixture.members, reporterIsRegisteredDriver: driver,
                incidentID: 42, number: 1, policy: Fixture.policy),
            now: Fixture.t0)
    }

    @Test func createsAwaitingDepartmentWithPinnedCard() throws {
        let decision = try Self.create().get()
        #expect(decision.incident.status == .awaitingDepartment)
        #expect(decision.incident.number == 1)
        #expect(decision.incident.reporterID == Fixture.reporter.id)
        let card = IncidentMachine.card(for: decision.incident, context: Fixture.context)
        #expect(decision.effects == [
            .postCard(card, replyTo: 500),
            .pinCard(42),
            .appendTimeline(TimelineEntry(kind: .created, at: Fixture.t0, actorID: 1, detail: .init(number: 1))),
        ])
        #expect(card.buttons.flatMap { $0 }.map(\.data.action) == [.chooseDepartment(10), .chooseDepartment(11), .chooseDepartment(12)])
    }

    @Test func departmentMembersAndManagersMayReportWithoutRegistering() {
        #expect((try? Self.create(by: Fixture.ann, driver: false).get()) != nil)
        #expect((try? Self.create(by: Fixture.manager, driver: false).get()) != nil)
    }

    @Test func refusals() {
        #expect(Self.create(chat: ChatRef(id: 7, kind: .private)) == .failure(.groupsOnly))
        #expect(Self.create(group: nil) == .failure(.groupNotActivated(Fixture.chat.id)))
        var pending = Fixture.group
        pending.status = .pending
        #expect(Self.create(group: pending) == .failure(.groupNotActivated(Fixture.chat.id)))
        var inactive = Fixture.group
        inactive.status = .inactive
        #expect(Self.create(group: inactive) == .failure(.groupNotActivated(Fixture.chat.id)))
        #expect(Self.create(reported: nil) == .failure(.notAReply))
        #expect(Self.create(departments: []) == .failure(.noDepartments))
        #expect(Self.create(by: Fixture.outsider, driver: false) == .failure(.reporterNotAllowed))
        let long = String(repeating: "x", count: 4097)
        #expect(Self.create(reported: .init(messageID: 500, text: long)) == .failure(.descriptionTooLong(limit: 4096)))
        let longest = String(repeating: "x", count: 4096)
        #expect((try? Self.create(reported: .init(messageID: 500, text: longest)).get()) != nil)
    }

    @Test func messageWithoutTextIsReportedAsSuch() throws {
        let decision = try Self.create(reported: .init(messageID: 500, text: "  \n")).get()
        #expect(decision.incident.report.text == "(message without text)")
    }

    @Test func refusalAnswersThePersonWhereTheyAsked() {
        #expect(Refusal.notAReply.effects(answering: .message(501, incident: nil)) == [
            .sendMessage(OutgoingMessage(
                incidentID: nil, html: "Describe the problem in a message, then reply /new_issue to it (or send /new_issue within a few minutes of writing it).",
                replyTo: .message(501))),
        ])
        #expect(Refusal.staleCard.effects(answering: .press("q9")) == [
            .answerPress(PressAnswer(query: "q9", text: "This card has changed, use the current one.", showAlert: true)),
        ])
        #expect(Refusal.notDue.effects(answering: .clock).isEmpty)
    }

    @Test func restrictedDepartmentOnlyByItsMembersOrAManager() {
        let incident = Fixture.created
        let choose = IncidentAction.press(.chooseDepartment(Fixture.safety.id), cardVersion: incident.cardVersion, query: "q")
        let byReporter = IncidentMachine.decide(incident, choose, by: .user(Fixture.reporter), context: Fixture.context, now: Fixture.t0)
        #expect(byReporter == .failure(.restrictedDepartment(name: "Safety")))
        let byManager = IncidentMachine.decide(incident, choose, by: .user(Fixture.manager), context: Fixture.context, now: Fixture.t0)
        #expect((try? byManager.get().incident.departmentID) == Fixture.safety.id)
        var context = Fixture.context
        context.members[Fixture.safety.id] = [Fixture.reporter.mention]
        let byMemberReporter = IncidentMachine.decide(incident, choose, by: .user(Fixture.reporter), context: context, now: Fixture.t0)
        #expect((try? byMemberReporter.get().incident.departmentID) == Fixture.safety.id)
    }

    @Test func badDepartmentsAreRefused() {
        let incident = Fixture.created
        for department in [DepartmentID(999), DepartmentID(-1)] {
            let result = IncidentMachine.decide(
                incident, .press(.chooseDepartment(department), cardVersion: incident.cardVersion, query: "q"),
                by: .user(Fixture.manager), context: Fixture.context, now: Fixture.t0)
            #expect(result == .failure(.unknownDepartment))
        }
        let picker = Fixture.inProgressPicker
        let same = IncidentMachine.decide(
            picker, .press(.pickDepartment(Fixture.dispatch.id), cardVersion: picker.cardVersion, query: "q"),
            by: .user(Fixture.ann), context: Fixture.context, now: Fixture.t0)
        #expect(same == .failure(.sameDepartment(name: "Dispatch")))
    }

    @Test func lastLeaveReturnsToAwaitingClaim() throws {
        let claimed = Fixture.pressed(Fixture.awaitingClaim, .claim, by: Fixture.bob, minutes: 2)
        let left = Fixture.pressed(claimed, .leave, by: Fixture.bob, minutes: 3)
        #expect(left.status == .awaitingClaim)
        #expect(left.activeParticipantIDs.isEmpty)
        #expect(left.departmentID == Fixture.dispatch.id)
    }

    @Test func summaryMustNotBeEmptyOrTooLong() {
        let incident = Fixture.awaitingSummary
        let empty = IncidentMachine.decide(incident, .submitSummary(text: " \n ", message: 1), by: .user(Fixture.carol), context: Fixture.context, now: Fixture.t0)
        #expect(empty == .failure(.summaryEmpty))
        let long = IncidentMachine.decide(incident, .submitSummary(text: String(repeating: "s", count: 4097), message: 1), by: .user(Fixture.carol), context: Fixture.context, now: Fixture.t0)
        #expect(long == .failure(.summaryTooLong(limit: 4096)))
    }

    @Test func noPickerWithASingleDepartment() {
        var context = Fixture.context
        context.departments = [Fixture.dispatch]
        let incident = Fixture.awaitingClaim
        let card = IncidentMachine.card(for: incident, context: context)
        #expect(card.buttons.flatMap { $0 }.map(\.label) == ["Claim"])
        let open = IncidentMachine.decide(incident, .press(.openPicker, cardVersion: incident.cardVersion, query: "q"), by: .user(Fixture.ann), context: context, now: Fixture.t0)
        #expect(open == .failure(.notAvailable(1, .awaitingClaim)))
    }

    @Test func mentionsComeAHandfulPerMessage() throws {
        var context = Fixture.context
        context.members[Fixture.dispatch.id] = (100..<112).map { Mention.user(id: UserID(Int64($0)), handle: Handle("user\($0)"), name: "U") }
        let incident = Fixture.created
        let decision = try IncidentMachine.decide(
            incident, .press(.chooseDepartment(Fixture.dispatch.id), cardVersion: incident.cardVersion, query: "q"),
            by: .user(Fixture.reporter), context: context, now: Fixture.t0).get()
        let messages = decision.effects.compactMap { if case .sendMessage(let m) = $0 { m.html } else { nil } }
        #expect(messages.count == 3)
        #expect(messages.map { $0.components(separatedBy: "@user").count - 1 } == [5, 5, 2])
        #expect(messages[1].hasPrefix("<b>#0001</b> (Dispatch, continued)"))
    }
}
