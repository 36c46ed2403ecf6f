import BotAPITestSupport
import Foundation
import Gateway
import Logging
import ProcessTestSupport
import RoleSupport
import ServiceLifecycle
import Synchronization
import TelegramBotAPI
import Testing
import WireProtocol
import ZeroMQ
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The token every test uses; its secret part must never show up in a log line.
let testToken = "123456:TEST-secret_token-value"
let tokenSecret = "TEST-secret_token-value"

/// Short waits so tests are quick; no re-sends unless a test asks for them.
func quickConfiguration(ackTimeout: Duration = .seconds(30), maxInFlight: Int = 100) -> GatewayConfiguration {
    GatewayConfiguration(
        pollTimeout: 1, ackTimeout: ackTimeout, maxInFlight: maxInFlight, busSendTimeout: .milliseconds(200),
        busRetryInterval: .milliseconds(200), backoffInitial: .milliseconds(50), backoffMaximum: .milliseconds(400),
        requestTimeout: .seconds(5), finalConfirmTimeout: .seconds(1))
}

/// A URLSession without a cache: cancelling a task of a session with a cache (the long poll,
/// when a test ends) can trap in FoundationNetworking on Linux.
func cachelessSession() -> URLSession {
    let configuration = URLSessionConfiguration.ephemeral
    configuration.urlCache = nil
    configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
    return URLSession(configuration: configuration)
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

/// The test playing the incident service on the inbound endpoint: a ROUTER that records the
/// events and acknowledges them when told.
final class InboundDouble: Sendable {
    struct Received: Sendable {
        let envelope: Envelope<InboundEvent>
        let peer: Data
        let at: ContinuousClock.Instant
        var event: InboundEvent { envelope.payload }
    }

    struct Ack: Sendable {
        let updateID: Int64
        /// Just before the acknowledgement was handed to the socket.
        let at: ContinuousClock.Instant
    }

    private struct State {
        var received: [Received] = []
        var acks: [Ack] = []
    }

    let router: ZMQSocket
    let endpoint: String
    private let state = Mutex(State())

    /// Binds `endpoint` (a free port when nil).
    init(context: ZMQContext, endpoint: String? = nil) async throws {
        router = try context.socket(.router, options: Bus.socketOptions())
        self.endpoint = try await router.bind(endpoint ?? "tcp://127.0.0.1:*")
    }

    func receive(logger: Logger) async {
        do {
            for try await message in router.messages {
                guard let received = Bus.receive(message, routingFrames: 1, socket: "test-inbound", logger: logger),
                    let envelope = try? received.decode(InboundEvent.self), let peer = received.routing.first
                else { continue }
                let item = Received(envelope: envelope, peer: peer, at: ContinuousClock.now)
                state.withLock { $0.received.append(item) }
            }
        } catch {}
    }

    var received: [Received] { state.withLock { $0.received } }
    var acks: [Ack] { state.withLock { $0.acks } }
    var receivedUpdateIDs: [Int64] { received.map(\.event.updateID) }

    /// Acknowledges the update, answering the newest envelope that carried it.
    func ack(_ updateID: Int64, outcome: Acknowledgement.Outcome = .applied) async throws {
        guard let last = received.last(where: { $0.event.updateID == updateID }) else {
            throw HarnessError("no event for update \(updateID) to acknowledge")
        }
        let envelope = Envelope(
            type: .acknowledgement, causationID: last.envelope.id, sender: .incidents, time: Date(),
            payload: Acknowledgement(updateID: updateID, outcome: outcome))
        state.withLock { $0.acks.append(Ack(updateID: updateID, at: ContinuousClock.now)) }
        try await Bus.send(envelope, on: router, routing: [last.peer])
    }

    func waitForEvents(_ updateIDs: Set<Int64>, timeout: Duration = .seconds(20)) async throws {
        try await waitUntil("events \(updateIDs.sorted())", timeout: timeout) {
            updateIDs.isSubset(of: Set(receivedUpdateIDs))
        }
    }
}

/// Everything a gateway test needs.
final class GatewayHarness: Sendable {
    let fake: FakeBotAPI
    let inbound: InboundDouble?
    let group: ServiceGroup
    let logs: LogCapture
    let ended = Mutex<RoleEnd?>(nil)

    enum RoleEnd: Sendable, Equatable {
        case finished
        case failed(String)
    }

    init(fake: FakeBotAPI, inbound: InboundDouble?, group: ServiceGroup, logs: LogCapture) {
        self.fake = fake
        self.inbound = inbound
        self.group = group
        self.logs = logs
    }

    var end: RoleEnd? { ended.withLock { $0 } }

    /// The incident service double (tests that start it later have none).
    func incidents() throws -> InboundDouble {
        guard let inbound else { throw HarnessError("this harness has no incident service double") }
        return inbound
    }

    func shutdown() async { await group.triggerGracefulShutdown() }

    func waitForEnd(timeout: Duration = .seconds(20)) async throws -> RoleEnd {
        try await waitUntil("the role to end", timeout: timeout) { end != nil }
        return end ?? .finished
    }

    /// The offsets of the getUpdates calls so far, with their arrival times.
    var polls: [(offset: Int64?, at: ContinuousClock.Instant)] {
        fake.calls("getUpdates").map { ($0.offset, $0.arrived) }
    }
}

/// Runs a gateway against a fresh fake Bot API and an incident service double.
/// - Parameters:
///   - inboundEndpoint: Where the gateway connects; with `bindInbound == false` nothing is
///     bound there (the incident service is down).
func withGateway(
    configuration: GatewayConfiguration = quickConfiguration(),
    fake: FakeBotAPI = FakeBotAPI(),
    fakePort: Int = 0,
    apiBaseURL: URL? = nil,
    withClient: Bool = true,
    bindInbound: Bool = true,
    inboundEndpoint: String? = nil,
    _ body: (GatewayHarness) async throws -> Void
) async throws {
    try await withFakeBotAPI(fake, port: fakePort) { fake, url in
        let context = try ZMQContext()
        let logs = LogCapture()
        let logger = logs.logger(label: "gateway-test")
        let inbound = bindInbound ? try await InboundDouble(context: context, endpoint: inboundEndpoint) : nil
        guard let endpoint = inbound?.endpoint ?? inboundEndpoint else { throw HarnessError("no inbound endpoint") }
        let client = withClient
            ? BotAPIClient(
                baseURL: apiBaseURL ?? url, token: BotToken(testToken)!, session: cachelessSession(),
                requestTimeout: configuration.requestTimeout, logger: logger)
            : nil
        let role = GatewayRole(
            configuration: configuration, client: client, inboundEndpoint: endpoint, logger: logger,
            readiness: Readiness(parts: GatewayRole.readinessParts))
        let group = ServiceGroup(services: [role], logger: logger)
        let harness = GatewayHarness(fake: fake, inbound: inbound, group: group, logs: logs)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            if let inbound { tasks.addTask { await inbound.receive(logger: logger) } }
            tasks.addTask {
                do {
                    try await group.run()
                    harness.ended.withLock { $0 = .finished }
                } catch {
                    harness.ended.withLock { $0 = .failed("\(error)") }
                }
            }
            do {
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
