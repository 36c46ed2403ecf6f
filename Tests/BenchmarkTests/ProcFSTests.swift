import Foundation
import Testing

@testable import raisedash_bench

@Suite("raisedash-bench: reading a process's memory from /proc")
struct ProcFSTests {
    @Test("smaps_rollup: resident, anonymous and proportional sizes in kB")
    func rollup() throws {
        let text = """
            55d1c0000000-7ffd3b1f2000 ---p 00000000 00:00 0                          [rollup]
            Rss:               57692 kB
            Pss:               22879 kB
            Pss_Anon:           8452 kB
            Shared_Clean:      42744 kB
            Anonymous:          8452 kB
            """
        let breakdown = try #require(ProcFS.breakdown(rollup: text))
        #expect(breakdown.resident == 57692)
        #expect(breakdown.anonymous == 8452)
        #expect(breakdown.proportional == 22879)
        #expect(ProcFS.breakdown(rollup: "Rss: 1 kB\n") == nil)
    }

    @Test("this process: anonymous and PSS within its resident set")
    func ownProcess() throws {
        let breakdown = try #require(ProcFS.breakdown(pid: getpid()))
        #expect(breakdown.resident > 0)
        #expect(breakdown.anonymous > 0 && breakdown.anonymous <= breakdown.resident)
        #expect(breakdown.proportional > 0 && breakdown.proportional <= breakdown.resident)
    }
}
