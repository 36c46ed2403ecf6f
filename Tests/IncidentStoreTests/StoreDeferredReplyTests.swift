import Foundation
import IncidentCore
import Storage
import Testing

/// A reply to the summary prompt can reach the incident service before the sender's result
/// tells it the prompt's message id. Such a reply is deferred (not recorded), so the same
/// update applied again once the id is known becomes the summary.
@Suite struct StoreDeferredReplyTests {
    typealias F = StoreFixture

    @Test func replyBeforeThePromptIsKnownIsDeferredThenApplied() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let id = try await fixture.incidentAwaitingClaim(1)
        try await fixture.deliverAll()
        #expect(try await fixture.press(3, .claim, on: id, by: F.carol, minutes: 1).outcome == .applied)
        #expect(try await fixture.press(4, .resolve, on: id, by: F.carol, minutes: 2).outcome == .applied)

        // Hand out the prompt but do not report its result yet: the store does not know its id.
        var promptItem: OutboxItem?
        while promptItem == nil {
            let batch = try await fixture.store.claimOutbox(limit: 50, now: F.at(minutes: 2))
            #expect(!batch.isEmpty, "the summary prompt never came out of the outbox")
            if batch.isEmpty { return }
            for item in batch {
                if case .sendMessage(let message) = item.effect, message.forceReply != nil {
                    promptItem = item
                } else {
                    let messageID: MessageID? = if case .updateCard = item.effect { item.cardMessageID } else { nil }
                    try await fixture.store.completeOutbox(item.id, result: .delivered(messageID: messageID), now: F.at(minutes: 2))
                }
            }
        }
        let prompt = try #require(promptItem)
        let promptMessage = MessageID(777_001)

        let early = try await fixture.reply(9, to: promptMessage, text: "Replaced the tyre", by: F.carol, minutes: 3)
        #expect(early.outcome == .deferred)
        #expect(try await fixture.store.incident(id)?.status == .awaitingSummary)

        try await fixture.store.completeOutbox(prompt.id, result: .delivered(messageID: promptMessage), now: F.at(minutes: 3))
        let again = try await fixture.reply(9, to: promptMessage, text: "Replaced the tyre", by: F.carol, minutes: 3)
        #expect(again.outcome == .applied)
        #expect(try await fixture.store.incident(id)?.status == .resolved)
        #expect(try await fixture.reply(9, to: promptMessage, text: "Replaced the tyre", by: F.carol, minutes: 3).outcome == .duplicate)
    }

    @Test func aReplyToAnUnknownMessageWithNoPromptPendingIsIgnored() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        _ = try await fixture.incidentAwaitingClaim(1)
        #expect(try await fixture.reply(5, to: 4242, text: "hello", by: F.carol).outcome == .ignored)
    }
}
