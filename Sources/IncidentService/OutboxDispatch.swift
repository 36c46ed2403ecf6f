import Foundation
import IncidentCore
import Storage
import WireProtocol

/// The outbox dispatcher's decisions, as a pure state machine: which senders are connected and
/// how much each can take, which intents each holds, what a result means. Time is an input
/// (`now`); ``OutboxDispatcher`` carries the returned ``Action``s out (store calls, bus sends,
/// logs) and reports back what a store call answered or that a call failed.
///
/// Rules:
/// - A sender announces itself with `sender_ready` (session, credit) and repeats it as a
///   heartbeat. A new session means it lost what it held: that goes back to the outbox. Its
///   credit is clamped to 0...``maximumCredit``, less what it already holds.
/// - Items are claimed only while some sender has credit. An item goes to the sender chosen by
///   its chat's hash among those with credit, so one chat's calls stay with one sender; with no
///   sender free it goes back to the outbox.
/// - A result counts only from the sender holding the intent and for the intent's chat (or
///   the chat it migrated to); any other is dropped. A result for an intent no longer in
///   flight (late, duplicate) is recorded if it says delivered and its sender announced itself.
/// - What a result means is decided here: a deleted card is posted again (once: not for a
///   re-post, nor for the old card of a migrated group); a pin refused for lack of the right
///   tells the group once; a private chat that refuses turns personal messages off for the
///   person; a group that refuses is marked inactive; a migration moves the group and keeps
///   the intent in flight until the sender reports it on the new chat.
/// - An intent whose result does not come within `resultTimeout`, or whose sender is silent
///   for more than `silenceLimit`, goes back to the outbox.
struct OutboxDispatch {
    typealias Instant = ContinuousClock.Instant

    /// A connected sender.
    struct Peer: Equatable, Sendable {
        var session: String
        var credit: Int
        var lastSeen: Instant
    }

    /// An intent handed to a sender, waiting for its result.
    struct InFlight: Equatable, Sendable {
        var item: OutboxItem
        var peer: Data
        var sentAt: Instant
        /// The chat ids a result for it may name: the intent's, and the new id after a
        /// migration the sender reported.
        var chats: Set<Int64>
    }

    /// What the dispatcher does next, in order. A store call that fails ends its batch: the
    /// dispatcher logs it and tells ``failed(_:)``.
    enum Action: Equatable, Sendable {
        /// Hand `intent` to the sender `peer` on the bus.
        case send(OutboundIntent, to: Data)
        /// Claim up to `limit` pending items from the outbox and ``hand(_:repost:now:)`` each.
        case claim(limit: Int)
        /// Hand items back to the outbox (best effort): their results will not come.
        case requeue([Int64], because: Requeue)
        /// Record how an item ended.
        case complete(outbox: Int64, DeliveryResult)
        /// Record a delivered result for an item no longer in flight (best effort: completing
        /// twice is harmless).
        case completeLate(outbox: Int64, DeliveryResult)
        /// Complete an item that cannot be delivered, without a Telegram call (best effort).
        case giveUp(outbox: Int64, reason: String)
        /// Ask the store whether the card `item` edited is still its incident's card, and
        /// tell ``cardChecked(_:isCurrent:now:)``.
        case checkCard(OutboxItem)
        /// A pin or unpin refused for lack of the pin right: tell the group once
        /// (`IncidentStore.notePinRightMissing(outbox:now:)`), and deliver that notice now.
        case notePinRightMissing(outbox: Int64, chat: Int64)
        /// A private chat refused a message: the person blocked the bot or never started it.
        /// Personal messages off for them, quietly; nothing else changes.
        case turnOffDirectMessages(user: Int64, description: String)
        /// The bot may not write to the group (removed, kicked): mark it inactive.
        case markGroupInactive(chat: Int64, description: String)
        /// The group moved to the supergroup `to`, as the result for `intent` said.
        case migrateGroup(from: Int64, to: Int64, intent: Int64)
        /// Something for operators to see; no store call.
        case note(Note)
    }

    /// Why items go back to the outbox.
    enum Requeue: Equatable, Sendable {
        /// The sender came back with a new session: it lost what it held.
        case senderRestarted(session: String)
        /// The sender sent no heartbeat for longer than `silenceLimit`.
        case senderSilent(session: String)
        /// Handing it an intent failed: it is gone, and so is what it held.
        case senderGone
        /// No result within `resultTimeout`.
        case resultTimedOut
        /// No sender has credit for the item now.
        case noSenderFree
    }

    /// What operators see (logs, metrics).
    enum Note: Equatable, Sendable {
        case senderConnected(session: String, credit: Int)
        /// A result for an intent in flight from another sender than the one holding it, or
        /// naming another chat: a confused or forged result, dropped.
        case resultMismatch(intent: Int64, chat: Int64, samePeer: Bool)
        /// A result for an intent in flight was taken.
        case resultTaken
        /// The card an edit targeted was deleted: it is posted again.
        case cardGone(incident: IncidentID?)
        /// Telegram refused the call for good, or it kept failing.
        case intentFailed(intent: Int64, description: String)
    }

