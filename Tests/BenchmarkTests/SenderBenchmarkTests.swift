import Logging
import Testing

@testable import raisedash_bench

@Suite("raisedash-bench: the sender benchmark runs (numbers are not checked)")
struct SenderBenchmarkTests {
    @Test("a small run carries out every intent and reports finite figures")
    func smallRun() async throws {
        var logger = Logger(label: "bench")
        logger.logLevel = .critical
        let report = try await SenderBenchmark.run(latencySamples: 5, calls: 60, chats: 10, logger: logger)
        #expect(report.latencySamples == 5)
        #expect(report.throughputCalls == 60)
        #expect(report.endToEnd.p50.isFinite && report.endToEnd.p50 > 0)
        #expect(report.callsPerSecond.isFinite && report.callsPerSecond > 0)
        #expect(report.pacedCallsPerSecond == nil)
        #expect(report.description.contains("sender throughput"))
    }
}
