import Foundation
import Logging
import CoreMetrics
import Metrics
import RoleSupport
import ServiceLifecycle
import TelegramBotAPI
import WireProtocol
import ZeroMQ

/// The sender's event loop: one task owns the ``SendSchedule``; bus messages, call answers,
/// timers and the heartbeat arrive as events; calls run as child tasks of a task group that
/// the loop outlives by nothing (cancelled and awaited when it ends).
struct SenderLoop: Sendable {
    typealias Instant = ContinuousClock.Instant

    let configuration: SenderConfiguration
    let client: BotAPIClient
    let socket: ZMQSocket
    let logger: Logger
    /// New for every run: tells the incident service that whatever an earlier run held is lost.
    let session: String

    enum Event: Sendable {
        case received([Data])
        case finished(PlannedCall, CallOutcome, Duration)
        case heartbeat
        case timer
        case shutdown
        case graceExpired
        case busEnded
    }

    func run() async throws {
        let (events, input) = AsyncStream<Event>.makeStream()
        var schedule = SendSchedule(configuration: configuration, startedAt: .now)
        let held = Gauge(label: "raisedash_sender_held_intents")
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { [socket, logger] in
                do {
                    for try await message in socket.messages { input.yield(.received(message)) }
                } catch {
                    logger.warning("intents socket failed", metadata: ["error": "\(error)"])
                }
                input.yield(.busEnded)
            }
            group.addTask { [interval = configuration.heartbeatInterval] in
                while !Task.isCancelled {
                    do { try await Task.sleep(for: interval) } catch { return }
                    input.yield(.heartbeat)
                }
            }
            await announce(credit: schedule.credit)
            var armed: Instant?
            var draining = false
            try await withGracefulShutdownHandler {
                for await event in events {
                    let now = ContinuousClock.now
                    var reports: [ResultReport] = []
                    var finishedSome = false
                    switch event {
                    case .received(let message):
                        reports = receive(message, into: &schedule, now: now)
                    case .finished(let call, let outcome, let duration):
                        if case .failed(let error) = outcome, error.kind == .unauthorized {
                            logger.error("\(SenderError.unauthorized.description)")
                            throw SenderError.unauthorized
                        }
                        record(call, outcome, duration)
                        reports = schedule.finish(call, outcome: outcome, now: now)
                        finishedSome = true
                    case .heartbeat:
                        await announce(credit: draining ? 0 : schedule.credit)
                    case .timer:
                        if let at = armed, at <= now { armed = nil }
                    case .shutdown:
                        guard !draining else { break }
                        draining = true
                        schedule.beginDraining()
                        logger.info(
                            "shutting down: finishing calls in flight",
                            metadata: ["calls.in_flight": "\(schedule.inFlightCount)", "intents.held": "\(schedule.held.count)"])
                        await announce(credit: 0)
                        let grace = configuration.shutdownGrace
                        group.addTask {
                            do { try await Task.sleep(for: grace) } catch { return }
                            input.yield(.graceExpired)
                        }
                    case .graceExpired:
                        logger.warning(
                            "shutdown grace period over: abandoning calls in flight",
                            metadata: ["calls.in_flight": "\(schedule.inFlightCount)"])
                        return
                    case .busEnded:
                        return
                    }
                    for report in reports { await send(report) }
                    if draining {
                        if schedule.inFlightCount == 0 { return }
                        continue
                    }
                    let step = schedule.takeCalls(now: now)
                    for report in step.reports { await send(report) }
                    for call in step.calls {
                        group.addTask { [client] in
                            let started = ContinuousClock.now
                            let outcome = await Self.perform(call, with: client)
                            input.yield(.finished(call, outcome, ContinuousClock.now - started))
                        }
                    }
                    if finishedSome || !step.reports.isEmpty { await announce(credit: schedule.credit) }
                    held.record(schedule.held.count)
                    if let wake = schedule.nextWake(now: now) {
                        let at = max(wake, now + .milliseconds(1))
                        if armed.map({ at < $0 }) ?? true {
                            armed = at
                            group.addTask {
                                do { try await Task.sleep(until: at, tolerance: .milliseconds(1)) } catch { return }
                                input.yield(.timer)
                            }
                        }
                    }
                }
            } onGracefulShutdown: {
                input.yield(.shutdown)
            }
            input.finish()
            group.cancelAll()
        }
    }

    /// Carries out one call; every failure becomes a `BotAPIError`.
    static func perform(_ call: PlannedCall, with client: BotAPIClient) async -> CallOutcome {
        do {
            let result = try await client.perform(call.request)
            if case .sendMessage = call.request, case .message(let message) = result {
                return .succeeded(messageID: Int64(message.messageID))
            }
            return .succeeded(messageID: nil)
        } catch {
            return .failed(error)
        }
    }

    // MARK: Bus

    private func receive(_ message: [Data], into schedule: inout SendSchedule, now: Instant) -> [ResultReport] {
        guard let received = Bus.receive(message, routingFrames: 0, socket: "intents", logger: logger) else { return [] }
        let envelope: Envelope<OutboundIntent>
        do {
            envelope = try received.decode(OutboundIntent.self)
        } catch {
            Bus.drop(error, socket: "intents", logger: logger)
            return []
        }
        let intent = envelope.payload
        guard let reports = schedule.receive(intent, envelopeID: envelope.id, now: now) else {
            logger.debug(
                "intent not taken now (shutting down or over capacity); the incident service sends it again",
                metadata: ["intent.id": "\(intent.id)", "chat.id": "\(intent.chatID)"])
            return []
        }
        return reports
    }

    private func send(_ report: ResultReport) async {
        let envelope = Envelope(
            type: .intentResult, causationID: report.causationID, sender: .sender, time: Date(), payload: report.result)
        log(report.result)
        Counter(label: "raisedash_sender_results_total", dimensions: [("outcome", report.result.outcome.label)]).increment()
        do {
            try await Bus.send(envelope, on: socket)
        } catch {
            logger.warning(
                "could not send an intent result; the incident service will send the intent again",
                metadata: ["intent.id": "\(report.result.intentID)", "error": "\(error)"])
        }
    }

    private func announce(credit: Int) async {
        let envelope = Envelope(
            type: .senderReady, sender: .sender, time: Date(), payload: SenderReady(session: session, credit: credit))
        do {
            try await Bus.send(envelope, on: socket)
        } catch {
            logger.warning("could not send sender_ready", metadata: ["error": "\(error)"])
        }
    }

    // MARK: Logs and metrics

    private func record(_ call: PlannedCall, _ outcome: CallOutcome, _ duration: Duration) {
        let method = call.request.method.rawValue
        let label: String
        var metadata: Logger.Metadata = [
            "intent.id": "\(call.intentID)", "chat.id": "\(call.chatID)", "telegram.method": "\(method)",
        ]
        switch outcome {
        case .succeeded:
            label = "ok"
        case .failed(let error):
            label = error.kind.label
            metadata["error"] = "\(error)"
            switch error.kind {
            case .retryAfter(let seconds):
                metadata["retry_after"] = "\(seconds)"
                logger.info(
                    call.isCallbackAnswer ? "flood limit: holding back every call" : "flood limit: holding back this chat",
                    metadata: metadata)
            case .server, .network, .timeout, .unexpectedResponse:
                logger.info("call failed, will retry within the attempt budget", metadata: metadata)
            default:
                break
            }
        }
        Counter(label: "raisedash_sender_calls_total", dimensions: [("method", method), ("result", label)]).increment()
        CoreMetrics.Timer(label: "raisedash_sender_call_duration_seconds", dimensions: [("method", method)]).recordNanoseconds(
            duration.nanoseconds)
    }

    private func log(_ result: IntentResult) {
        let metadata: Logger.Metadata = [
            "intent.id": "\(result.intentID)", "chat.id": "\(result.chatID)", "outcome": "\(result.outcome.label)",
        ]
        switch result.outcome {
        case .delivered, .notModified, .superseded:
            logger.debug("intent done", metadata: metadata)
        case .rejected(let description):
            logger.error("Telegram refused a request (a bug on our side)", metadata: metadata.merging(["description": "\(description)"]) { $1 })
        case .gaveUp(let description):
            logger.warning("gave up on an intent", metadata: metadata.merging(["description": "\(description)"]) { $1 })
        case .forbidden(let description):
            logger.info("the bot may not write to this chat", metadata: metadata.merging(["description": "\(description)"]) { $1 })
        case .chatMigrated(let newChatID):
            logger.info("group migrated to a supergroup; retrying there", metadata: metadata.merging(["chat.new_id": "\(newChatID)"]) { $1 })
        case .messageNotFound, .notEnoughRights, .queryTooOld:
            logger.info("intent could not be carried out", metadata: metadata)
        }
    }
}

extension IntentResult.Outcome {
    /// A short, stable name: a metric label and log field.
    var label: String {
        switch self {
        case .delivered: "delivered"
        case .notModified: "not_modified"
        case .superseded: "superseded"
        case .messageNotFound: "message_not_found"
        case .notEnoughRights: "not_enough_rights"
        case .forbidden: "forbidden"
        case .chatMigrated: "chat_migrated"
        case .queryTooOld: "query_too_old"
        case .rejected: "rejected"
        case .gaveUp: "gave_up"
        }
    }
}

extension Duration {
    /// Whole nanoseconds (saturating), for metrics.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : product &+ attoseconds / 1_000_000_000
    }
}
