import Foundation
import IncidentCore
import IncidentStore
import Testing

/// Inbound flood control: repeated notices collapse, cards and button answers go first.
@Suite struct StoreFloodControlTests {
    typealias F = StoreFixture

    func help(_ fixture: StoreFixture, _ updateID: Int64, by person: Person = F.ann, seconds: Double = 0) async throws -> ApplyResult {
        try await fixture.store.apply(
            updateID: updateID, chat: F.chat, sender: person, event: .help(command: MessageID(updateID)),
            now: F.t0.addingTimeInterval(seconds))
    }

    func notices(_ fixture: StoreFixture) async throws -> Int {
        try await fixture.store.openOutbox().filter { if case .sendMessage = $0.effect { true } else { false } }.count
    }

    @Test func threeHundredHelpsInAGroupQueueOneReply() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        for update in Int64(1)...300 {
            let person = [F.ann, F.bob, F.driver, F.outsider][Int(update) % 4]
            #expect(try await help(fixture, update, by: person, seconds: Double(update) / 100).outcome == .applied)
        }
        #expect(try await notices(fixture) == 1)
        // Every update is recorded as processed: a redelivery is a duplicate, not a new reply.
        #expect(try await help(fixture, 150).outcome == .duplicate)

        // Handed to a sender but not delivered yet: still collapsed.
        let sent = try await fixture.store.claimOutbox(limit: 10, now: F.t0.addingTimeInterval(5))
        #expect(sent.count == 1)
        _ = try await help(fixture, 301, seconds: 5)
        #expect(try await fixture.store.openOutbox().count == 1)
        // Delivered: whoever asks now gets the answer.
        try await fixture.store.completeOutbox(sent[0].id, result: .delivered(messageID: 9000), now: F.t0.addingTimeInterval(6))
        _ = try await help(fixture, 302, seconds: 7)
        #expect(try await notices(fixture) == 1)
    }

    @Test func cardsGoAheadOfNoticesQueuedBefore() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        _ = try await help(fixture, 1)
        #expect(try await fixture.newIssue(2).outcome == .applied)
        let first = try await fixture.store.claimOutbox(limit: 1, now: F.t0)
        guard case .postCard? = first.first?.effect else {
            Issue.record("the first item handed out is not the card: \(String(describing: first.first?.effect))")
            return
        }
        let next = try await fixture.store.claimOutbox(limit: 10, now: F.t0)
        #expect(next.contains { if case .sendMessage = $0.effect { true } else { false } }, "the help reply still goes out")
    }
}
