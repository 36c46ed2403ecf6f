import Foundation
import Sender
import HTTPTestSupport
import Hummingbird
import Logging
import RoleSupport
import Synchronization
import TelegramBotAPI
import WireProtocol
import ZeroMQ

/// Measures the sender against a local fake Bot API, with this process playing the incident
/// service on a ZeroMQ ROUTER. Reports numbers; asserts nothing. Run by
/// `raisedash-bench sender`.
///
/// - Latency: intents sent one at a time (budgets out of the way); per intent, the time from
///   handing the intent to the bus until its result arrives back, and the part of it the fake
///   spent answering. What is left is what the sender adds: bus both ways, scheduling and the
///   HTTP client.
/// - Throughput: `calls` intents over `chats` chats sent at once with budgets out of the way;
///   results per second from the first intent to the last result.
/// - Paced (optional): 3000 intents over 100 chats with the default budgets (30/s); the calls
///   made per second over `pacedSeconds` seconds once all intents are in, which should sit
///   just under 30.
enum SenderBenchmark {
    /// Milliseconds at some percentiles.
    struct Percentiles: Sendable, CustomStringConvertible {
        let p50: Double
        let p90: Double
        let p99: Double
        let max: Double

        init(_ samples: [Double]) {
            let sorted = samples.sorted()
            func at(_ q: Double) -> Double {
                guard !sorted.isEmpty else { return .nan }
                return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * q).rounded()))]
            }
            p50 = at(0.5)
            p90 = at(0.9)
            p99 = at(0.99)
            max = sorted.last ?? .nan
        }

        var description: String {
            String(format: "p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms", p50, p90, p99, max)
        }
    }

    struct Report: Sendable, CustomStringConvertible {
        /// Intents timed one at a time.
        let latencySamples: Int
        /// Intent sent -> result received.
        let endToEnd: Percentiles
        /// The fake's own time per call (arrival -> answer written).
        let fakeTime: Percentiles
        /// End to end minus the fake's time: what the sender, the bus and HTTP add.
        let added: Percentiles
        /// Intent sent -> its call arriving at the fake (bus in, scheduling, HTTP request).
        let intentToCall: Percentiles
        /// The fake's answer -> the result arriving (HTTP response, decoding, bus out).
        let answerToResult: Percentiles
        /// Intents in the throughput run and how long they took.
        let throughputCalls: Int
        let throughputSeconds: Double
        var callsPerSecond: Double { Double(throughputCalls) / throughputSeconds }
        /// Calls per second with the default budgets, if measured.
        let pacedCallsPerSecond: Double?

        var description: String {
            var lines = [
                "sender latency (\(latencySamples) intents one at a time): end to end \(endToEnd)",
                "  fake Bot API's own time: \(fakeTime)",
                "  added by sender + bus + HTTP client: \(added)",
                "    intent sent -> call at the fake: \(intentToCall)",
                "    answer -> result received: \(answerToResult)",
                String(
                    format: "sender throughput, budgets out of the way: %d intents in %.2f s = %.0f calls/s",
                    throughputCalls, throughputSeconds, callsPerSecond),
            ]
            if let paced = pacedCallsPerSecond {
                lines.append(String(format: "sender paced by the default budgets (30/s): %.1f calls/s", paced))
            }
            return lines.joined(separator: "\n")
        }
    }

    /// Runs the three measurements.
    static func run(
        latencySamples: Int = 300, calls: Int = 3000, chats: Int = 100, pacedSeconds: Double = 0, logger: Logger
    ) async throws -> Report {
        let unpaced = SenderConfiguration(
            global: .init(calls: 1_000_000, per: .seconds(1)), group: .init(calls: 1_000_000, per: .seconds(1)),
            chatPerSecond: 1_000_000, chatBurst: 1_000_000, capacity: max(calls, 16) + 16, maxConcurrentCalls: 32,
            heartbeatInterval: .seconds(1))
        let (endToEnd, fakeTime, added, toCall, fromAnswer) = try await withRig(configuration: unpaced, logger: logger) { rig in
            var endToEnd: [Double] = []
            var fakeTime: [Double] = []
            var added: [Double] = []
            var toCall: [Double] = []
            var fromAnswer: [Double] = []
            for index in 0..<latencySamples {
                let id = Int64(index + 1)
                let started = ContinuousClock.now
                try await rig.send(Self.intent(id, chat: Int64(index % max(1, chats) + 1)))
                let finished = try await rig.waitForResults(count: index + 1)
                let total = (finished - started) / .milliseconds(1)
                let server = rig.fake.lastServerTime / .milliseconds(1)
                endToEnd.append(total)
                fakeTime.append(server)
                added.append(total - server)
                if let arrival = rig.fake.lastArrival, let answered = rig.fake.lastAnswered {
                    toCall.append((arrival - started) / .milliseconds(1))
                    fromAnswer.append((finished - answered) / .milliseconds(1))
                }
            }
            return (Percentiles(endToEnd), Percentiles(fakeTime), Percentiles(added), Percentiles(toCall), Percentiles(fromAnswer))
        }
        let seconds = try await withRig(configuration: unpaced, logger: logger) { rig in
            let started = ContinuousClock.now
            for index in 0..<calls {
                try await rig.send(Self.intent(Int64(index + 1), chat: Int64(index % max(1, chats) + 1)))
            }
            let finished = try await rig.waitForResults(count: calls)
            return (finished - started) / .seconds(1)
        }
        var paced: Double?
        if pacedSeconds > 0 {
            let configuration = SenderConfiguration(capacity: 4000)
            paced = try await withRig(configuration: configuration, logger: logger) { rig in
                for index in 0..<3000 {
                    try await rig.send(Self.intent(Int64(index + 1), chat: Int64(index % 100 + 1)))
                }
                // Measure once the intents are all in and the sender is in its steady state.
                try await Task.sleep(for: .seconds(1))
                let from = ContinuousClock.now
                try await Task.sleep(for: .seconds(pacedSeconds))
                return rig.fake.callsPerSecond(from: from, to: .now)
            }
        }
        return Report(
            latencySamples: latencySamples, endToEnd: endToEnd, fakeTime: fakeTime, added: added,
            intentToCall: toCall, answerToResult: fromAnswer,
            throughputCalls: calls, throughputSeconds: seconds, pacedCallsPerSecond: paced)
    }

    /// What the overload run saw from the incident service's side.
    struct OverloadReport: Sendable, CustomStringConvertible {
        let groups: Int
        let seconds: Double
        /// Intents offered per minute per group, and in all per second.
        let perGroupPerMinute: Double
        let offered: Int
        /// Results received, and of them delivered.
        let results: Int
        let delivered: Int

        var offeredPerSecond: Double { Double(offered) / seconds }

        var description: String {
            String(
                format:
                    "offered %d intents in %.0f s to %d groups (%.0f per group per minute, %.1f/s in all); %d results, %d delivered (%.1f/s)",
                offered, seconds, groups, perGroupPerMinute, offeredPerSecond, results, delivered, Double(delivered) / seconds)
        }
    }

    /// The sender with the default budgets (Telegram's: 30/s, 20 a minute per group, 1/s with
    /// bursts of 3 per private chat) against the Bot API at `baseURL` (the simulator, with
    /// Telegram's limits enforced), offered `factor` times a group's budget in every group:
    /// with 90 groups and factor 2, 40 intents a minute per group, 60/s in all, twice the
    /// global budget too. Intents to one group come in bursts of `burst` (a lifecycle's card,
    /// pin and edits), the bursts spread evenly. Whether Telegram refused anything (429) is
    /// read from the simulator's call log by the caller.
    static func overload(
        baseURL: URL, token: String, groups: [Int64], seconds: Double, factor: Double = 2, burst: Int = 4, logger: Logger
    ) async throws -> OverloadReport {
        let configuration = SenderConfiguration(capacity: 4096, heartbeatInterval: .seconds(1))
        let perMinute = Double(configuration.group.calls) * factor * 60 / (configuration.group.window / .seconds(1))
        let burst = max(1, burst)
        // A group gets `burst` intents every `period`; the groups take turns.
        let period = Duration.seconds(60 * Double(burst) / perMinute)
        let step = period / max(1, groups.count)
        return try await withRole(
            configuration: configuration, baseURL: baseURL, token: token, fake: BenchmarkBotAPI(), countsOutcomes: true, logger: logger
        ) { rig in
            let start = ContinuousClock.now
            let end = start + .seconds(seconds)
            var id: Int64 = 0
            var tick = 0
            while true {
                let due = start + step * tick
                guard due < end else { break }
                try await Task.sleep(until: due, clock: .continuous)
                let group = groups[tick % groups.count]
                for _ in 0..<burst {
                    id += 1
                    try await rig.send(Self.intent(id, chat: group))
                }
                tick += 1
            }
            // Let what is in flight finish; the backlog is not waited for.
            try await Task.sleep(for: .seconds(1))
            let counts = rig.resultCounts
            return OverloadReport(
                groups: groups.count, seconds: seconds, perGroupPerMinute: perMinute, offered: Int(id), results: counts.all,
                delivered: counts.delivered)
        }
    }

    static func intent(_ id: Int64, chat: Int64) -> OutboundIntent {
        OutboundIntent(id: id, chatID: chat, action: .sendMessage(SendMessage(text: "<b>Incident \(id)</b> truck 12: flat tyre")))
    }

    // MARK: The rig: fake Bot API, incident service double, sender

    struct BenchmarkError: Error, CustomStringConvertible {
        let description: String
    }

    /// A ROUTER playing the incident service, and the fake it checks against.
    final class Rig: Sendable {
        let fake: BenchmarkBotAPI
        let router: ZMQSocket
        private let state = Mutex<(peer: Data?, results: Int, lastResult: ContinuousClock.Instant?, delivered: Int)>((nil, 0, nil, 0))

        /// Whether to decode each result and count the delivered ones (the overload run).
        let countsOutcomes: Bool

        init(fake: BenchmarkBotAPI, router: ZMQSocket, countsOutcomes: Bool = false) {
            self.fake = fake
            self.router = router
            self.countsOutcomes = countsOutcomes
        }

        /// Results received so far, and how many of them say delivered.
        var resultCounts: (all: Int, delivered: Int) { state.withLock { ($0.results, $0.delivered) } }

        func receive() async {
            do {
                for try await message in router.messages where message.count == 3 {
                    guard let header = try? WireFormat.decodeHeader(Array(message.dropFirst())) else { continue }
                    let now = ContinuousClock.now
                    state.withLock { state in
                        state.peer = message[0]
                        if header.type == .intentResult {
                            state.results += 1
                            state.lastResult = now
                        }
                    }
                    if countsOutcomes, header.type == .intentResult,
                        let result = try? WireFormat.decode(Array(message.dropFirst()), as: IntentResult.self),
                        case .delivered = result.payload.outcome
                    {
                        state.withLock { $0.delivered += 1 }
                    }
                }
            } catch {}
        }

        func send(_ intent: OutboundIntent) async throws {
            guard let peer = state.withLock({ $0.peer }) else { throw BenchmarkError(description: "no sender_ready yet") }
            let envelope = Envelope(type: .outboundIntent, sender: .incidents, time: Date(), payload: intent)
            try await Bus.send(envelope, on: router, routing: [peer])
        }

        func waitForReady() async throws {
            try await waitUntil("sender_ready") { state.withLock { $0.peer != nil } }
        }

        /// Waits until `count` results have arrived; returns when the last one did.
        func waitForResults(count: Int) async throws -> ContinuousClock.Instant {
            try await waitUntil("\(count) results") { state.withLock { $0.results >= count } }
            return state.withLock { $0.lastResult } ?? .now
        }

        private func waitUntil(_ what: String, _ condition: () -> Bool) async throws {
            let deadline = ContinuousClock.now + .seconds(120)
            while !condition() {
                guard ContinuousClock.now < deadline else { throw BenchmarkError(description: "timed out waiting for \(what)") }
                await Task.yield()
                try await Task.sleep(for: .microseconds(200))
            }
        }
    }

    static func withRig<R: Sendable>(
        configuration: SenderConfiguration, logger: Logger, _ body: (Rig) async throws -> R
    ) async throws -> R {
        let fake = BenchmarkBotAPI()
        return try await fake.serve(logger: logger) { url in
            try await withRole(configuration: configuration, baseURL: url, token: "123456:BENCHMARK-token", fake: fake, logger: logger, body)
        }
    }

    /// The sender role in this process talking to the Bot API at `baseURL`, this process playing
    /// the incident service.
    static func withRole<R: Sendable>(
        configuration: SenderConfiguration, baseURL url: URL, token text: String, fake: BenchmarkBotAPI, countsOutcomes: Bool = false,
        logger: Logger, _ body: (Rig) async throws -> R
    ) async throws -> R {
        let context = try ZMQContext()
        do {
            let router = try context.socket(.router, options: Bus.socketOptions(routerMandatory: true))
            let endpoint = try await router.bind("tcp://127.0.0.1:*")
            guard let token = BotToken(text) else { throw BenchmarkError(description: "token") }
            let client = BotAPIClient(
                baseURL: url, token: token, session: SenderRole.makeSession(), requestTimeout: .seconds(10), logger: logger)
            let role = SenderRole(
                configuration: configuration, client: client, intentsEndpoint: endpoint, logger: logger,
                readiness: Readiness(parts: SenderRole.readinessParts))
            let rig = Rig(fake: fake, router: router, countsOutcomes: countsOutcomes)
            let result = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await rig.receive() }
                group.addTask { try await role.run() }
                defer { group.cancelAll() }
                try await rig.waitForReady()
                return try await body(rig)
            }
            await context.terminate()
            return result
        } catch {
            await context.terminate()
            throw error
        }
    }
}

