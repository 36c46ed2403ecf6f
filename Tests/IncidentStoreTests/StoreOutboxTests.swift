import Foundation
import IncidentCore
import Storage
import Testing

@Suite struct StoreOutboxTests {
    typealias F = StoreFixture

    /// An incident's items go out one at a time in order; answers are never held back.
    @Test func itemsOfAnIncidentAreDeliveredInOrder() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let id = try #require(try await fixture.newIssue(1).incidentID)
        let first = try await fixture.store.claimOutbox(now: F.t0)
        #expect(first.map(\.effect.kindName) == ["postCard"])
        #expect(first[0].cardMessageID == nil)
        // While the post is out, the pin waits; a press is answered at once.
        _ = try await fixture.press(2, .chooseDepartment(fixture.dispatch.id), on: id, by: F.driver)
        let second = try await fixture.store.claimOutbox(now: F.t0)
        #expect(second.map(\.effect.kindName) == ["answerPress"])
        #expect(second[0].chatID == nil)
        try await fixture.store.completeOutbox(first[0].id, result: .delivered(messageID: 700), now: F.t0)
        let third = try await fixture.store.claimOutbox(now: F.t0)
        #expect(third.map(\.effect.kindName) == ["pinCard"])
        #expect(third[0].cardMessageID == 700)
        // Completing twice is harmless.
        try await fixture.store.completeOutbox(first[0].id, result: .delivered(messageID: 700), now: F.t0)
        await #expect(throws: StoreError(.notFound, "outbox item 999")) {
            try await fixture.store.completeOutbox(999, result: .failed(reason: "x"), now: F.t0)
        }
    }

    /// Card updates waiting behind another item collapse into one: only the latest card is sent.
    @Test func pendingCardUpdatesCollapse() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let id = try #require(try await fixture.newIssue(1).incidentID)
        _ = try await fixture.press(2, .chooseDepartment(fixture.dispatch.id), on: id, by: F.driver)
        _ = try await fixture.press(3, .claim, on: id, by: F.ann)
        _ = try await fixture.press(4, .join, on: id, by: F.bob)
        let open = try await fixture.store.openOutbox()
        let cards = open.compactMap { item -> CardView? in
            switch item.effect {
            case .postCard(let card, _), .updateCard(let card): card
            default: nil
            }
        }
        // The card was never posted, so the post itself carries the latest card.
        #expect(cards.count == 1)
        #expect(cards[0].status == .inProgress)
        #expect(cards[0].participants.map(\.displayName) == ["Ann", "Bob Stone"])
        guard case .postCard(_, let replyTo)? = open.first?.effect else { throw Failure("the post is not first") }
        #expect(replyTo == 10, "the post still replies to the reported message")
    }

    /// A card deleted by someone is posted again on its next change, and pinned again.
    @Test func repostedCardIsPinnedAgain() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let id = try await fixture.incidentAwaitingClaim(1)
        try await fixture.deliverAll()
        let oldCard = try #require(try await fixture.store.currentCard(id)?.messageID)
        _ = try await fixture.press(3, .claim, on: id, by: F.ann)
        let items = try await fixture.store.claimOutbox(now: F.t0)
        let update = try #require(items.first { $0.effect.kindName == "updateCard" })
        // The sender found the card gone and posted it again as message 9999.
        try await fixture.store.completeOutbox(update.id, result: .delivered(messageID: 9999), now: F.t0)
        #expect(try await fixture.store.currentCard(id)?.messageID == 9999)
        #expect(oldCard != 9999)
        let next = try await fixture.store.claimOutbox(now: F.t0)
        #expect(next.map(\.effect) == [.pinCard(id)])
        #expect(next.first?.cardMessageID == 9999)
    }

    @Test func requeueHandsItemsBack() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        _ = try await fixture.newIssue(1)
        let item = try #require(try await fixture.store.claimOutbox(now: F.t0).first)
        #expect(try await fixture.store.claimOutbox(now: F.t0).isEmpty)
        try await fixture.store.requeueOutbox(item.id)
        let again = try #require(try await fixture.store.claimOutbox(now: F.t0).first)
        #expect(again.id == item.id)
        #expect(again.attempts == 2)
        // At start-up, everything marked sent goes back.
        #expect(try await fixture.store.requeueAllSent() == 1)
        try await fixture.store.completeOutbox(item.id, result: .failed(reason: "Bad Request: chat not found"), now: F.t0)
        #expect(try await fixture.store.outboxResult(item.id) == "failed: Bad Request: chat not found")
    }

    /// A group upgraded to a supergroup: the group, its incidents and its undelivered items
    /// move to the new chat id; buttons pressed there keep working.
    @Test func migrationMovesTheGroupAndItsIncidents() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let id = try await fixture.incidentAwaitingClaim(1)
        let newChat = ChatRef(id: -1_009_999, kind: .supergroup, title: "Fleet")
        // The new chat was seen first (a message there), so it exists as a pending group.
        _ = try await fixture.store.apply(updateID: 3, chat: newChat, sender: F.ann, event: .help(command: 1), now: F.t0)
        let moved = try await fixture.store.apply(updateID: 4, chat: F.chat, sender: nil, event: .migrated(to: newChat.id), now: F.t0)
        #expect(moved.outcome == .applied)
        #expect(try await fixture.store.group(chat: F.chat.id) == nil)
        #expect(try await fixture.store.group(chat: newChat.id)?.status == .active)
        #expect(try await fixture.store.incidents(chat: newChat.id).map(\.id) == [id])
        let items = try await fixture.store.claimOutbox(now: F.t0)
        #expect(!items.isEmpty)
        #expect(items.allSatisfy { $0.chatID == nil || $0.chatID == newChat.id })
        // Presses from the new chat work, and so do presses on the card in the old group's
        // history (they name the old chat); no group is made up for the old chat id.
        #expect(try await fixture.press(5, .claim, on: id, by: F.ann, chat: newChat).outcome == .applied)
        #expect(try await fixture.press(7, .join, on: id, by: F.bob, chat: F.chat).outcome == .applied)
        #expect(try await fixture.store.group(chat: F.chat.id) == nil)
        // The migration notice again changes nothing.
        #expect(try await fixture.store.migrateGroup(from: F.chat.id, to: newChat.id, now: F.t0) == false)
        let next = try await fixture.newIssue(6, chat: newChat)
        #expect(try await fixture.store.incidentDetail(try #require(next.incidentID))?.incident.number == 2)
    }
}
