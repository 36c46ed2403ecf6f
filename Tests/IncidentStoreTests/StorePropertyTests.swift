import Foundation
import IncidentCore
import PropertyBased
import Storage
import Testing

/// Random operations through the store (creates in two groups, presses, replies, deliveries,
/// ticks), then the invariants are checked against what is stored.
@Suite struct StorePropertyTests {
    typealias F = StoreFixture

    static let people = [F.driver, F.manager, F.ann, F.bob, F.carol, F.otto, F.outsider]
    static let buttons: [ButtonAction] = [
        .chooseDepartment(1), .chooseDepartment(2), .chooseDepartment(3), .claim, .join, .leave, .resolve,
        .cancelResolve, .reopen, .openPicker, .pickDepartment(2), .closePicker,
    ]

    @Test(.timeLimit(.minutes(2)))
    func storedStateMatchesItsTimeline() async throws {
        await propertyCheck(count: 25, input: Gen.int(in: 0...1_000_000).array(of: 5...45)) { operations in
            do {
                try await Self.run(operations)
            } catch {
                Issue.record("store error: \(error)")
            }
        }
    }

    static func run(_ operations: [Int]) async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        try await fixture.store.activateGroup(chat: F.otherChat.id, company: fixture.company.id, managers: [F.manager.id], now: F.t0)
        try await fixture.store.registerDriver(F.driver.id, chat: F.otherChat.id, now: F.t0)
        var updateID: Int64 = 0
        var minutes = 0.0
        var prompts: [IncidentID: MessageID] = [:]
        for operation in operations {
            var rest = operation
            func take(_ count: Int) -> Int {
                defer { rest /= count }
                return rest % count
            }
            updateID += 1
            minutes += Double(take(20))
            let kind = take(16)
            let person = people[take(people.count)]
            let chat = take(2) == 0 ? F.chat : F.otherChat
            let incidents = try await fixture.store.incidents()
            switch kind {
            case 0, 1:
                _ = try await fixture.newIssue(updateID, by: person, chat: chat, text: "op \(operation)", minutes: minutes)
            case 2:
                for item in try await fixture.deliverAll(minutes: minutes) {
                    if case .sendMessage(let message) = item.effect, case .summaryPrompt = message.purpose,
                        let incident = message.incidentID, let id = try await fixture.promptMessageID(of: item.id)
                    {
                        prompts[incident] = id
                    }
                }
            case 3:
                _ = try await fixture.store.applyTick(now: F.at(minutes: minutes))
            case 4:
                guard let (incident, prompt) = prompts.randomElement() else { continue }
                let resolver = try await fixture.store.incident(incident)?.resolverID
                let author = take(2) == 0 ? people.first { $0.id == resolver } ?? person : person
                _ = try await fixture.reply(updateID, to: prompt, text: "summary \(operation)", by: author, minutes: minutes)
            default:
                guard !incidents.isEmpty else { continue }
                let target = incidents[take(incidents.count)]
                let button = buttons[take(buttons.count)]
                let stale = take(10) == 0
                let version = try #require(try await fixture.store.incident(target.id)).cardVersion - (stale ? 1 : 0)
                // Usually pressed where the card is; sometimes forged from the other chat.
                let from = take(8) == 0 ? (target.chatID == F.chat.id ? F.otherChat : F.chat) : ChatRef(id: target.chatID, kind: .supergroup)
                _ = try await fixture.press(updateID, button, on: target.id, version: version, by: person, chat: from, minutes: minutes)
            }
        }
        try await checkInvariants(fixture)
    }

    static func checkInvariants(_ fixture: StoreFixture) async throws {
        let incidents = try await fixture.store.incidents()
        for chat in [F.chat.id, F.otherChat.id] {
            let numbers = incidents.filter { $0.chatID == chat }.map(\.number.rawValue).sorted()
            #expect(numbers == Array(0..<numbers.count).map { $0 + 1 }, "numbers of \(chat) are not 1...n")
        }
        for record in incidents {
            let incident = try #require(try await fixture.store.incident(record.id))
            let timeline = try await fixture.store.timeline(of: record.id)
            #expect(TimelineReplay.replay(timeline) == incident.projection, "incident \(record.id) differs from its timeline")
            if incident.status == .resolved { #expect(!(incident.summary ?? "").isEmpty) }
            if incident.status == .inProgress { #expect(!incident.activeParticipantIDs.isEmpty) }
            #expect(record.status == incident.status)
        }
    }
}
