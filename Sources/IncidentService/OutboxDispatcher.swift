import Foundation
import IncidentCore
import IncidentStore
import Logging
import Metrics
import RoleSupport
import WireProtocol
import ZeroMQ

/// Hands outbox items to connected senders and records what became of them.
///
/// Senders announce themselves with `sender_ready` (session, credit) and repeat it as a
/// heartbeat. An item is claimed only when some sender has credit, sent to the sender chosen
/// by its chat's hash (so one chat's calls stay with one sender), and completed when its
/// `intent_result` comes back. An item whose result does not come within `resultTimeout`, or
/// whose sender restarted (new session) or went silent, is handed back to the outbox.
actor OutboxDispatcher {
    struct Peer {
        var session: String
        var credit: Int
        var lastSeen: ContinuousClock.Instant
    }

    struct InFlight {
        var item: OutboxItem
        var peer: Data
        var sentAt: ContinuousClock.Instant
        /// The chat ids a result for it may name: the intent's, and the new id after a
        /// migration the sender reported.
        var chats: Set<Int64>
    }

    /// The most credit a sender may claim: a peer's number is clamped to 0...this, so no
    /// arithmetic on it can overflow (a sender holds at most a few hundred calls anyway).
    static let maximumCredit = 10_000

    let store: IncidentStore
    let socket: ZMQSocket
    let logger: Logger
    let resultTimeout: Duration
    let silenceLimit: Duration
    let now: @Sendable () -> Date
    private var peers: [Data: Peer] = [:]
    private var inFlight: [Int64: InFlight] = [:]
    private let delivered = Counter(label: "raisedash_intents_completed_total")

    init(store: IncidentStore, socket: ZMQSocket, logger: Logger, resultTimeout: Duration = .seconds(60),
         silenceLimit: Duration = .seconds(8), now: @escaping @Sendable () -> Date) {
        self.store = store
        self.socket = socket
        self.logger = logger
        self.resultTimeout = resultTimeout
        self.silenceLimit = silenceLimit
        self.now = now
    }

    var connectedSenders: Int { peers.count }

    /// A `sender_ready` arrived.
    func senderReady(peer: Data, ready: SenderReady) async {
        if let known = peers[peer], known.session != ready.session {
            logger.warning("sender restarted; re-sending what it held", metadata: ["sender.session": "\(ready.session)"])
            await requeue { $0.peer == peer }
        } else if peers[peer] == nil {
            logger.info("sender connected", metadata: ["sender.session": "\(ready.session)", "sender.credit": "\(ready.credit)"])
        }
        let held = inFlight.values.filter { $0.peer == peer }.count
        let credit = min(max(ready.credit, 0), Self.maximumCredit)
        peers[peer] = Peer(session: ready.session, credit: max(0, credit - held), lastSeen: .now)
    }

    /// An `intent_result` arrived.
    func result(_ result: IntentResult, from peer: Data) async {
        peers[peer]?.lastSeen = .now
        let (outboxID, _) = Translation.outboxID(intent: result.intentID)
        if let flight = inFlight[result.intentID], flight.peer != peer || !flight.chats.contains(result.chatID) {
            // Not the sender it was handed to, or not its chat: a confused or forged result
            // must not complete (or re-route) someone else's intent.
            logger.warning("dropped an intent result that does not match the intent in flight", metadata: [
                "intent.id": "\(result.intentID)", "chat.id": "\(result.chatID)",
                "same.peer": "\(flight.peer == peer)",
            ])
            Counter(label: "raisedash_bus_dropped_frames_total", dimensions: [("socket", "intents"), ("kind", "result_mismatch")]).increment()
            return
        }
        guard var flight = inFlight.removeValue(forKey: result.intentID) else {
            // Late or duplicate: completing twice is harmless, so record delivered results,
            // but only from a sender that announced itself.
            guard peers[peer] != nil else { return }
            if case .delivered(let message) = result.outcome {
                try? await store.completeOutbox(outboxID, result: .delivered(messageID: message.map(MessageID.init)), now: now())
            }
            return
        }
        peers[peer]?.credit += 1
        delivered.increment()
        let item = flight.item
        do {
            switch result.outcome {
            case .delivered(let message):
                try await store.completeOutbox(outboxID, result: .delivered(messageID: message.map(MessageID.init)), now: now())
            case .notModified, .superseded, .queryTooOld:
                try await store.completeOutbox(outboxID, result: .delivered(messageID: nil), now: now())
            case .messageNotFound:
                if case .updateCard = item.effect, !Translation.outboxID(intent: result.intentID).repost,
                    try await isCurrentCard(item)
                {
                    // The card was deleted: post it again; its new id becomes the card's.
                    logger.info("card is gone; posting it again", metadata: ["incident.id": "\(item.incidentID.map { "\($0)" } ?? "-")"])
                    await send(item, repost: true)
                } else {
                    try await store.completeOutbox(outboxID, result: .failed(reason: "message not found"), now: now())
                }
            case .notEnoughRights:
                try await store.completeOutbox(outboxID, result: .failed(reason: "not enough rights"), now: now())
                if isPinning(item.effect), try await store.notePinRightMissing(outbox: outboxID, now: now()) != nil {
                    logger.info("bot may not pin; telling the group once", metadata: ["chat.id": "\(result.chatID)"])
                    await pump()
                }
            case .forbidden(let description) where result.chatID > 0:
                // A private chat (its id is the user's): the person blocked the bot or never
                // started it. Personal messages off for them, quietly; nothing else changes.
                logger.info("personal message refused; turning them off for the person", metadata: ["user.id": "\(result.chatID)", "error": "\(description)"])
                try await store.directMessagesRefused(user: UserID(result.chatID), now: now())
                try await store.completeOutbox(outboxID, result: .failed(reason: description), now: now())
            case .forbidden(let description):
                logger.warning("bot cannot write to the chat; marking the group inactive", metadata: ["chat.id": "\(result.chatID)", "error": "\(description)"])
                try await store.markGroupInactive(chat: ChatID(result.chatID), now: now())
                try await store.completeOutbox(outboxID, result: .failed(reason: description), now: now())
            case .chatMigrated(let newChat):
                // Not final: the sender retries the call on the new chat id and reports its
                // outcome for the same intent, so the item stays in flight until then.
                logger.info("group migrated", metadata: ["chat.id": "\(result.chatID)", "chat.new_id": "\(newChat)"])
                try await store.migrateGroup(from: ChatID(result.chatID), to: ChatID(newChat), now: now())
                flight.chats.insert(newChat)
                inFlight[result.intentID] = flight
                peers[peer]?.credit -= 1
            case .rejected(let description), .gaveUp(let description):
                logger.error("intent failed", metadata: ["intent.id": "\(result.intentID)", "error": "\(description)"])
                try await store.completeOutbox(outboxID, result: .failed(reason: description), now: now())
            }
        } catch {
            logger.error("could not record an intent result", metadata: ["intent.id": "\(result.intentID)", "error": "\(error)"])
        }
    }

    /// Claims what senders can take now and sends it.
    func pump() async {
        let credit = peers.values.reduce(0) { $0 + $1.credit }
        guard credit > 0 else { return }
        let items: [OutboxItem]
        do {
            items = try await store.claimOutbox(limit: min(credit, 100), now: now())
        } catch {
            logger.error("could not read the outbox", metadata: ["error": "\(error)"])
            return
        }
        for item in items { await send(item, repost: false) }
    }

    private func send(_ item: OutboxItem, repost: Bool) async {
        let action: OutboundIntent.Action
        switch Translation.action(for: item, repost: repost) {
        case .success(let value): action = value
        case .failure(let reason):
            try? await store.completeOutbox(item.id, result: .failed(reason: reason.rawValue), now: now())
            return
        }
        let isAnswer = if case .answerCallback = action { true } else { false }
        guard isAnswer || item.chatID != nil else {
            try? await store.completeOutbox(item.id, result: .failed(reason: Translation.Undeliverable.noChat.rawValue), now: now())
            return
        }
        let chat = item.chatID?.rawValue ?? 0
        guard let peer = choosePeer(chat: chat) else {
            try? await store.requeueOutbox(item.id)
            return
        }
        let intentID = Translation.intentID(outbox: item.id, repost: repost)
        var coalescing: String?
        if case .editMessage = action, let incident = item.incidentID { coalescing = "card:\(incident)" }
        let intent = OutboundIntent(id: intentID, chatID: chat, action: action, coalescingKey: coalescing)
        do {
            try await Bus.send(Envelope(type: .outboundIntent, sender: .incidents, time: now(), payload: intent), on: socket, routing: [peer])
            peers[peer]?.credit -= 1
            inFlight[intentID] = InFlight(item: item, peer: peer, sentAt: .now, chats: [chat])
        } catch {
            // The sender is gone (killed, restarted under a new identity): what it held will
            // never be answered either, so it goes back to the outbox with this item. (Only
            // `sweep` looked at held items, and only for senders still listed, so a lane
            // stalled behind them until the result timeout.)
            logger.warning("could not hand an intent to a sender; re-sending what it held", metadata: ["intent.id": "\(intentID)", "error": "\(error)"])
            peers.removeValue(forKey: peer)
            try? await store.requeueOutbox(item.id)
            await requeue { $0.peer == peer }
        }
    }

    /// The sender for `chat`: by hash among those with credit, so a chat stays with one sender.
    private func choosePeer(chat: Int64) -> Data? {
        let ready = peers.filter { $0.value.credit > 0 }.keys.sorted { $0.lexicographicallyPrecedes($1) }
        guard !ready.isEmpty else { return nil }
        let all = peers.keys.sorted { $0.lexicographicallyPrecedes($1) }
        let preferred = all[Int(UInt64(bitPattern: chat) % UInt64(all.count))]
        return ready.contains(preferred) ? preferred : ready[0]
    }

    /// Hands back what timed out or whose sender went silent.
    func sweep() async {
        let instant = ContinuousClock.now
        for (peer, state) in peers where instant - state.lastSeen > silenceLimit {
            logger.warning("sender went silent; re-sending what it held", metadata: ["sender.session": "\(state.session)"])
            peers.removeValue(forKey: peer)
            await requeue { $0.peer == peer }
        }
        await requeue { instant - $0.sentAt > resultTimeout }
    }

    private func requeue(where condition: (InFlight) -> Bool) async {
        for (intentID, flight) in inFlight where condition(flight) {
            inFlight.removeValue(forKey: intentID)
            try? await store.requeueOutbox(flight.item.id)
        }
    }
}
