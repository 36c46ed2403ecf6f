import Foundation
import Gateway
import HTTPTestSupport
import Hummingbird
import Logging
import RoleSupport
import Synchronization
import TelegramBotAPI
import WireProtocol
import ZeroMQ

/// Measures the gateway against a local fake Bot API holding `updates` updates, with this
/// process playing the incident service on a ZeroMQ ROUTER that acknowledges every event as
/// soon as it arrives. Reports numbers; asserts nothing. Run by `raisedash-bench gateway`.
///
/// Throughput is updates per second from the first `getUpdates` until the poll whose offset
/// confirms the last update: receipt, normalization, delivery on the bus, acknowledgement and
/// confirmation included. Latency per update is from the answer of the poll that delivered it
/// to the arrival of the poll that confirmed it.
enum GatewayBenchmark {
    struct Report: Sendable, CustomStringConvertible {
        let updates: Int
        /// Of them, forwarded as events (the others are skipped: service messages).
        let events: Int
        let seconds: Double
        let polls: Int
        var updatesPerSecond: Double { Double(updates) / seconds }
        /// Received -> confirmed, milliseconds.
        let p50: Double
        let p99: Double

        var description: String {
            String(
                format:
                    "gateway: %d updates (%d forwarded) received, acknowledged and confirmed in %.2f s = %.0f updates/s over %d polls; per update received -> confirmed p50 %.1f ms, p99 %.1f ms",
                updates, events, seconds, updatesPerSecond, polls, p50, p99)
        }
    }

    struct BenchmarkError: Error, CustomStringConvertible {
        let description: String
    }

    static func run(updates count: Int = 5000, logger: Logger) async throws -> Report {
        let fake = BenchmarkUpdatesAPI(updates: (1...max(1, count)).map { Self.update(Int64($0)) })
        return try await fake.serve(logger: logger) { url in
            let context = try ZMQContext()
            do {
                let router = try context.socket(.router, options: Bus.socketOptions())
                let endpoint = try await router.bind("tcp://127.0.0.1:*")
                guard let token = BotToken("123456:BENCHMARK-token") else { throw BenchmarkError(description: "token") }
                let client = BotAPIClient(
                    baseURL: url, token: token, session: GatewayRole.makeSession(), requestTimeout: .seconds(10),
                    logger: logger)
                let role = GatewayRole(
                    configuration: GatewayConfiguration(pollTimeout: 1, ackTimeout: .seconds(10)), client: client,
                    inboundEndpoint: endpoint, logger: logger, readiness: Readiness(parts: GatewayRole.readinessParts))
                let events = EventCount()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        // The incident service: acknowledge each event at once.
                        do {
                            for try await message in router.messages where message.count == 3 {
                                guard let envelope = try? WireFormat.decode(Array(message.dropFirst()), as: InboundEvent.self)
                                else { continue }
                                events.count.withLock { $0 += 1 }
                                let ack = Envelope(
                                    type: .acknowledgement, causationID: envelope.id, sender: .incidents, time: Date(),
                                    payload: Acknowledgement(updateID: envelope.payload.updateID, outcome: .applied))
                                try await Bus.send(ack, on: router, routing: [message[0]])
                            }
                        } catch {}
                    }
                    group.addTask { try await role.run() }
                    defer { group.cancelAll() }
                    try await fake.waitUntilConfirmed(Int64(count))
                }
                await context.terminate()
                return fake.report(updates: count, events: events.count.withLock { $0 })
            } catch {
                await context.terminate()
                throw error
            }
        }
    }

    /// A mix like a busy group's: commands replying to a message, button presses, and service
    /// messages (people joining) the gateway skips.
    static func update(_ id: Int64) -> String {
        let alice = #"{"id":501,"is_bot":false,"first_name":"Alice","username":"alice_d"}"#
        let chat = #"{"id":-1001000000001,"type":"supergroup","title":"Dispatch North"}"#
        switch id % 3 {
        case 0:
            return #"{"update_id":\#(id),"message":{"message_id":\#(id),"date":1767225600,"chat":\#(chat),"from":\#(alice),"text":"/new_issue@RaiseDashBot","entities":[{"type":"bot_command","offset":0,"length":23}],"reply_to_message":{"message_id":\#(id - 1),"date":1767225600,"chat":\#(chat),"from":\#(alice),"text":"Truck 12 has a flat tyre on the A7 near exit 31"}}}"#
        case 1:
            return #"{"update_id":\#(id),"callback_query":{"id":"cb\#(id)","from":\#(alice),"chat_instance":"-5398","data":"claim:\#(id)","message":{"message_id":7,"date":1767225600,"chat":\#(chat),"text":"Incident #7"}}}"#
        default:
            return #"{"update_id":\#(id),"message":{"message_id":\#(id),"date":1767225600,"chat":\#(chat),"from":\#(alice),"new_chat_members":[\#(alice)]}}"#
        }
    }
}

