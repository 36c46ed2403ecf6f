import Foundation
import IncidentCore
@testable import IncidentService
@testable import Storage
import Testing
import WireProtocol

/// The dispatcher's decisions as data: inputs (a sender's hello, a result, a claimed item, the
/// clock) and the exact actions they decide, without a store or a socket.
@Suite("Outbox dispatch decisions")
struct OutboxDispatchTests {
    typealias Action = OutboxDispatch.Action

    static let start = ContinuousClock.now
    static func at(_ seconds: Double) -> ContinuousClock.Instant { start + .seconds(seconds) }
    static let first = Data("sender-a".utf8)
    static let second = Data("sender-b".utf8)
    static let group: Int64 = -100_1
    static let person: Int64 = 7

    static func item(_ effect: Effect, id: Int64 = 21, chat: Int64? = group, card: MessageID? = 40) -> OutboxItem {
        OutboxItem(
            id: id, effect: effect, chatID: chat.map(ChatID.init), incidentID: 5, cardMessageID: card, attempts: 1,
            createdAt: Date(timeIntervalSince1970: 0))
    }

    static let cardEdit = item(.updateCard(TranslationTests.card()))
    static let pin = item(.pinCard(5))
    static let notice = item(.sendMessage(OutgoingMessage(incidentID: 5, html: "Reminder", replyTo: .card(5))))
    static let direct = item(.sendDirect(DirectMessage(userID: 7, incidentID: 5, html: "Yours")), chat: person)

    /// A dispatch with `first` announced (credit 1) and holding `item`, sent at 0 s.
    static func holding(_ item: OutboxItem) -> OutboxDispatch {
        var dispatch = OutboxDispatch()
        _ = dispatch.senderReady(peer: first, ready: SenderReady(session: "s1", credit: 1), now: at(0))
        guard case .send = dispatch.hand(item, now: at(0)).first else {
            Issue.record("the item was not handed to the sender")
            return dispatch
        }
        return dispatch
    }

    // MARK: Results

    struct ResultCase: Sendable, CustomTestStringConvertible {
        var name: String
        var item: OutboxItem
        var outcome: IntentResult.Outcome
        var expected: [Action]
        var testDescription: String { name }
    }

    static let results: [ResultCase] = [
        ResultCase(
            name: "delivered: its message id is recorded", item: notice, outcome: .delivered(messageID: 90),
            expected: [.complete(outbox: 21, .delivered(messageID: 90))]),
        ResultCase(
            name: "not modified: done", item: cardEdit, outcome: .notModified,
            expected: [.complete(outbox: 21, .delivered(messageID: nil))]),
        ResultCase(
            name: "superseded by a newer edit: done", item: cardEdit, outcome: .superseded,
            expected: [.complete(outbox: 21, .delivered(messageID: nil))]),
        ResultCase(
            name: "press answered too late: the action stands", item: notice, outcome: .queryTooOld,
            expected: [.complete(outbox: 21, .delivered(messageID: nil))]),
        ResultCase(
            name: "edited card gone: ask whether it is still the card", item: cardEdit, outcome: .messageNotFound,
            expected: [.checkCard(cardEdit)]),
        ResultCase(
            name: "pinned message gone: failed", item: pin, outcome: .messageNotFound,
            expected: [.complete(outbox: 21, .failed(reason: "message not found"))]),
        ResultCase(
            name: "pin without the right: failed, the group is told once", item: pin, outcome: .notEnoughRights,
            expected: [
                .complete(outbox: 21, .failed(reason: "not enough rights")), .notePinRightMissing(outbox: 21, chat: group),
            ]),
        ResultCase(
            name: "message without the right: failed only", item: notice, outcome: .notEnoughRights,
            expected: [.complete(outbox: 21, .failed(reason: "not enough rights"))]),
        ResultCase(
            name: "private chat refuses: personal messages off", item: direct, outcome: .forbidden(description: "blocked"),
            expected: [
                .turnOffDirectMessages(user: person, description: "blocked"),
                .complete(outbox: 21, .failed(reason: "blocked")),
            ]),
        ResultCase(
            name: "group refuses: marked inactive", item: notice, outcome: .forbidden(description: "kicked"),
            expected: [.markGroupInactive(chat: group, description: "kicked"), .complete(outbox: 21, .failed(reason: "kicked"))]),
        ResultCase(
            name: "group migrated: moved, the intent stays in flight", item: cardEdit, outcome: .chatMigrated(newChatID: -100_2),
            expected: [.migrateGroup(from: group, to: -100_2, intent: 42)]),
        ResultCase(
            name: "rejected: failed and reported", item: notice, outcome: .rejected(description: "Bad Request"),
            expected: [
                .note(.intentFailed(intent: 42, description: "Bad Request")),
                .complete(outbox: 21, .failed(reason: "Bad Request")),
            ]),
        ResultCase(
            name: "gave up: failed and reported", item: notice, outcome: .gaveUp(description: "5 attempts"),
            expected: [
                .note(.intentFailed(intent: 42, description: "5 attempts")),
                .complete(outbox: 21, .failed(reason: "5 attempts")),
            ]),
    ]

