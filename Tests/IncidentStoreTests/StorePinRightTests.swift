import Foundation
import IncidentCore
import Storage
import Testing

/// The group is told once that the bot cannot pin, and again only after the right was given
/// and taken away again.
@Suite struct StorePinRightTests {
    typealias F = StoreFixture

    /// Claims everything pending; pins fail as Telegram answers without the right.
    func deliverFailingPins(_ fixture: StoreFixture) async throws -> (notices: [Int64], pins: Int) {
        var notices: [Int64] = []
        var pins = 0
        while true {
            let batch = try await fixture.store.claimOutbox(limit: 50, now: F.t0)
            if batch.isEmpty { return (notices, pins) }
            for item in batch {
                if case .pinCard = item.effect {
                    pins += 1
                    try await fixture.store.completeOutbox(item.id, result: .failed(reason: "not enough rights"), now: F.t0)
                    if let notice = try await fixture.store.notePinRightMissing(outbox: item.id, now: F.t0) { notices.append(notice) }
                } else {
                    let message: MessageID? = switch item.effect {
                    case .postCard, .sendMessage: MessageID(100_000 + item.id)
                    default: nil
                    }
                    try await fixture.store.completeOutbox(item.id, result: .delivered(messageID: message), now: F.t0)
                }
            }
        }
    }

    @Test func toldOnceUntilTheRightIsGivenAgain() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        _ = try await fixture.newIssue(1)
        _ = try await fixture.newIssue(2)
        var delivered = try await deliverFailingPins(fixture)
        #expect(delivered.pins == 2)
        #expect(delivered.notices.count == 1)
        let notice = try #require(delivered.notices.first)
        guard case .sendMessage(let message)? = try await fixture.store.outboxEffect(notice) else {
            Issue.record("the notice is not a message")
            return
        }
        #expect(message.html.hasPrefix("I can't pin incident cards here"))
        #expect(message.incidentID == nil)

        // Promoted without the pin right: still nothing more to say.
        _ = try await fixture.store.apply(updateID: 3, chat: F.chat, sender: F.manager, event: .botMember(canPinMessages: false), now: F.t0)
        _ = try await fixture.newIssue(4)
        delivered = try await deliverFailingPins(fixture)
        #expect(delivered.pins == 1)
        #expect(delivered.notices.isEmpty)

        // Given the right, then losing it again: told once more.
        _ = try await fixture.store.apply(updateID: 5, chat: F.chat, sender: F.manager, event: .botMember(canPinMessages: true), now: F.t0)
        _ = try await fixture.newIssue(6)
        _ = try await fixture.newIssue(7)
        delivered = try await deliverFailingPins(fixture)
        #expect(delivered.pins == 2)
        #expect(delivered.notices.count == 1)
        // A redelivered failure result changes nothing.
        #expect(try await fixture.store.notePinRightMissing(outbox: try #require(delivered.notices.first), now: F.t0) == nil)
    }
}