    /// The most credit a sender may claim: a peer's number is clamped to 0...this, so no
    /// arithmetic on it can overflow (a sender holds at most a few hundred calls anyway).
    static let maximumCredit = 10_000
    /// The most items claimed at once.
    static let maximumClaim = 100

    let resultTimeout: Duration
    let silenceLimit: Duration
    private(set) var peers: [Data: Peer] = [:]
    /// By intent id (``IntentID/rawValue``).
    private(set) var inFlight: [Int64: InFlight] = [:]

    init(resultTimeout: Duration = .seconds(60), silenceLimit: Duration = .seconds(8)) {
        self.resultTimeout = resultTimeout
        self.silenceLimit = silenceLimit
    }

    // MARK: Senders

    /// A `sender_ready` arrived from `peer`.
    mutating func senderReady(peer: Data, ready: SenderReady, now: Instant) -> [Action] {
        var actions: [Action] = []
        if let known = peers[peer], known.session != ready.session {
            actions.append(.requeue(handBack { $0.peer == peer }, because: .senderRestarted(session: ready.session)))
        } else if peers[peer] == nil {
            actions.append(.note(.senderConnected(session: ready.session, credit: ready.credit)))
        }
        let held = inFlight.values.filter { $0.peer == peer }.count
        let credit = min(max(ready.credit, 0), Self.maximumCredit)
        peers[peer] = Peer(session: ready.session, credit: max(0, credit - held), lastSeen: now)
        return actions
    }

