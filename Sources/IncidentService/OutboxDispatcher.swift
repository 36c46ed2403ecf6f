import Foundation
import IncidentCore
import Logging
import Metrics
import RoleSupport
import Storage
import WireProtocol
import ZeroMQ

/// Hands outbox items to connected senders and records what became of them.
///
/// Senders announce themselves with `sender_ready` (session, credit) and repeat it as a
/// heartbeat. An item is claimed only when some sender has credit, sent to the sender chosen
/// by its chat's hash (so one chat's calls stay with one sender), and completed when its
/// `intent_result` comes back. An item whose result does not come within `resultTimeout`, or
/// whose sender restarted (new session) or went silent, is handed back to the outbox.
///
/// The decisions are ``OutboxDispatch``'s; this actor owns it, feeds it the bus's messages and
/// the clock, and carries out the actions it returns (store calls, bus sends, logs, metrics).
actor OutboxDispatcher {
    let store: IncidentStore
    let socket: ZMQSocket
    let logger: Logger
    let now: @Sendable () -> Date
    private var dispatch: OutboxDispatch
    private let delivered = Counter(label: "raisedash_intents_completed_total")

    init(store: IncidentStore, socket: ZMQSocket, logger: Logger, resultTimeout: Duration = .seconds(60),
         silenceLimit: Duration = .seconds(8), now: @escaping @Sendable () -> Date) {
        self.store = store
        self.socket = socket
        self.logger = logger
        self.now = now
        self.dispatch = OutboxDispatch(resultTimeout: resultTimeout, silenceLimit: silenceLimit)
    }

    var connectedSenders: Int { dispatch.peers.count }

    /// A `sender_ready` arrived.
    func senderReady(peer: Data, ready: SenderReady) async {
        await carryOut(dispatch.senderReady(peer: peer, ready: ready, now: .now))
    }

    /// An `intent_result` arrived.
    func result(_ result: IntentResult, from peer: Data) async {
        await carryOut(dispatch.result(result, from: peer, now: .now), intent: result.intentID)
    }

    /// Claims what senders can take now and sends it.
    func pump() async {
        await carryOut(dispatch.pump())
    }

    /// Hands back what timed out or whose sender went silent.
    func sweep() async {
        await carryOut(dispatch.sweep(now: .now))
    }

    /// Carries out `actions` in order. One that fails ends the batch (what follows depends on
    /// it): it is logged, and the dispatch is told. `intent`: the intent whose result the
    /// actions record, for the log.
    private func carryOut(_ actions: [OutboxDispatch.Action], intent: Int64? = nil) async {
        for action in actions {
            do {
                try await perform(action)
            } catch {
                log(error, carryingOut: action, intent: intent)
                await carryOut(dispatch.failed(action))
                return
            }
        }
    }

    private func perform(_ action: OutboxDispatch.Action) async throws {
        switch action {
        case .send(let intent, let peer):
            try await Bus.send(
                Envelope(type: .outboundIntent, sender: .incidents, time: now(), payload: intent), on: socket, routing: [peer])
        case .claim(let limit):
            for item in try await store.claimOutbox(limit: limit, now: now()) {
                await carryOut(dispatch.hand(item, now: .now))
            }
        case .requeue(let items, let reason):
            switch reason {
            case .senderRestarted(let session):
                logger.warning("sender restarted; re-sending what it held", metadata: ["sender.session": "\(session)"])
            case .senderSilent(let session):
                logger.warning("sender went silent; re-sending what it held", metadata: ["sender.session": "\(session)"])
            case .senderGone, .resultTimedOut, .noSenderFree:
                break
            }
            for item in items { try? await store.requeueOutbox(item) }
        case .complete(let item, let result):
            try await store.completeOutbox(item, result: result, now: now())
        case .completeLate(let item, let result):
            try? await store.completeOutbox(item, result: result, now: now())
        case .giveUp(let item, let reason):
            try? await store.completeOutbox(item, result: .failed(reason: reason), now: now())
        case .checkCard(let item):
            let isCurrent = try await isCurrentCard(item)
            await carryOut(dispatch.cardChecked(item, isCurrent: isCurrent, now: .now), intent: IntentID(outbox: item.id).rawValue)
        case .notePinRightMissing(let item, let chat):
            if try await store.notePinRightMissing(outbox: item, now: now()) != nil {
                logger.info("bot may not pin; telling the group once", metadata: ["chat.id": "\(chat)"])
                await pump()
            }
        case .turnOffDirectMessages(let user, let description):
            logger.info("personal message refused; turning them off for the person", metadata: ["user.id": "\(user)", "error": "\(description)"])
            try await store.directMessagesRefused(user: UserID(user), now: now())
        case .markGroupInactive(let chat, let description):
            logger.warning("bot cannot write to the chat; marking the group inactive", metadata: ["chat.id": "\(chat)", "error": "\(description)"])
            try await store.markGroupInactive(chat: ChatID(chat), now: now())
        case .migrateGroup(let old, let new, _):
            logger.info("group migrated", metadata: ["chat.id": "\(old)", "chat.new_id": "\(new)"])
            try await store.migrateGroup(from: ChatID(old), to: ChatID(new), now: now())
        case .note(let note):
            report(note)
        }
    }

    private func report(_ note: OutboxDispatch.Note) {
        switch note {
        case .senderConnected(let session, let credit):
            logger.info("sender connected", metadata: ["sender.session": "\(session)", "sender.credit": "\(credit)"])
        case .resultMismatch(let intent, let chat, let samePeer):
            logger.warning("dropped an intent result that does not match the intent in flight", metadata: [
                "intent.id": "\(intent)", "chat.id": "\(chat)", "same.peer": "\(samePeer)",
            ])
            Counter(label: "raisedash_bus_dropped_frames_total", dimensions: [("socket", "intents"), ("kind", "result_mismatch")]).increment()
        case .resultTaken:
            delivered.increment()
        case .cardGone(let incident):
            logger.info("card is gone; posting it again", metadata: ["incident.id": "\(incident.map { "\($0)" } ?? "-")"])
        case .intentFailed(let intent, let description):
            logger.error("intent failed", metadata: ["intent.id": "\(intent)", "error": "\(description)"])
        }
    }

    private func log(_ error: any Error, carryingOut action: OutboxDispatch.Action, intent: Int64?) {
        switch action {
        case .send(let sent, _):
            logger.warning("could not hand an intent to a sender; re-sending what it held", metadata: ["intent.id": "\(sent.id)", "error": "\(error)"])
        case .claim:
            logger.error("could not read the outbox", metadata: ["error": "\(error)"])
        default:
            logger.error("could not record an intent result", metadata: ["intent.id": "\(intent.map { "\($0)" } ?? "-")", "error": "\(error)"])
        }
    }
}
