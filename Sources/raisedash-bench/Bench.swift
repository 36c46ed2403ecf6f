import ArgumentParser
import Foundation
import IncidentCore
import Storage

/// Benchmarks report numbers; they are not tests.
@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raisedash-bench",
        abstract: "RaiseDash benchmarks (numbers, not pass/fail).",
        subcommands: [
            CoreBenchmark.self, SenderBench.self, GatewayBench.self, PacingBench.self, LifecycleLoad.self, ReportsBench.self,
            ApplyUpdate.self, LaunchChild.self,
        ])
}

/// `raisedash-bench apply-update`: applies one inbound update (JSON) to a store file and
/// prints the outcome (`applied`, `refused`, `duplicate`, `ignored`). Used by the store's
/// tests to act as a second process sharing the database file.
struct ApplyUpdate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apply-update", abstract: "Apply one update to a store (for tests).", shouldDisplay: false)

    @Option(help: "The SQLite file.") var database: String
    @Option(help: "The InboundUpdate as JSON.") var update: String
    @Option var nudgeMinutes: Double = 10
    @Option var summaryMinutes: Double = 60

    func run() async throws {
        guard let policy = SLAPolicy(unclaimedNudgeMinutes: nudgeMinutes, summaryTimeoutMinutes: summaryMinutes) else {
            throw ValidationError("the periods must be positive")
        }
        let inbound: InboundUpdate
        do {
            inbound = try JSONDecoder().decode(InboundUpdate.self, from: Data(update.utf8))
        } catch {
            throw ValidationError("--update is not an InboundUpdate in JSON")
        }
        let store = try IncidentStore(path: database, policy: policy)
        let result = try await store.apply(inbound)
        switch result.outcome {
        case .applied: print("applied")
        case .refused: print("refused")
        case .duplicate: print("duplicate")
        case .ignored: print("ignored")
        case .deferred: print("deferred")
        }
    }
}
