import Foundation
import Logging
import Metrics
import RoleSupport
import Synchronization
import TelegramBotAPI
import WireProtocol
import ZeroMQ

/// The gateway's moving parts: the start-up calls, the poller, the delivery of events on the
/// bus and the reader of acknowledgements. They share one ``PendingUpdates`` under a lock and
/// wake each other with doorbells.
final class InboundRelay: Sendable {
    typealias Instant = ContinuousClock.Instant

    /// The updates the gateway asks Telegram for.
    static let allowedUpdates: [UpdateKind] = [.message, .callbackQuery, .myChatMember]

    /// The command menu set at start.
    static let commands: [BotCommand] = [
        BotCommand(command: "new_issue", description: "Report an issue (reply to the message that describes it)"),
        BotCommand(command: "ticket", description: "Same as /new_issue"),
        BotCommand(command: "register_driver", description: "Register as a driver of this group"),
        BotCommand(command: "help", description: "How to use the bot"),
        BotCommand(command: "activate", description: "Activate this group with a code from the dashboard (administrators)"),
    ]

    private struct Shared: Sendable {
        var pending: PendingUpdates
        /// The offset of the last poll that reached Telegram (nil: none yet, or no offset sent).
        var polledOffset: Int64?
        var hasPolled = false
    }

    let configuration: GatewayConfiguration
    let client: BotAPIClient
    let socket: ZMQSocket
    let logger: Logger
    private let shared: Mutex<Shared>
    /// Rung when an acknowledgement may let the poller go on.
    private let progress = Doorbell()
    /// Rung when new events wait to be sent.
    private let delivery = Doorbell()

    init(configuration: GatewayConfiguration, client: BotAPIClient, socket: ZMQSocket, logger: Logger) {
        self.configuration = configuration
        self.client = client
        self.socket = socket
        self.logger = logger
        self.shared = Mutex(Shared(pending: PendingUpdates(capacity: configuration.maxInFlight)))
    }

    // MARK: Start

    /// getMe, deleteWebhook, setMyCommands. Retries what may pass; 401 or another refusal of
    /// getMe throws a ``GatewayError``.
    func start() async throws -> User {
        var backoff = Backoff(initial: configuration.backoffInitial, maximum: configuration.backoffMaximum)
        let me: User
        while true {
            do throws(BotAPIError) {
                me = try await client.getMe()
                break
            } catch {
                switch error.kind {
                case .unauthorized: throw GatewayError.unauthorized
                case .cancelled: throw CancellationError()
                case _ where error.isRetryable || error.kind == .unexpectedResponse:
                    try await pause(after: error, backoff: &backoff, doing: "getMe")
                default: throw GatewayError.refused(error)
                }
            }
        }
        backoff.reset()
        while true {
            do throws(BotAPIError) {
                try await client.deleteWebhook()
                break
            } catch {
                if error.kind == .unauthorized { throw GatewayError.unauthorized }
                if error.kind == .cancelled { throw CancellationError() }
                guard error.isRetryable else {
                    logger.warning("deleteWebhook refused; polling anyway", metadata: ["error": "\(error)"])
                    break
                }
                try await pause(after: error, backoff: &backoff, doing: "deleteWebhook")
            }
        }
        backoff.reset()
        for attempt in 1...3 {
            do throws(BotAPIError) {
                try await client.setMyCommands(Self.commands)
                break
            } catch {
                if error.kind == .unauthorized { throw GatewayError.unauthorized }
                if error.kind == .cancelled { throw CancellationError() }
                guard error.isRetryable, attempt < 3 else {
                    logger.warning("could not set the command menu; carrying on without it", metadata: ["error": "\(error)"])
                    break
                }
                try await pause(after: error, backoff: &backoff, doing: "setMyCommands")
            }
        }
        return me
    }

    // MARK: Run

