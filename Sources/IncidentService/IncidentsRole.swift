/// The incident service role: owns the store and the state machine, decides, records, and
/// emits intents; serves the admin API over HTTP.
///
/// Three sockets: a ROUTER for the gateway's events (each answered with an `ack` once applied
/// durably), a ROUTER for senders (intents out; results and `sender_ready` in), and a SUB for
/// the scheduler's ticks.
import Foundation
import IncidentCore
import IncidentKPI
import Logging
import Metrics
import RaiseDashConfig
import RoleSupport
import ServiceLifecycle
import Storage
import WireProtocol
import ZeroMQ

public struct IncidentsRole: Service {
    public static let readinessParts = ["store", "bus"]

    let settings: Settings
    public let logger: Logger
    let readiness: Readiness
    let now: @Sendable () -> Date
    /// The store, opened at init so the admin API can use it before `run()`.
    public let store: IncidentStore
    /// When an update that keeps failing is given up on (see `DeadLetterPolicy`).
    let deadLetterPolicy: DeadLetterPolicy
    /// How often the store's writability is probed for readiness.
    let storeProbeInterval: Duration

    public init(
        settings: Settings, logger: Logger, readiness: Readiness, now: @escaping @Sendable () -> Date = Date.init,
        deadLetters: DeadLetterPolicy = .init(), storeProbeInterval: Duration = .seconds(5)
    ) throws {
        self.settings = settings
        self.logger = logger
        self.readiness = readiness
        self.now = now
        self.deadLetterPolicy = deadLetters
        self.storeProbeInterval = storeProbeInterval
        let policy = SLAPolicy(
            unclaimedNudge: settings.unclaimedNudgeInterval, summaryTimeout: settings.summaryTimeout,
            reopenWindow: SLAPolicy.standard.reopenWindow)
        do {
            var configuration = StoreConfiguration()
            configuration.issueContext = IssueContextPolicy(
                window: settings.issueContextWindow, messageLimit: settings.issueContextMessageLimit)
            configuration.escalation = EscalationLadder(
                escalateAfter: settings.escalationNudge, directAfter: settings.escalationDirect)
            configuration.floodControl = FloodControlPolicy(
                repliesPerPerson: settings.floodRepliesPerPerson, window: settings.floodPersonWindow)
            store = try IncidentStore(
                path: settings.databasePath, policy: policy, configuration: configuration,
                kpiDefaults: KPISettings(
                    timeZoneID: "UTC", weekStart: .monday, claimThreshold: settings.slaClaimThreshold,
                    resolveThreshold: settings.slaResolveThreshold))
        } catch {
            logger.critical("cannot open the database", metadata: ["database.path": "\(settings.databasePath)", "error": "\(error)"])
            throw error
        }
        readiness.set("store", ready: true)
    }