/// A minimal Bot API for the benchmark: answers `sendMessage` with a message and every other
/// method with `true`, as fast as it can, and records when calls arrive.
final class BenchmarkBotAPI: Sendable {
    private let state = Mutex<(nextID: Int64, arrivals: [ContinuousClock.Instant], lastServerTime: Duration, lastAnswered: ContinuousClock.Instant?)>(
        (1, [], .zero, nil))

    var lastServerTime: Duration { state.withLock { $0.lastServerTime } }
    var lastArrival: ContinuousClock.Instant? { state.withLock { $0.arrivals.last } }
    var lastAnswered: ContinuousClock.Instant? { state.withLock { $0.lastAnswered } }

    /// Calls per second that arrived between `from` and `to`.
    func callsPerSecond(from: ContinuousClock.Instant, to: ContinuousClock.Instant) -> Double {
        let count = state.withLock { $0.arrivals.filter { $0 >= from && $0 < to }.count }
        return Double(count) / ((to - from) / .seconds(1))
    }

    func serve<R: Sendable>(logger: Logger, _ body: (URL) async throws -> R) async throws -> R {
        do {
            return try await LocalHTTPServer.serve(logger: logger, respond: { request in try await self.respond(to: request) }, body)
        } catch is LocalHTTPServer.DidNotStart {
            throw SenderBenchmark.BenchmarkError(description: "the fake Bot API did not start")
        }
    }

    private func respond(to request: Request) async throws -> Response {
        var request = request
        let arrived = ContinuousClock.now
        let body = try await request.collectBody(upTo: 1 << 20)
        let method = request.uri.path.split(separator: "/").last.map(String.init) ?? ""
        let text: String
        if method == "sendMessage" {
            struct Body: Decodable { let chat_id: Int64 }
            let chat = (try? JSONDecoder().decode(Body.self, from: Data(body.readableBytesView)))?.chat_id ?? 0
            let id = state.withLock { state in
                defer { state.nextID += 1 }
                return state.nextID
            }
            text = #"{"ok":true,"result":{"message_id":\#(id),"date":1767225600,"chat":{"id":\#(chat),"type":"private"},"text":"ok"}}"#
        } else {
            text = #"{"ok":true,"result":true}"#
        }
        let response = Response(
            status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
        state.withLock { state in
            state.arrivals.append(arrived)
            let now = ContinuousClock.now
            state.lastServerTime = now - arrived
            state.lastAnswered = now
        }
        return response
    }
}