    /// What timed out, and what senders that went silent held, goes back to the outbox.
    mutating func sweep(now: Instant) -> [Action] {
        var actions: [Action] = []
        for (peer, state) in peers.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) })
        where now - state.lastSeen > silenceLimit {
            peers.removeValue(forKey: peer)
            actions.append(.requeue(handBack { $0.peer == peer }, because: .senderSilent(session: state.session)))
        }
        let timeout = resultTimeout
        let timedOut = handBack { now - $0.sentAt > timeout }
        if !timedOut.isEmpty { actions.append(.requeue(timedOut, because: .resultTimedOut)) }
        return actions
    }

    // MARK: Items out

    /// Claims what senders can take now.
    func pump() -> [Action] {
        let credit = peers.values.reduce(0) { $0 + $1.credit }
        guard credit > 0 else { return [] }
        return [.claim(limit: min(credit, Self.maximumClaim))]
    }

    /// Hands a claimed item to a sender (or posts its card again, for `repost`).
    mutating func hand(_ item: OutboxItem, repost: Bool = false, now: Instant) -> [Action] {
        let action: OutboundIntent.Action
        switch Translation.action(for: item, repost: repost) {
        case .success(let value): action = value
        case .failure(let reason): return [.giveUp(outbox: item.id, reason: reason.rawValue)]
        }
        let isAnswer = if case .answerCallback = action { true } else { false }
        guard isAnswer || item.chatID != nil else {
            return [.giveUp(outbox: item.id, reason: Translation.Undeliverable.noChat.rawValue)]
        }
        let chat = item.chatID?.rawValue ?? 0
        guard let peer = choosePeer(chat: chat) else { return [.requeue([item.id], because: .noSenderFree)] }
        let id = IntentID(outbox: item.id, repost: repost)
        let intent = OutboundIntent(
            id: id.rawValue, chatID: chat, action: action, coalescingKey: Self.coalescingKey(action, of: item))
        peers[peer]?.credit -= 1
        inFlight[id.rawValue] = InFlight(item: item, peer: peer, sentAt: now, chats: [chat])
        return [.send(intent, to: peer)]
    }

    /// The sender may drop an edit of a card when a newer edit of the same card waits behind it
    /// (see docs/protocol.md, "Who coalesces card edits").
    static func coalescingKey(_ action: OutboundIntent.Action, of item: OutboxItem) -> String? {
        guard case .editMessage = action, let incident = item.incidentID else { return nil }
        return "card:\(incident)"
    }

    /// The sender for `chat`: by hash among those with credit, so a chat stays with one sender.
    private func choosePeer(chat: Int64) -> Data? {
        let ready = peers.filter { $0.value.credit > 0 }.keys.sorted { $0.lexicographicallyPrecedes($1) }
        guard !ready.isEmpty else { return nil }
        let all = peers.keys.sorted { $0.lexicographicallyPrecedes($1) }
        let preferred = all[Int(UInt64(bitPattern: chat) % UInt64(all.count))]
        return ready.contains(preferred) ? preferred : ready[0]
    }

    // MARK: Results in

    /// An `intent_result` arrived from `peer`.
    mutating func result(_ result: IntentResult, from peer: Data, now: Instant) -> [Action] {
        peers[peer]?.lastSeen = now
        let intent = IntentID(rawValue: result.intentID)
        guard let flight = inFlight[result.intentID] else {
            // Late or duplicate: completing twice is harmless, so record delivered results,
            // but only from a sender that announced itself.
            guard peers[peer] != nil, case .delivered(let message) = result.outcome else { return [] }
            return [.completeLate(outbox: intent.outbox, .delivered(messageID: message.map(MessageID.init)))]
        }
        guard flight.peer == peer, flight.chats.contains(result.chatID) else {
            // Not the sender it was handed to, or not its chat: a confused or forged result
            // must not complete (or re-route) someone else's intent.
            return [.note(.resultMismatch(intent: result.intentID, chat: result.chatID, samePeer: flight.peer == peer))]
        }
        if case .chatMigrated(let newChat) = result.outcome {
            // Not final: the sender retries the call on the new chat id and reports its
            // outcome for the same intent, so the item stays in flight until then.
            inFlight[result.intentID]?.chats.insert(newChat)
            return [.note(.resultTaken), .migrateGroup(from: result.chatID, to: newChat, intent: result.intentID)]
        }
        inFlight.removeValue(forKey: result.intentID)
        peers[peer]?.credit += 1
        return [.note(.resultTaken)] + Self.actions(for: result, of: flight.item, intent: intent)
    }

    /// What a final result means for its item.
    private static func actions(for result: IntentResult, of item: OutboxItem, intent: IntentID) -> [Action] {
        let outbox = intent.outbox
        switch result.outcome {
        case .delivered(let message):
            return [.complete(outbox: outbox, .delivered(messageID: message.map(MessageID.init)))]
        case .notModified, .superseded, .queryTooOld:
            return [.complete(outbox: outbox, .delivered(messageID: nil))]
        case .messageNotFound:
            // An edited card that is gone is posted again, unless this was the re-post.
            if case .updateCard = item.effect, !intent.isRepost { return [.checkCard(item)] }
            return [.complete(outbox: outbox, .failed(reason: "message not found"))]
        case .notEnoughRights:
            let complete = Action.complete(outbox: outbox, .failed(reason: "not enough rights"))
            guard isPinning(item.effect) else { return [complete] }
            return [complete, .notePinRightMissing(outbox: outbox, chat: result.chatID)]
        case .forbidden(let description) where result.chatID > 0:
            // A private chat: its id is the user's.
            return [
                .turnOffDirectMessages(user: result.chatID, description: description),
                .complete(outbox: outbox, .failed(reason: description)),
            ]
        case .forbidden(let description):
            return [
                .markGroupInactive(chat: result.chatID, description: description),
                .complete(outbox: outbox, .failed(reason: description)),
            ]
        case .chatMigrated:
            // Not final: `result(_:from:now:)` keeps the intent in flight.
            return []
        case .rejected(let description), .gaveUp(let description):
            return [
                .note(.intentFailed(intent: result.intentID, description: description)),
                .complete(outbox: outbox, .failed(reason: description)),
            ]
        }
    }

    /// The store answered ``Action/checkCard(_:)``: whether the card `item` edited is still
    /// its incident's card. After a group migration the card is posted afresh in the
    /// supergroup; an edit of the old card, retried there and answered "message to edit not
    /// found", must not post yet another copy.
    mutating func cardChecked(_ item: OutboxItem, isCurrent: Bool, now: Instant) -> [Action] {
        guard isCurrent else { return [.complete(outbox: item.id, .failed(reason: "message not found"))] }
        // The card was deleted: post it again; its new id becomes the card's.
        return [.note(.cardGone(incident: item.incidentID))] + hand(item, repost: true, now: now)
    }

    /// Pins and unpins fail with "not enough rights" when the bot lacks the pin right; the
    /// group is then told once (see `IncidentStore.notePinRightMissing(outbox:now:)`).
    static func isPinning(_ effect: Effect) -> Bool {
        switch effect {
        case .pinCard, .unpinCard: true
        default: false
        }
    }

    // MARK: Failures

    /// Carrying out `action` failed.
    mutating func failed(_ action: Action) -> [Action] {
        switch action {
        case .send(_, let peer):
            // The sender is gone (killed, restarted under a new identity): what it held will
            // never be answered either, so it goes back with this item. (Only `sweep` looked
            // at held items, and only for senders still listed, so a lane stalled behind them
            // until the result timeout.)
            peers.removeValue(forKey: peer)
            return [.requeue(handBack { $0.peer == peer }, because: .senderGone)]
        case .migrateGroup(_, _, let intent):
            // Not recorded: the intent ends here like any other result, and the result the
            // sender reports from the new chat comes as a late one.
            if let flight = inFlight.removeValue(forKey: intent) { peers[flight.peer]?.credit += 1 }
            return []
        default:
            return []
        }
    }

    /// Removes the intents in flight that match; returns their outbox ids, in order.
    private mutating func handBack(where condition: (InFlight) -> Bool) -> [Int64] {
        let matching = inFlight.filter { condition($0.value) }
        for intent in matching.keys { inFlight.removeValue(forKey: intent) }
        return matching.values.map(\.item.id).sorted()
    }
}
