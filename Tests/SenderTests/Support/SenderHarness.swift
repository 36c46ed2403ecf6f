import BotAPITestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import RoleSupport
import Sender
import ServiceLifecycle
import Synchronization
import TelegramBotAPI
import Testing
import WireProtocol
import ZeroMQ

/// The token every test uses; its secret part must never show up in a log line.
let testToken = "123456:TEST-secret_token-value"
let tokenSecret = "TEST-secret_token-value"

/// A configuration that keeps tests quick: generous chat budgets, short retries and heartbeats.
func quickConfiguration(
    global: SenderConfiguration.Budget = .init(calls: 30, per: .seconds(1)),
    group: SenderConfiguration.Budget = .init(calls: 20, per: .seconds(60)),
    chatPerSecond: Double = 100, chatBurst: Int = 10, capacity: Int = 256, maxAttempts: Int = 3,
    shutdownGrace: Duration = .seconds(3), evenPacing: Bool = true
) -> SenderConfiguration {
    SenderConfiguration(
        global: global, group: group, chatPerSecond: chatPerSecond, chatBurst: chatBurst, evenPacing: evenPacing,
        capacity: capacity,
        maxAttempts: maxAttempts, retryInitial: .milliseconds(20), retryMaximum: .milliseconds(200),
        heartbeatInterval: .milliseconds(200), shutdownGrace: shutdownGrace, requestTimeout: .seconds(5))
}

/// A URLSession without a cache: cancelling a task of a session with a cache (calls still in
/// flight when a test ends) can trap in FoundationNetworking on Linux.
func cachelessSession() -> URLSession {
    let configuration = URLSessionConfiguration.ephemeral
    configuration.urlCache = nil
    configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
    configuration.httpMaximumConnectionsPerHost = 32
    return URLSession(configuration: configuration)
}

/// The test playing the incident service: a ROUTER bound on a free TCP port that records what
/// the sender says and sends it intents.
final class IncidentsDouble: Sendable {
    struct Ready: Sendable {
        let session: String
        let credit: Int
        let at: ContinuousClock.Instant
    }

    struct Result: Sendable {
        let envelope: Envelope<IntentResult>
        let at: ContinuousClock.Instant
        var result: IntentResult { envelope.payload }
    }

    private struct State {
        var peer: Data?
        var readies: [Ready] = []
        var results: [Result] = []
    }

    let router: ZMQSocket
    let endpoint: String
    private let state = Mutex(State())

    init(context: ZMQContext) async throws {
        router = try context.socket(.router, options: Bus.socketOptions(routerMandatory: true))
        endpoint = try await router.bind("tcp://127.0.0.1:*")
    }

    /// Reads what the sender sends until cancelled.
    func receive(logger: Logger) async {
        do {
            for try await message in router.messages {
                guard let received = Bus.receive(message, routingFrames: 1, socket: "test-router", logger: logger) else { continue }
                let now = ContinuousClock.now
                switch received.header.type {
                case .senderReady:
                    guard let ready = try? received.decode(SenderReady.self) else { continue }
                    state.withLock { state in
                        state.peer = received.routing.first
                        state.readies.append(Ready(session: ready.payload.session, credit: ready.payload.credit, at: now))
                    }
                case .intentResult:
                    guard let result = try? received.decode(IntentResult.self) else { continue }
                    state.withLock { $0.results.append(Result(envelope: result, at: now)) }
                default:
                    continue
                }
            }
        } catch {}
    }

    var readies: [Ready] { state.withLock { $0.readies } }
    var results: [Result] { state.withLock { $0.results } }

    func results(for intentID: Int64) -> [IntentResult] {
        results.filter { $0.result.intentID == intentID }.map(\.result)
    }

    /// Sends an intent to the sender; returns the envelope id.
    @discardableResult
    func send(_ intent: OutboundIntent, envelopeID: String = UUID().uuidString) async throws -> String {
        guard let peer = state.withLock({ $0.peer }) else { throw HarnessError("no sender_ready seen yet") }
        let envelope = Envelope(type: .outboundIntent, id: envelopeID, sender: .incidents, time: Date(), payload: intent)
        try await Bus.send(envelope, on: router, routing: [peer])
        return envelopeID
    }

    /// Sends raw frames to the sender (for bad-frame tests).
    func sendRaw(_ frames: [Data]) async throws {
        guard let peer = state.withLock({ $0.peer }) else { throw HarnessError("no sender_ready seen yet") }
        try await router.send([peer] + frames)
    }

    func waitForReady(timeout: Duration = .seconds(20)) async throws {
        try await waitUntil("sender_ready", timeout: timeout) { !self.readies.isEmpty }
    }

    /// Waits until there are results satisfying `condition`.
    @discardableResult
    func waitForResults(
        _ what: String, timeout: Duration = .seconds(20), _ condition: @escaping ([IntentResult]) -> Bool
    ) async throws -> [IntentResult] {
        try await waitUntil(what, timeout: timeout) { condition(self.results.map(\.result)) }
        return results.map(\.result)
    }