    @Test("a result for an intent in flight decides", arguments: results)
    func resultInFlight(_ row: ResultCase) {
        var dispatch = Self.holding(row.item)
        let chat = row.item.chatID?.rawValue ?? 0
        let actions = dispatch.result(
            IntentResult(intentID: 42, chatID: chat, outcome: row.outcome), from: Self.first, now: Self.at(1))
        #expect(actions == [.note(.resultTaken)] + row.expected)
        if case .chatMigrated(let newChat) = row.outcome {
            #expect(dispatch.inFlight[42]?.chats == [chat, newChat])
            #expect(dispatch.peers[Self.first]?.credit == 0, "still held")
        } else {
            #expect(dispatch.inFlight[42] == nil)
            #expect(dispatch.peers[Self.first]?.credit == 1, "the credit is back")
        }
    }

    @Test("after a migration the result from the new chat completes the intent")
    func resultAfterMigration() {
        var dispatch = Self.holding(Self.notice)
        _ = dispatch.result(
            IntentResult(intentID: 42, chatID: Self.group, outcome: .chatMigrated(newChatID: -100_2)), from: Self.first, now: Self.at(1))
        let actions = dispatch.result(
            IntentResult(intentID: 42, chatID: -100_2, outcome: .delivered(messageID: 3)), from: Self.first, now: Self.at(2))
        #expect(actions == [.note(.resultTaken), .complete(outbox: 21, .delivered(messageID: 3))])
        #expect(dispatch.failed(.migrateGroup(from: Self.group, to: -100_2, intent: 42)) == [])
    }

    @Test("a migration the store could not record ends the intent like any other result")
    func migrationNotRecorded() {
        var dispatch = Self.holding(Self.notice)
        _ = dispatch.result(
            IntentResult(intentID: 42, chatID: Self.group, outcome: .chatMigrated(newChatID: -100_2)), from: Self.first, now: Self.at(1))
        #expect(dispatch.failed(.migrateGroup(from: Self.group, to: -100_2, intent: 42)) == [])
        #expect(dispatch.inFlight.isEmpty)
        #expect(dispatch.peers[Self.first]?.credit == 1)
    }

    struct StrayCase: Sendable, CustomTestStringConvertible {
        var name: String
        var intent: Int64
        var chat: Int64
        var peer: Data
        var outcome: IntentResult.Outcome
        var expected: [Action]
        var testDescription: String { name }
    }

    static let strays: [StrayCase] = [
        StrayCase(
            name: "from another sender than the holder: dropped", intent: 42, chat: group, peer: second,
            outcome: .delivered(messageID: 1), expected: [.note(.resultMismatch(intent: 42, chat: group, samePeer: false))]),
        StrayCase(
            name: "naming another chat: dropped", intent: 42, chat: -999, peer: first,
            outcome: .delivered(messageID: 1), expected: [.note(.resultMismatch(intent: 42, chat: -999, samePeer: true))]),
        StrayCase(
            name: "late, delivered: recorded", intent: 8, chat: group, peer: first,
            outcome: .delivered(messageID: 1), expected: [.completeLate(outbox: 4, .delivered(messageID: 1))]),
        StrayCase(
            name: "late, a re-post delivered: recorded for its item", intent: 9, chat: group, peer: first,
            outcome: .delivered(messageID: nil), expected: [.completeLate(outbox: 4, .delivered(messageID: nil))]),
        StrayCase(
            name: "late, failed: ignored", intent: 8, chat: group, peer: first,
            outcome: .rejected(description: "x"), expected: []),
        StrayCase(
            name: "late, from a sender that never announced itself: ignored", intent: 8, chat: group, peer: second,
            outcome: .delivered(messageID: 1), expected: []),
    ]

    @Test("a result that does not match the intent in flight", arguments: strays)
    func strayResult(_ row: StrayCase) {
        var dispatch = Self.holding(Self.notice)
        let actions = dispatch.result(
            IntentResult(intentID: row.intent, chatID: row.chat, outcome: row.outcome), from: row.peer, now: Self.at(1))
        #expect(actions == row.expected)
        #expect(dispatch.inFlight[42] != nil, "the intent in flight is untouched")
        #expect(dispatch.peers[Self.first]?.credit == 0)
    }

    // MARK: Deleted cards

