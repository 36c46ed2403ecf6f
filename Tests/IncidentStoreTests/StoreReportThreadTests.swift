import Glibc
@testable import Storage
import Testing

@Suite("The report thread")
struct StoreReportThreadTests {
    @Test("runs reports in the idle scheduling class, so a report never takes the CPU from a button press")
    func runsInTheIdleClass() async throws {
        let policy = try await ReportThread.shared.run { sched_getscheduler(0) }
        #expect(policy == ReportThread.idleScheduling)
        // The caller's own thread is left alone.
        #expect(sched_getscheduler(0) != ReportThread.idleScheduling)
    }
}
