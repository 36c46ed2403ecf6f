import Logging
import Testing

@testable import raisedash_bench

@Suite("raisedash-bench: the gateway benchmark runs (numbers are not checked)")
struct GatewayBenchmarkTests {
    @Test("a small run forwards the commands and button presses, skips the chatter, confirms everything")
    func smallRun() async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let report = try await GatewayBenchmark.run(updates: 60, logger: logger)
        #expect(report.updates == 60)
        #expect(report.events == 40)
        #expect(report.polls >= 1)
        #expect(report.updatesPerSecond.isFinite && report.updatesPerSecond > 0)
    }
}