    public func run() async throws {
        let context = try ZMQContext()
        do {
            // With keys, the ZAP handler runs before the ROUTERs bind, so no client is let in
            // unchecked.
            try Bus.startAuthenticator(settings.busKeys, context: context, role: "incidents", logger: logger)
            let server = try Bus.serverSecurity(settings.busKeys)
            let inbound = try context.socket(.router, options: Bus.socketOptions(security: server))
            let intents = try context.socket(.router, options: Bus.socketOptions(routerMandatory: true, security: server))
            let ticks = try context.socket(
                .sub, options: Bus.socketOptions(connects: true, security: try Bus.clientSecurity(settings.busKeys, server: \.schedulerPublicKey)))
            let inboundAt = try await inbound.bind(settings.bindAddress(for: settings.inboundEndpoint))
            let intentsAt = try await intents.bind(settings.bindAddress(for: settings.intentsEndpoint))
            try await ticks.subscribe(to: "")
            try await ticks.connect(settings.ticksEndpoint.value)
            let requeued = try await store.requeueAllSent()
            if requeued > 0 { logger.info("re-sending intents whose results never came", metadata: ["count": "\(requeued)"]) }
            let dispatcher = OutboxDispatcher(store: store, socket: intents, logger: logger, now: now)
            let (wakeups, wake) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
            readiness.set("bus", ready: true)
            logger.info("ready", metadata: [
                "bus.inbound": "\(inboundAt)", "bus.intents": "\(intentsAt)", "bus.ticks": "\(settings.ticksEndpoint)",
                "database.path": "\(settings.databasePath)",
            ])
            try await cancelWhenGracefulShutdown {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await handleInbound(inbound, wake: wake) }
                    group.addTask { try await handleSenders(intents, dispatcher: dispatcher, wake: wake) }
                    group.addTask { try await handleTicks(ticks, wake: wake) }
                    group.addTask {
                        // Deliver when woken, and at least every 250 ms for timeouts and retries.
                        group: while !Task.isCancelled {
                            await dispatcher.sweep()
                            await dispatcher.pump()
                            try await Task.sleep(for: .milliseconds(250))
                        }
                    }
                    group.addTask {
                        for await _ in wakeups { await dispatcher.pump() }
                    }
                    group.addTask { try await probeStore() }
                    try await group.next()
                    group.cancelAll()
                }
            }
        } catch is CancellationError {
        } catch {
            logger.error("incident service failed", metadata: ["error": "\(error)"])
            await context.terminate()
            throw error
        }
        await context.terminate()
    }

    /// Gateway events: apply each durably, then acknowledge it.
    private func handleInbound(_ socket: ZMQSocket, wake: AsyncStream<Void>.Continuation) async throws {
        let applied = Counter(label: "raisedash_inbound_events_total", dimensions: [("outcome", "applied")])
        var attempts = InboundAttempts(policy: deadLetterPolicy)
        for try await message in socket.messages {
            guard let received = Bus.receive(message, routingFrames: 1, socket: "inbound", logger: logger) else { continue }
            let envelope: Envelope<InboundEvent>
            do throws(FrameError) {
                envelope = try received.decode(InboundEvent.self)
            } catch {
                Bus.drop(error, socket: "inbound", logger: logger)
                continue
            }
            let event = envelope.payload
            // nil: not acknowledged, so the gateway sends it again.
            guard let outcome = await apply(event, attempts: &attempts) else { continue }
            applied.increment()
            let ack = Envelope(
                type: .acknowledgement, causationID: envelope.id, sender: .incidents, time: now(),
                payload: Acknowledgement(updateID: event.updateID, outcome: outcome))
            do {
                try await Bus.send(ack, on: socket, routing: received.routing)
            } catch {
                logger.warning("could not acknowledge", metadata: [
                    "update.id": "\(event.updateID)", "chat.id": "\(event.chat.id)", "error": "\(error)",
                ])
            }
            wake.yield()
        }
    }

    /// Applies one event; the acknowledgement to send, or nil for none (it will come again).
    ///
    /// An event that keeps failing (a store error, a deferral that never resolves) is given
    /// up on under `deadLetterPolicy`: recorded as a dead letter and acknowledged as rejected,
    /// so the updates behind it flow again. If even the dead letter cannot be written, there
    /// is no acknowledgement: the store is broken, `/healthz` says so, and the event comes again.
    private func apply(_ event: InboundEvent, attempts: inout InboundAttempts) async -> Acknowledgement.Outcome? {
        var metadata: Logger.Metadata = ["update.id": "\(event.updateID)", "chat.id": "\(event.chat.id)"]
        guard let update = Translation.update(from: event, receivedAt: now()) else {
            logger.info("inbound event not handled", metadata: metadata)
            return .rejected
        }
        let failure: String
        do {
            let result = try await store.apply(update)
            if case .deferred = result.outcome {
                logger.debug("inbound event deferred", metadata: metadata)
                failure = "deferred"
            } else {
                attempts.forget(event.updateID)
                readiness.set("store", ready: true)
                if let incident = result.incidentID { metadata["incident.id"] = "\(incident)" }
                metadata["outcome"] = "\(result.outcome)"
                logger.debug("inbound event applied", metadata: metadata)
                return result.outcome == .duplicate ? .duplicate : .applied
            }
        } catch {
            logger.error("could not apply an inbound event", metadata: metadata.merging(["error": "\(error)"]) { $1 })
            if error.code == .unavailable { readiness.set("store", ready: false) }
            failure = error.code.description
        }
        guard let entry = attempts.failed(event.updateID, at: .now, date: now()) else { return nil }
        do {
            try await store.recordDeadLetter(
                update, reason: failure, attempts: entry.attempts, firstFailedAt: entry.firstFailureDate, now: now())
        } catch {
            logger.error("could not record a dead letter", metadata: metadata.merging(["error": "\(error)"]) { $1 })
            return nil
        }
        attempts.forget(event.updateID)
        Counter(label: "raisedash_dead_letters_total", dimensions: [("reason", failure)]).increment()
        logger.error(
            "gave up on an inbound event; recorded as a dead letter",
            metadata: metadata.merging(["reason": "\(failure)", "attempts": "\(entry.attempts)"]) { $1 })
        return .rejected
    }

    /// Writes to the store every `storeProbeInterval`; `/healthz` is red (the `store` part
    /// not ready) while that fails, so an orchestrator sees a full disk or a read-only file.
    private func probeStore() async throws {
        while !Task.isCancelled {
            do {
                try await store.probeWrite(now: now())
                if !readiness.isPartReady("store") { logger.notice("the store can write again") }
                readiness.set("store", ready: true)
            } catch {
                if readiness.isPartReady("store") {
                    logger.error("the store cannot write", metadata: ["error": "\(error)"])
                }
                readiness.set("store", ready: false)
            }
            try await Task.sleep(for: storeProbeInterval)
        }
    }

    /// Senders: `sender_ready` and `intent_result`.
    private func handleSenders(_ socket: ZMQSocket, dispatcher: OutboxDispatcher, wake: AsyncStream<Void>.Continuation) async throws {
        for try await message in socket.messages {
            guard let received = Bus.receive(message, routingFrames: 1, socket: "intents", logger: logger),
                  let peer = received.routing.first else { continue }
            do throws(FrameError) {
                switch received.header.type {
                case .senderReady:
                    await dispatcher.senderReady(peer: peer, ready: try received.decode(SenderReady.self).payload)
                case .intentResult:
                    await dispatcher.result(try received.decode(IntentResult.self).payload, from: peer)
                default:
                    throw FrameError(.unexpectedType, "\(received.header.type.rawValue) on the intents socket")
                }
            } catch {
                Bus.drop(error, socket: "intents", logger: logger)
                continue
            }
            wake.yield()
        }
    }

    /// Scheduler ticks: send due reminders and close overdue incidents.
    private func handleTicks(_ socket: ZMQSocket, wake: AsyncStream<Void>.Continuation) async throws {
        for try await message in socket.messages {
            guard let received = Bus.receive(message, routingFrames: 0, socket: "ticks", logger: logger) else { continue }
            let tick: Envelope<SLATick>
            do throws(FrameError) {
                tick = try received.decode(SLATick.self)
            } catch {
                Bus.drop(error, socket: "ticks", logger: logger)
                continue
            }
            logger.debug("tick", metadata: ["tick.sequence": "\(tick.payload.sequence)"])
            do {
                let at = now()
                let report = try await store.applyTick(now: at)
                logger.debug("tick applied", metadata: ["tick.report": "\(report)"])
                for escalation in report.escalations {
                    logger.info("escalated", metadata: ["incident.id": "\(escalation.incidentID)", "escalation.step": "\(escalation.step.rawValue)"])
                }
                // Telegram redelivers an update for at most 24 hours; keep ids twice that.
                try await store.pruneProcessedUpdates(before: at.addingTimeInterval(-2 * 86_400))
                try await store.pruneOutbox(doneBefore: at.addingTimeInterval(-7 * 86_400))
            } catch {
                logger.error("could not apply a tick", metadata: ["error": "\(error)"])
            }
            wake.yield()
        }
    }
}
