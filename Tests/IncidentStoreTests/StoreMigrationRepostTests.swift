import Foundation
import IncidentCore
import Storage
import Testing

/// After a group is upgraded to a supergroup, every open incident gets a fresh card there at
/// once, pinned; finished ones do not; a second notice of the same migration changes nothing.
@Suite struct StoreMigrationRepostTests {
    typealias F = StoreFixture

    enum Notice: String, CaseIterable, Sendable { case serviceMessage, failedCall }

    @Test(arguments: Notice.allCases)
    func openIncidentsArePostedAndPinnedOnce(_ notice: Notice) async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let open = try await fixture.incidentAwaitingClaim(1)
        let finished = try await fixture.incidentAwaitingClaim(10)
        #expect(try await fixture.press(20, .claim, on: finished, by: F.ann).outcome == .applied)
        #expect(try await fixture.press(21, .resolve, on: finished, by: F.ann).outcome == .applied)
        let delivered = try await fixture.deliverAll()
        let promptItem = try #require(delivered.first { if case .sendMessage(let m) = $0.effect { m.forceReply != nil } else { false } })
        let prompt = try #require(try await fixture.promptMessageID(of: promptItem.id))
        #expect(try await fixture.reply(22, to: prompt, text: "done", by: F.ann).outcome == .applied)
        _ = try await fixture.deliverAll()
        let oldCard = try #require(try await fixture.store.currentCard(open)?.messageID)

        let newChat = ChatRef(id: -1_009_999, kind: .supergroup, title: "Fleet")
        switch notice {
        case .serviceMessage:
            #expect(try await fixture.store.apply(updateID: 30, chat: F.chat, sender: nil, event: .migrated(to: newChat.id), now: F.t0).outcome == .applied)
        case .failedCall:
            #expect(try await fixture.store.migrateGroup(from: F.chat.id, to: newChat.id, now: F.t0))
        }
        var items = try await fixture.store.claimOutbox(now: F.t0)
        #expect(items.count == 1, "\(items.map(\.effect.kindName))")
        let post = try #require(items.first)
        guard case .updateCard(let card) = post.effect else { Issue.record("not a card: \(post.effect)"); return }
        #expect(card.incidentID == open)
        #expect(post.chatID == newChat.id)
        #expect(post.cardMessageID == nil, "no message to edit: it is posted anew")
        try await fixture.store.completeOutbox(post.id, result: .delivered(messageID: 500), now: F.t0)
        items = try await fixture.store.claimOutbox(now: F.t0)
        #expect(items.map(\.effect) == [.pinCard(open)])
        #expect(items.first?.cardMessageID == 500)
        #expect(try await fixture.store.currentCard(open)?.messageID == 500)
        #expect(oldCard != 500)
        // The other notice of the same migration changes nothing.
        _ = try await fixture.store.apply(updateID: 31, chat: F.chat, sender: nil, event: .migrated(to: newChat.id), now: F.t0)
        #expect(try await fixture.store.migrateGroup(from: F.chat.id, to: newChat.id, now: F.t0) == false)
        try await fixture.store.completeOutbox(try #require(items.first).id, result: .delivered(messageID: nil), now: F.t0)
        #expect(try await fixture.store.claimOutbox(now: F.t0).isEmpty)
        // An edit of the old card is no longer the card's.
        #expect(try await fixture.store.isCurrentCard(oldCard, of: open) == false)
        #expect(try await fixture.store.isCurrentCard(500, of: open))
    }
}
