import ArgumentParser
import Foundation
import SimulatorClient
import Logging
import Synchronization

/// `raisedash-bench pacing`: the sender with Telegram's budgets against the simulator enforcing
/// Telegram's limits, offered twice what the limits allow; counts what the simulator refused.
struct PacingBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pacing",
        abstract: "429s at twice Telegram's limits: the sender against the simulator with its limits on.",
        discussion: """
            Starts `raisedash simulator --enforce-limits` (30/s for the bot, 20 a minute per \
            group, 1/s with bursts of 3 per private chat), makes --groups supergroups, and runs \
            the sender role in this process with its default budgets, offering each group \
            --factor times its 20 a minute in bursts of --burst (90 groups at factor 2: 60/s, \
            twice the global limit too). Reads the simulator's call log: calls made, 429s, the \
            busiest second and the busiest minute of any group.
            """)

    @Option(help: "Supergroups written to.") var groups = 90
    @Option(help: "Seconds of offered load (more than 60 to fill a group's minute).") var seconds: Double = 150
    @Option(help: "Offered load as a multiple of a group's budget.") var factor: Double = 2
    @Option(help: "Intents per burst to one group (a lifecycle's card, pin and edits come together).") var burst = 4
    @Option(help: "The raisedash binary (default: the one next to this executable, same build).") var binary: String?
    @Option(help: "Log level of the sender and the simulator.") var logLevel = "error"

    func validate() throws {
        guard groups > 0, seconds > 0, factor > 0, burst > 0 else {
            throw ValidationError("--groups, --seconds, --factor and --burst must be positive")
        }
    }

    func run() async throws {
        let own = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let path = binary ?? own.deletingLastPathComponent().appendingPathComponent("raisedash").path
        guard FileManager.default.isExecutableFile(atPath: path) else { throw ValidationError("\(path) is not an executable") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("raisedash-pacing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let port = freePort()
        let base = URL(string: "http://127.0.0.1:\(port)")!
        let http = JSONClient(connections: 8)
        print("raisedash-bench pacing: \(groups) groups, \(seconds) s, \(factor)x a group's budget in bursts of \(burst)")
        print("before: \(MachineLoad.current)")
        let simulator = try RoleProcess(
            name: "simulator", binary: path,
            arguments: ["simulator", "--port", "\(port)", "--enforce-limits", "--log-level", logLevel.lowercased()],
            environment: [
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": directory.path,
                "RAISEDASH_SUPERVISED": "1",
            ],
            directory: directory)
        do {
            let deadline = ContinuousClock.now + .seconds(60)
            while await http.status(base.appendingPathComponent("control/state")) != 200 {
                if let status = simulator.exitStatus { throw LoadFailure("the simulator exited with \(status): \(simulator.logTail())") }
                guard ContinuousClock.now < deadline else { throw LoadFailure("the simulator did not start") }
                try await Task.sleep(for: .milliseconds(100))
            }
            let control = http.simulator(base)
            try await control.addUser(NewUser(id: 7001, firstName: "Dana", username: "dana_pacing"))
            let chats = (0..<groups).map { -1_001_500_000_000 - Int64($0) }
            for (index, chat) in chats.enumerated() {
                try await control.createChat(NewChat(
                    title: "Pacing \(index + 1)", type: .supergroup, id: chat, members: [7001], creator: 7001, bot: .administrator))
            }
            try await control.setLimits(RateLimitChange(enabled: true))
            let log = CallLog(control: control)
            let report = try await withThrowingTaskGroup(of: SenderBenchmark.OverloadReport?.self) { group in
                group.addTask {
                    try await log.follow()
                    return nil
                }
                group.addTask {
                    try await SenderBenchmark.overload(
                        baseURL: base, token: SystemUnderLoad.botToken, groups: chats, seconds: seconds, factor: factor, burst: burst,
                        logger: benchLogger("raisedash.bench.pacing", level: logLevel))
                }
                defer { group.cancelAll() }
                while let next = try await group.next() {
                    if let next { return next }
                }
                throw LoadFailure("the overload run ended without a report")
            }
            try await log.read()
            print(report)
            print(log.summary())
            print("after: \(MachineLoad.current)")
        } catch {
            await simulator.stop()
            print("simulator log kept in \(directory.path)")
            throw error
        }
        await simulator.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// The simulator's call log, read as it goes (the simulator keeps only the last 10 000).
final class CallLog: Sendable {
    let control: SimulatorClient
    private let state = Mutex<(last: Int, calls: [RecordedCall])>((0, []))

    init(control: SimulatorClient) {
        self.control = control
    }

    static let counted: Set<String> = [
        "sendMessage", "editMessageText", "editMessageReplyMarkup", "pinChatMessage", "unpinChatMessage", "deleteMessage",
    ]

    func read() async throws {
        let new = try await control.calls(since: state.withLock { $0.last })
        state.withLock { state in
            for call in new where call.sequence > state.last {
                state.calls.append(call)
                state.last = call.sequence
            }
        }
    }

    func follow() async throws {
        while !Task.isCancelled {
            try await read()
            try await Task.sleep(for: .seconds(2))
        }
    }

    /// Calls, 429s, and the busiest windows of what the simulator accepted.
    func summary() -> String {
        let calls = state.withLock { $0.calls }.filter { Self.counted.contains($0.method) }
        let refused = calls.filter { $0.errorCode == 429 }.count
        let accepted = calls.filter(\.ok)
        func busiest(_ times: [Double], window: Double) -> Int {
            let sorted = times.sorted()
            var best = 0
            var start = 0
            for end in sorted.indices {
                while sorted[end] - sorted[start] >= window { start += 1 }
                best = max(best, end - start + 1)
            }
            return best
        }
        let second = busiest(accepted.map(\.at), window: 1)
        let byChat = Dictionary(grouping: accepted, by: { $0.chatID ?? 0 })
        let minute = byChat.values.map { busiest($0.map(\.at), window: 60) }.max() ?? 0
        let span = (accepted.map(\.at).max() ?? 0) - (accepted.map(\.at).min() ?? 0)
        let other = calls.filter { !$0.ok && $0.errorCode != 429 }.count
        return String(
            format:
                "simulator: %d counted calls, %d accepted (%.1f/s over %.0f s), %d refused with 429, %d other errors; busiest second %d calls (limit 30), busiest group minute %d (limit 20)",
            calls.count, accepted.count, span > 0 ? Double(accepted.count) / span : 0, span, refused, other, second, minute)
    }
}