    /// Waits until every intent id has at least one result.
    @discardableResult
    func waitForResults(of ids: [Int64], timeout: Duration = .seconds(20)) async throws -> [IntentResult] {
        try await waitForResults("results of \(ids)", timeout: timeout) { results in
            let done = Set(results.map(\.intentID))
            return ids.allSatisfy(done.contains)
        }
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Polls `condition` every 10 ms until it holds; throws after `timeout`.
func waitUntil(_ what: String, timeout: Duration = .seconds(20), _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else { throw HarnessError("timed out waiting for \(what)") }
        try await Task.sleep(for: .milliseconds(10))
    }
}

/// Everything a sender test needs: the fake Bot API, the incident service double, the role
/// running in a ServiceGroup, and the captured log.
final class SenderHarness: Sendable {
    let fake: FakeBotAPI
    let incidents: IncidentsDouble
    let group: ServiceGroup
    let logs: LogCapture
    /// Completes with the role's end: nil when it ended normally, the error otherwise.
    let ended = Mutex<RoleEnd?>(nil)

    init(fake: FakeBotAPI, incidents: IncidentsDouble, group: ServiceGroup, logs: LogCapture) {
        self.fake = fake
        self.incidents = incidents
        self.group = group
        self.logs = logs
    }

    enum RoleEnd: Sendable, Equatable {
        case finished
        case failed(String)
    }

    var end: RoleEnd? { ended.withLock { $0 } }

    /// Triggers a graceful shutdown, as SIGTERM does.
    func shutdown() async {
        await group.triggerGracefulShutdown()
    }

    func waitForEnd(timeout: Duration = .seconds(20)) async throws -> RoleEnd {
        try await waitUntil("the role to end", timeout: timeout) { end != nil }
        return end ?? .finished
    }
}

/// Runs a sender against a fresh fake Bot API and incident service double.
func withSender(
    configuration: SenderConfiguration = quickConfiguration(),
    fake: FakeBotAPI = FakeBotAPI(),
    withClient: Bool = true,
    waitForReady: Bool = true,
    _ body: (SenderHarness) async throws -> Void
) async throws {
    try await withFakeBotAPI(fake) { fake, url in
        let context = try ZMQContext()
        let logs = LogCapture()
        let logger = logs.logger(label: "sender-test")
        let incidents = try await IncidentsDouble(context: context)
        let client = withClient
            ? BotAPIClient(
                baseURL: url, token: BotToken(testToken)!, session: cachelessSession(),
                requestTimeout: configuration.requestTimeout, logger: logger)
            : nil
        let role = SenderRole(
            configuration: configuration, client: client, intentsEndpoint: incidents.endpoint, logger: logger,
            readiness: Readiness(parts: SenderRole.readinessParts))
        let group = ServiceGroup(services: [role], logger: logger)
        let harness = SenderHarness(fake: fake, incidents: incidents, group: group, logs: logs)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { await incidents.receive(logger: logger) }
            tasks.addTask {
                do {
                    try await group.run()
                    harness.ended.withLock { $0 = .finished }
                } catch {
                    harness.ended.withLock { $0 = .failed("\(error)") }
                }
            }
            do {
                if waitForReady { try await incidents.waitForReady() }
                try await body(harness)
            } catch {
                tasks.cancelAll()
                throw error
            }
            tasks.cancelAll()
        }
        await context.terminate()
        #expect(!logs.all.contains { $0.contains(tokenSecret) }, "the token appeared in a log line")
    }
}

// MARK: Intents

func sendIntent(
    _ id: Int64, chat: Int64, text: String? = nil, replyTo: Int64? = nil, keyboard: [[WireButton]] = [],
    forceReply: WireForceReply? = nil, silent: Bool = false
) -> OutboundIntent {
    OutboundIntent(
        id: id, chatID: chat,
        action: .sendMessage(
            SendMessage(
                text: text ?? "message \(id)", replyToMessageID: replyTo, keyboard: keyboard, forceReply: forceReply,
                disableNotification: silent)))
}

func editIntent(_ id: Int64, chat: Int64, target: MessageTarget, text: String? = nil, key: String? = nil) -> OutboundIntent {
    OutboundIntent(
        id: id, chatID: chat,
        action: .editMessage(target: target, text: text ?? "edit \(id)", keyboard: [[WireButton(text: "Claim", callbackData: "c:1")]]),
        coalescingKey: key)
}

func callbackIntent(_ id: Int64, chat: Int64, query: String, text: String? = nil) -> OutboundIntent {
    OutboundIntent(id: id, chatID: chat, action: .answerCallback(callbackQueryID: query, text: text, showAlert: false))
}

func pinIntent(_ id: Int64, chat: Int64, target: MessageTarget) -> OutboundIntent {
    OutboundIntent(id: id, chatID: chat, action: .pin(target: target, disableNotification: true))
}

func unpinIntent(_ id: Int64, chat: Int64, target: MessageTarget) -> OutboundIntent {
    OutboundIntent(id: id, chatID: chat, action: .unpin(target: target))
}