    @Test("a deleted card is posted again under the re-post's intent id, once")
    func cardPostedAgain() throws {
        var dispatch = Self.holding(Self.cardEdit)
        _ = dispatch.result(IntentResult(intentID: 42, chatID: Self.group, outcome: .messageNotFound), from: Self.first, now: Self.at(1))
        let actions = dispatch.cardChecked(Self.cardEdit, isCurrent: true, now: Self.at(2))
        let repost = try Translation.action(for: Self.cardEdit, repost: true).get()
        #expect(actions == [
            .note(.cardGone(incident: 5)),
            .send(OutboundIntent(id: 43, chatID: Self.group, action: repost), to: Self.first),
        ])
        // The re-post's card is gone too: no third copy.
        let again = dispatch.result(
            IntentResult(intentID: 43, chatID: Self.group, outcome: .messageNotFound), from: Self.first, now: Self.at(3))
        #expect(again == [.note(.resultTaken), .complete(outbox: 21, .failed(reason: "message not found"))])
    }

    @Test("the old card of a migrated group is not posted again")
    func oldCardNotPostedAgain() {
        var dispatch = Self.holding(Self.cardEdit)
        _ = dispatch.result(IntentResult(intentID: 42, chatID: Self.group, outcome: .messageNotFound), from: Self.first, now: Self.at(1))
        #expect(dispatch.cardChecked(Self.cardEdit, isCurrent: false, now: Self.at(2))
            == [.complete(outbox: 21, .failed(reason: "message not found"))])
        #expect(dispatch.inFlight.isEmpty)
    }

    // MARK: Senders

    @Test(
        "credit a sender announces is clamped and decides how much is claimed",
        arguments: [(Int.min, 0), (-1, 0), (0, 0), (7, 7), (500, 100), (Int.max, 100)])
    func creditClamped(announced: Int, claimed: Int) {
        var dispatch = OutboxDispatch()
        let actions = dispatch.senderReady(peer: Self.first, ready: SenderReady(session: "s1", credit: announced), now: Self.at(0))
        #expect(actions == [.note(.senderConnected(session: "s1", credit: announced))])
        #expect(dispatch.peers[Self.first]?.credit == min(max(announced, 0), OutboxDispatch.maximumCredit))
        #expect(dispatch.pump() == (claimed == 0 ? [] : [.claim(limit: claimed)]))
    }

    @Test("a heartbeat keeps what the sender holds; a new session hands it back")
    func heartbeatAndRestart() {
        var dispatch = Self.holding(Self.notice)
        #expect(dispatch.senderReady(peer: Self.first, ready: SenderReady(session: "s1", credit: 3), now: Self.at(1)) == [])
        #expect(dispatch.peers[Self.first]?.credit == 2, "the intent it holds counts against its credit")
        let restarted = dispatch.senderReady(peer: Self.first, ready: SenderReady(session: "s2", credit: 3), now: Self.at(2))
        #expect(restarted == [.requeue([21], because: .senderRestarted(session: "s2"))])
        #expect(dispatch.inFlight.isEmpty)
        #expect(dispatch.peers[Self.first]?.credit == 3)
    }

    @Test("sweep hands back what a silent sender held, and what timed out")
    func sweep() {
        var dispatch = OutboxDispatch(resultTimeout: .seconds(60), silenceLimit: .seconds(8))
        _ = dispatch.senderReady(peer: Self.first, ready: SenderReady(session: "s1", credit: 2), now: Self.at(0))
        _ = dispatch.senderReady(peer: Self.second, ready: SenderReady(session: "s2", credit: 2), now: Self.at(0))
        // Chat 2 hashes to the first sender, chat 3 to the second.
        _ = dispatch.hand(Self.item(.sendDirect(DirectMessage(userID: 2, incidentID: 5, html: "a")), id: 1, chat: 2), now: Self.at(0))
        _ = dispatch.hand(Self.item(.sendDirect(DirectMessage(userID: 3, incidentID: 5, html: "b")), id: 2, chat: 3), now: Self.at(0))
        #expect(Set(dispatch.inFlight.values.map(\.peer)) == [Self.first, Self.second])
        // Only the second keeps its heartbeat.
        func heartbeat(_ seconds: Double) {
            _ = dispatch.senderReady(peer: Self.second, ready: SenderReady(session: "s2", credit: 2), now: Self.at(seconds))
        }
        heartbeat(25)
        #expect(dispatch.sweep(now: Self.at(30)) == [.requeue([1], because: .senderSilent(session: "s1"))])
        #expect(dispatch.peers.keys.sorted { $0.lexicographicallyPrecedes($1) } == [Self.second])
        heartbeat(58)
        #expect(dispatch.sweep(now: Self.at(59)) == [])
        heartbeat(60.5)
        #expect(dispatch.sweep(now: Self.at(61)) == [.requeue([2], because: .resultTimedOut)])
        #expect(dispatch.inFlight.isEmpty)
    }

    // MARK: Handing items out

    struct HandCase: Sendable, CustomTestStringConvertible {
        var name: String
        var item: OutboxItem
        var expected: [Action]
        var testDescription: String { name }
    }

    static let hands: [HandCase] = [
        HandCase(
            name: "a card edit carries its card's coalescing key", item: cardEdit,
            expected: [.send(
                OutboundIntent(
                    id: 42, chatID: group,
                    action: try! Translation.action(for: cardEdit).get(), coalescingKey: "card:5"),
                to: first)]),
        HandCase(
            name: "a card not yet posted is posted, without a key", item: item(.updateCard(TranslationTests.card()), card: nil),
            expected: [.send(
                OutboundIntent(
                    id: 42, chatID: group, action: try! Translation.action(for: item(.updateCard(TranslationTests.card()), card: nil)).get()),
                to: first)]),
        HandCase(
            name: "a press answer goes without a chat",
            item: item(.answerPress(PressAnswer(query: "q1", text: "Claimed", showAlert: false)), chat: nil),
            expected: [.send(
                OutboundIntent(id: 42, chatID: 0, action: .answerCallback(callbackQueryID: "q1", text: "Claimed", showAlert: false)),
                to: first)]),
        HandCase(
            name: "a message without a chat cannot be delivered", item: item(.sendMessage(OutgoingMessage(incidentID: 5, html: "x")), chat: nil),
            expected: [.giveUp(outbox: 21, reason: "no chat to deliver to")]),
        HandCase(
            name: "a pin before the card exists cannot be delivered", item: item(.pinCard(5), card: nil),
            expected: [.giveUp(outbox: 21, reason: "the card has no message id yet")]),
    ]

    @Test("a claimed item is handed to a sender, or completed without a call", arguments: hands)
    func hand(_ row: HandCase) {
        var dispatch = OutboxDispatch()
        _ = dispatch.senderReady(peer: Self.first, ready: SenderReady(session: "s1", credit: 1), now: Self.at(0))
        #expect(dispatch.hand(row.item, now: Self.at(0)) == row.expected)
        let handed = if case .send = row.expected.first { true } else { false }
        #expect(dispatch.peers[Self.first]?.credit == (handed ? 0 : 1))
        #expect(dispatch.inFlight.count == (handed ? 1 : 0))
    }

    @Test("with no sender free an item goes back to the outbox")
    func noSenderFree() {
        var dispatch = Self.holding(Self.notice)
        #expect(dispatch.hand(Self.pin, now: Self.at(1)) == [.requeue([21], because: .noSenderFree)])
        #expect(dispatch.pump() == [])
    }

    @Test("a chat stays with the sender its hash picks while that sender has credit")
    func chatsStayWithTheirSender() {
        var dispatch = OutboxDispatch()
        _ = dispatch.senderReady(peer: Self.first, ready: SenderReady(session: "s1", credit: 1), now: Self.at(0))
        _ = dispatch.senderReady(peer: Self.second, ready: SenderReady(session: "s2", credit: 2), now: Self.at(0))
        func peer(_ actions: [Action]) -> Data? {
            if case .send(_, let peer) = actions.first { return peer }
            return nil
        }
        // -1001 is odd: the second of the two (sorted) senders.
        #expect(peer(dispatch.hand(Self.item(.pinCard(5), id: 1), now: Self.at(0))) == Self.second)
        #expect(peer(dispatch.hand(Self.item(.pinCard(5), id: 2, chat: -100_2), now: Self.at(0))) == Self.first)
        // The first has no credit left: an even chat goes to the one with credit.
        #expect(peer(dispatch.hand(Self.item(.pinCard(5), id: 3, chat: -100_2), now: Self.at(0))) == Self.second)
    }

    @Test("a sender that cannot be reached is forgotten, with what it held")
    func sendFailed() {
        var dispatch = OutboxDispatch()
        _ = dispatch.senderReady(peer: Self.first, ready: SenderReady(session: "s1", credit: 2), now: Self.at(0))
        _ = dispatch.hand(Self.item(.pinCard(5), id: 1), now: Self.at(0))
        let send = dispatch.hand(Self.item(.pinCard(5), id: 2), now: Self.at(0))
        #expect(dispatch.failed(send[0]) == [.requeue([1, 2], because: .senderGone)])
        #expect(dispatch.peers.isEmpty)
        #expect(dispatch.inFlight.isEmpty)
        #expect(dispatch.pump() == [])
    }
}