/// Events the benchmark's incident service received.
final class EventCount: Sendable {
    let count = Mutex(0)
}

/// A minimal Bot API for the gateway benchmark: start-up calls answer at once, `getUpdates`
/// has Telegram's offset semantics over a fixed list of updates.
final class BenchmarkUpdatesAPI: Sendable {
    private struct State {
        var pending: [(id: Int64, json: String)]
        var polls: [(offset: Int64?, arrived: ContinuousClock.Instant)] = []
        /// When each update was handed out first.
        var delivered: [Int64: ContinuousClock.Instant] = [:]
        /// When each update was confirmed.
        var confirmed: [Int64: ContinuousClock.Instant] = [:]
    }

    private let state: Mutex<State>

    init(updates: [String]) {
        state = Mutex(State(pending: updates.enumerated().map { (Int64($0.offset + 1), $0.element) }))
    }

    func waitUntilConfirmed(_ last: Int64) async throws {
        let deadline = ContinuousClock.now + .seconds(300)
        while state.withLock({ $0.confirmed[last] == nil }) {
            guard ContinuousClock.now < deadline else { throw GatewayBenchmark.BenchmarkError(description: "timed out") }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    func report(updates: Int, events: Int) -> GatewayBenchmark.Report {
        state.withLock { state in
            let start = state.polls.first?.arrived ?? .now
            let end = state.confirmed.values.max() ?? .now
            let latencies = state.confirmed.compactMap { id, at in state.delivered[id].map { (at - $0) / .milliseconds(1) } }.sorted()
            func at(_ q: Double) -> Double {
                latencies.isEmpty ? .nan : latencies[min(latencies.count - 1, Int(Double(latencies.count - 1) * q))]
            }
            return GatewayBenchmark.Report(
                updates: updates, events: events, seconds: (end - start) / .seconds(1), polls: state.polls.count,
                p50: at(0.5), p99: at(0.99))
        }
    }

    func serve<R: Sendable>(logger: Logger, _ body: (URL) async throws -> R) async throws -> R {
        do {
            return try await LocalHTTPServer.serve(logger: logger, respond: { request in try await self.respond(to: request) }, body)
        } catch is LocalHTTPServer.DidNotStart {
            throw GatewayBenchmark.BenchmarkError(description: "the fake Bot API did not start")
        }
    }

    private struct Poll: Decodable {
        let offset: Int64?
        let limit: Int?
        let timeout: Int?
    }

    private func respond(to request: Request) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: 1 << 20)
        let method = request.uri.path.split(separator: "/").last.map(String.init) ?? ""
        let text: String
        switch method {
        case "getMe":
            text = #"{"ok":true,"result":{"id":123456,"is_bot":true,"first_name":"RaiseDash","username":"RaiseDashBot"}}"#
        case "getUpdates":
            let poll = (try? JSONDecoder().decode(Poll.self, from: Data(body.readableBytesView))) ?? Poll(offset: nil, limit: nil, timeout: nil)
            let deadline = ContinuousClock.now + .seconds(min(poll.timeout ?? 0, 1))
            var batch: [(id: Int64, json: String)] = []
            var first = true
            while true {
                let now = ContinuousClock.now
                batch = state.withLock { state in
                    if first {
                        state.polls.append((poll.offset, now))
                        if let offset = poll.offset {
                            for item in state.pending where item.id < offset { state.confirmed[item.id] = now }
                            state.pending.removeAll { $0.id < offset }
                        }
                    }
                    let batch = Array(state.pending.prefix(max(1, min(100, poll.limit ?? 100))))
                    return batch
                }
                first = false
                if !batch.isEmpty || now >= deadline || Task.isCancelled { break }
                try? await Task.sleep(for: .milliseconds(5))
            }
            let answered = ContinuousClock.now
            state.withLock { state in
                for item in batch where state.delivered[item.id] == nil { state.delivered[item.id] = answered }
            }
            text = #"{"ok":true,"result":["# + batch.map(\.json).joined(separator: ",") + "]}"
        default:
            text = #"{"ok":true,"result":true}"#
        }
        return Response(
            status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