    /// Polls, delivers and reads acknowledgements until cancelled. Throws ``GatewayError`` on 401.
    func run(normalizer: UpdateNormalizer) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.poll(normalizer: normalizer) }
            group.addTask { await self.deliver() }
            group.addTask { await self.readAcknowledgements() }
            // The first to end (cancellation, a closed socket, or a 401) ends them all.
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    /// After the loops stopped: one last short poll that confirms what was acknowledged since
    /// the last poll, so a restart does not fetch those updates again (harmless, but wasted).
    func confirmSettled() async {
        let (offset, polled) = shared.withLock { ($0.pending.offset, $0.polledOffset) }
        guard let offset, offset != polled, let confirm = Int(exactly: offset) else { return }
        let client = self.client
        await withTaskGroup(of: Void.self) { group in
            group.addTask { _ = try? await client.getUpdates(offset: confirm, limit: 1, timeout: 0) }
            group.addTask { [timeout = configuration.finalConfirmTimeout] in try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
        logger.debug("confirmed acknowledged updates on shutdown", metadata: ["telegram.offset": "\(offset)"])
    }

    // MARK: Poller

    private func poll(normalizer: UpdateNormalizer) async throws {
        var backoff = Backoff(initial: configuration.backoffInitial, maximum: configuration.backoffMaximum)
        let pollLimit = min(configuration.pollLimit, configuration.maxInFlight)
        while !Task.isCancelled {
            // One batch at a time: the next poll waits until every update of the previous one
            // is settled (acknowledged after its commit, or skipped). Telegram answers a poll
            // with the unconfirmed updates first, so polling on each acknowledgement fetched
            // the rest of the batch again and took the updates that had come since a few at a
            // time. Waiting for the whole batch takes, in one call, everything that arrived
            // while the batch was being committed (up to `pollLimit`); the incident service
            // applies events one after another, so an event fetched earlier would only wait
            // in its queue instead.
            let (offset, mayPoll) = shared.withLock { shared in
                (shared.pending.offset, shared.pending.isEmpty || !shared.hasPolled)
            }
            guard mayPoll else {
                await progress.wait()
                continue
            }
            let updates: [Update]
            do throws(BotAPIError) {
                // A poll returns the held updates first: asking for at most `maxInFlight`
                // keeps what is held within the buffer.
                updates = try await client.getUpdates(
                    offset: offset.flatMap { Int(exactly: $0) }, limit: pollLimit,
                    timeout: configuration.pollTimeout, allowedUpdates: Self.allowedUpdates)
            } catch {
                switch error.kind {
                case .unauthorized:
                    throw GatewayError.unauthorized
                case .cancelled:
                    return
                case .conflict(.webhookActive):
                    logger.warning("a webhook is set for this bot; deleting it to poll", metadata: ["error": "\(error)"])
                    _ = try? await client.deleteWebhook()
                case .conflict(.otherPoller):
                    logger.error(
                        "another process is polling with this bot token (409 Conflict); only one gateway may run per bot",
                        metadata: ["error": "\(error)"])
                default:
                    break
                }
                Counter(label: "raisedash_gateway_poll_errors_total", dimensions: [("kind", error.kind.label)]).increment()
                do {
                    try await pause(after: error, backoff: &backoff, doing: "getUpdates")
                } catch {
                    return
                }
                continue
            }
            backoff.reset()
            let administrators = await administratorStatus(of: updates, normalizer: normalizer)
            accept(updates, polledWith: offset, normalizer: normalizer, administrators: administrators)
        }
    }

    /// Normalizes fetched updates and records them; rings the delivery doorbell for new events.
    private func accept(
        _ updates: [Update], polledWith offset: Int64?, normalizer: UpdateNormalizer, administrators: [Int64: Bool] = [:]
    ) {
        let now = ContinuousClock.now
        var forwarded = 0
        var skipped: [UpdateNormalizer.SkipReason] = []
        let unacknowledged = shared.withLock { shared in
            shared.hasPolled = true
            shared.polledOffset = offset
            for update in updates {
                let id = Int64(update.updateID)
                // Beyond the buffer (a server answering more than asked): left for a later poll.
                guard !shared.pending.isKnown(id), !shared.pending.isFull else { continue }
                switch normalizer.normalize(update) {
                case .event(var event):
                    event.senderIsAdministrator = administrators[id]
                    shared.pending.add(updateID: id, event: event, envelopeID: UUID().uuidString, now: now)
                    forwarded += 1
                case .skipped(let reason):
                    shared.pending.add(updateID: id, event: nil, envelopeID: "", now: now)
                    skipped.append(reason)
                }
            }
            return shared.pending.awaitingCount
        }
        for reason in skipped {
            Counter(label: "raisedash_gateway_updates_total", dimensions: [("outcome", "skipped"), ("reason", reason.rawValue)])
                .increment()
        }
        if forwarded > 0 {
            Counter(label: "raisedash_gateway_updates_total", dimensions: [("outcome", "forwarded"), ("reason", "")])
                .increment(by: forwarded)
            delivery.ring()
        }
        Gauge(label: "raisedash_gateway_unacknowledged_events").record(unacknowledged)
        if !updates.isEmpty {
            logger.debug(
                "fetched updates",
                metadata: ["updates.count": "\(updates.count)", "updates.forwarded": "\(forwarded)", "updates.skipped": "\(skipped.count)"])
        }
    }

    /// Sleeps the backoff after a failed call (at least `retry_after` after a 429).
    private func pause(after error: BotAPIError, backoff: inout Backoff, doing method: String) async throws {
        var wait = backoff.next()
        if case .retryAfter(let seconds) = error.kind { wait = max(wait, .seconds(seconds)) }
        logger.warning(
            "Telegram call failed; retrying after a pause",
            metadata: [
                "telegram.method": "\(method)", "error.kind": "\(error.kind.label)", "error": "\(error)",
                "retry.in_ms": "\(Int(wait / .milliseconds(1)))", "retry.failures": "\(backoff.failures)",
            ])
        try await Task.sleep(for: wait)
    }

    // MARK: Delivery

    private func deliver() async {
        var unreachableSince: Instant?
        while !Task.isCancelled {
            let now = ContinuousClock.now
            let due = shared.withLock { $0.pending.takeDue(now: now) }
            var blocked = false
            for item in due {
                let updateID = item.event.updateID
                if blocked {
                    let retryAt = ContinuousClock.now + configuration.busRetryInterval
                    shared.withLock { $0.pending.sendFailed(updateID, retryAt: retryAt) }
                    continue
                }
                let envelope = Envelope(type: .inboundEvent, id: item.envelopeID, sender: .gateway, time: Date(), payload: item.event)
                do {
                    try await Bus.send(envelope, on: socket)
                    let resendAt = ContinuousClock.now + configuration.ackTimeout
                    shared.withLock { $0.pending.sent(updateID, resendAt: resendAt) }
                    if item.sends > 0 {
                        Counter(label: "raisedash_gateway_resends_total").increment()
                        logger.debug(
                            "sent an unacknowledged event again",
                            metadata: ["update.id": "\(updateID)", "event.id": "\(item.envelopeID)", "event.sends": "\(item.sends + 1)"])
                    } else {
                        logger.debug("forwarded an update", metadata: ["update.id": "\(updateID)", "event.id": "\(item.envelopeID)"])
                    }
                    if unreachableSince != nil {
                        logger.info("incident service reachable again")
                        unreachableSince = nil
                    }
                } catch {
                    blocked = true
                    let retryAt = ContinuousClock.now + configuration.busRetryInterval
                    shared.withLock { $0.pending.sendFailed(updateID, retryAt: retryAt) }
                    if Task.isCancelled { return }
                    if unreachableSince == nil {
                        unreachableSince = now
                        logger.warning(
                            "cannot hand events to the incident service; holding them (Telegram keeps the rest)",
                            metadata: ["error": "\(error)"])
                    }
                }
            }
            let next = shared.withLock { $0.pending.nextDue }
            await delivery.wait(until: next)
        }
    }

    // MARK: Acknowledgements

    private func readAcknowledgements() async {
        do {
            for try await message in socket.messages {
                guard let received = Bus.receive(message, routingFrames: 0, socket: "inbound", logger: logger) else { continue }
                let ack: Acknowledgement
                do {
                    ack = try received.decode(Acknowledgement.self).payload
                } catch {
                    Bus.drop(error, socket: "inbound", logger: logger)
                    continue
                }
                let (settled, offset) = shared.withLock { ($0.pending.acknowledge(ack.updateID), $0.pending.offset) }
                Counter(label: "raisedash_gateway_acks_total", dimensions: [("outcome", ack.outcome.rawValue)]).increment()
                logger.debug(
                    settled ? "update acknowledged" : "acknowledgement for an update not held (already confirmed)",
                    metadata: [
                        "update.id": "\(ack.updateID)", "ack.outcome": "\(ack.outcome.rawValue)",
                        "telegram.offset": "\(offset.map(String.init) ?? "none")",
                    ])
                if settled { progress.ring() }
            }
        } catch {
            logger.warning("inbound socket failed", metadata: ["error": "\(error)"])
        }
    }
}
