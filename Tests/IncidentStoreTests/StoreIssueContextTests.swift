import Foundation
import IncidentCore
import Storage
import Testing

/// `/new_issue` without a reply takes the reporter's own last messages of the last few minutes
/// as the description.
@Suite struct StoreIssueContextTests {
    typealias F = StoreFixture

    func say(_ fixture: StoreFixture, _ update: Int64, _ text: String, message: Int64, by person: Person = F.driver, minutes: Double) async throws {
        let result = try await fixture.store.apply(
            updateID: update, chat: F.chat, sender: person, event: .groupMessage(message: MessageID(message), text: text),
            now: F.at(minutes: minutes))
        #expect(result.outcome == .applied)
    }

    func bareNewIssue(_ fixture: StoreFixture, _ update: Int64, message: Int64, minutes: Double) async throws -> ApplyResult {
        try await fixture.store.apply(
            updateID: update, chat: F.chat, sender: F.driver, event: .newIssue(command: MessageID(message), reported: nil),
            now: F.at(minutes: minutes))
    }

    @Test func lastMessagesOfTheWindowBecomeTheDescription() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        try await say(fixture, 1, "too old", message: 10, minutes: 0)
        try await say(fixture, 2, "Trailer 7", message: 11, minutes: 2)
        try await say(fixture, 3, "someone else's", message: 12, by: F.ann, minutes: 4)
        try await say(fixture, 4, "door will not close", message: 13, minutes: 4)
        try await say(fixture, 5, "at dock 3", message: 14, minutes: 4.5)
        try await say(fixture, 6, "and it rains in", message: 15, minutes: 4.6)
        // Window 3 minutes (from 1.8), limit 3: messages 13, 14, 15.
        let created = try await bareNewIssue(fixture, 7, message: 16, minutes: 4.8)
        #expect(created.outcome == .applied)
        let id = try #require(created.incidentID)
        let incident = try #require(try await fixture.store.incident(id))
        #expect(incident.report.text == "door will not close\nat dock 3\nand it rains in")
        #expect(incident.report.messageID == 15)
        // The card replies to the newest of them.
        let items = try await fixture.store.claimOutbox(now: F.at(minutes: 5))
        guard case .postCard(_, let replyTo)? = items.first?.effect else { Issue.record("no card"); return }
        #expect(replyTo == 15)

        // Used messages are not offered again; what is left is message 11, now out of the window.
        let again = try await bareNewIssue(fixture, 8, message: 17, minutes: 5.5)
        #expect(again.outcome == .refused(.notAReply))
        // A redelivered message changes nothing.
        #expect(try await fixture.store.apply(
            updateID: 6, chat: F.chat, sender: F.driver, event: .groupMessage(message: 15, text: "and it rains in"),
            now: F.at(minutes: 5)).outcome == .duplicate)
    }

    @Test func noMessagesExplainsHowToReport() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let result = try await bareNewIssue(fixture, 1, message: 5, minutes: 0)
        #expect(result.outcome == .refused(.notAReply))
        #expect(Refusal.notAReply.message.contains("reply /new_issue"))
        #expect(try await fixture.store.incidents(chat: F.chat.id).isEmpty)
    }

    @Test func switchedOff() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        var configuration = StoreConfiguration(synchronous: .normal)
        configuration.issueContext = IssueContextPolicy(window: 0, messageLimit: 3)
        let store = try IncidentStore(path: fixture.path, policy: F.policy, configuration: configuration)
        _ = try await store.apply(updateID: 1, chat: F.chat, sender: F.driver, event: .groupMessage(message: 10, text: "flat tyre"), now: F.t0)
        let result = try await store.apply(updateID: 2, chat: F.chat, sender: F.driver, event: .newIssue(command: 11, reported: nil), now: F.t0)
        #expect(result.outcome == .refused(.notAReply))
    }
}
