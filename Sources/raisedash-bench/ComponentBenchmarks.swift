import ArgumentParser
import Foundation
import Logging

/// `raisedash-bench sender`: the sender role in this process against a local fake Bot API,
/// with the benchmark playing the incident service on the bus (`SenderBenchmark`).
struct SenderBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sender",
        abstract: "Sender latency and throughput against a local fake Bot API.",
        discussion: """
            Latency: intents sent one at a time, intent -> result, with the fake's own time taken \
            out. Throughput: --calls intents over --chats chats at once, budgets out of the way. \
            Paced (only with --paced-seconds > 0): 3000 intents over 100 chats with the default \
            budgets, calls per second measured over that many seconds (should sit just under 30).
            """)

    @Option(help: "Intents timed one at a time.") var latencySamples = 300
    @Option(help: "Intents in the throughput run.") var calls = 3000
    @Option(help: "Chats the intents are spread over.") var chats = 100
    @Option(help: "Seconds to measure the paced rate (0 leaves the paced run out).") var pacedSeconds: Double = 0
    @Option(help: "Log level of the role under test: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "error"

    func validate() throws {
        guard latencySamples > 0, calls > 0, chats > 0 else {
            throw ValidationError("--latency-samples, --calls and --chats must be positive")
        }
        guard pacedSeconds >= 0, pacedSeconds.isFinite else { throw ValidationError("--paced-seconds must be 0 or more") }
        guard Logger.Level(rawValue: logLevel.lowercased()) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    func run() async throws {
        print("raisedash-bench sender: \(latencySamples) latency samples, \(calls) calls over \(chats) chats, paced run \(pacedSeconds > 0 ? "\(pacedSeconds) s" : "off")")
        print(MachineLoad.current.description)
        let report = try await SenderBenchmark.run(
            latencySamples: latencySamples, calls: calls, chats: chats, pacedSeconds: pacedSeconds,
            logger: benchLogger("raisedash.bench.sender", level: logLevel))
        print(report)
        print(MachineLoad.current.description)
    }
}

/// `raisedash-bench gateway`: the gateway role in this process against a local fake Bot API
/// holding a fixed list of updates, with the benchmark acknowledging every event at once
/// (`GatewayBenchmark`).
struct GatewayBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Gateway throughput: updates received, forwarded, acknowledged and confirmed.",
        discussion: """
            The fake holds --updates updates (a third commands, a third button presses, a third \
            chatter the gateway skips). Measured from the first getUpdates to the poll whose \
            offset confirms the last update.
            """)

    @Option(help: "Updates the fake Bot API hands out.") var updates = 5000
    @Option(help: "Log level of the role under test: trace, debug, info, notice, warning, error, critical.")
    var logLevel = "error"

    func validate() throws {
        guard updates > 0 else { throw ValidationError("--updates must be positive") }
        guard Logger.Level(rawValue: logLevel.lowercased()) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    func run() async throws {
        print("raisedash-bench gateway: \(updates) updates")
        print(MachineLoad.current.description)
        let report = try await GatewayBenchmark.run(updates: updates, logger: benchLogger("raisedash.bench.gateway", level: logLevel))
        print(report)
        print(MachineLoad.current.description)
    }
}

/// A logger for a role running inside the benchmark: to standard error, at `level`.
func benchLogger(_ label: String, level: String) -> Logger {
    var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
    logger.logLevel = Logger.Level(rawValue: level.lowercased()) ?? .error
    return logger
}

/// The machine's load averages (from /proc/loadavg): on a shared machine, the figures mean
/// little without them.
struct MachineLoad: CustomStringConvertible {
    var one: String
    var five: String
    var fifteen: String

    static var current: MachineLoad {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
        let fields = text.split(separator: " ").map(String.init)
        guard fields.count >= 3 else { return MachineLoad(one: "?", five: "?", fifteen: "?") }
        return MachineLoad(one: fields[0], five: fields[1], fifteen: fields[2])
    }

    var description: String {
        "load average: \(one), \(five), \(fifteen) (\(ProcessInfo.processInfo.activeProcessorCount) cores)"
    }
}
