import Foundation
import Synchronization
#if canImport(Glibc)
import CMalloc
import Glibc
#endif

/// One thread of its own, at the lowest scheduling class (Linux's SCHED_IDLE; nice +10 where
/// that is refused), that computes reports: a report's read and formulas run here,
/// synchronously, instead of on GRDB's reader queues (threads of the shared dispatch pool) or
/// Swift's cooperative pool. On a busy machine the kernel then gives the threads that answer
/// button presses (the bus, the writer) the CPU first, and reports the rest. Reports run one
/// at a time, in the order asked.
///
/// Under nice +10 a report still took about a tenth of a core from a busy press path (CFS
/// weights 110 against 1024) and press -> answer p99 was 10-13 % worse on some runs; a
/// SCHED_IDLE thread runs only when no ordinary thread wants the CPU (weight 3), and a report
/// waits instead. Lowering a thread's class or raising its nice value needs no privilege;
/// neither is ever undone, which is why the thread is dedicated rather than borrowed from a
/// pool.
final class ReportThread: Sendable {
    private let jobs = Mutex<[@Sendable () -> Void]>([])
    private let wake = DispatchSemaphore(value: 0)

    /// The one report thread of this process (every store of it shares it).
    static let shared = ReportThread()

    /// The nice value the thread runs at if SCHED_IDLE is refused.
    static let niceness: Int32 = 10

    /// `SCHED_IDLE` of <sched.h>, which Swift's Glibc module leaves out (it is behind
    /// _GNU_SOURCE).
    static let idleScheduling: Int32 = 5

    private init() {
        #if canImport(Glibc)
        // A whole-span report allocates some 100 MB of short-lived arrays (sessions,
        // participations, their keys). By default glibc hands such blocks back to the kernel
        // when they are freed and the next report faults every page in again: 14 % of a
        // people report's CPU over 100,000 incidents went to page faults. Blocks up to 32 MB
        // now come from the heap and freed memory stays with the process for the next report
        // (its resident size stays near the largest report's, which the memory map of the
        // database file mostly is already).
        _ = mallopt(M_MMAP_THRESHOLD, 32 << 20)
        _ = mallopt(M_TRIM_THRESHOLD, 512 << 20)
        #endif
        let thread = Thread { [self] in
            #if canImport(Glibc)
            // On Linux the scheduling class and the nice value are per thread, and pid 0 (or
            // `who` 0) is the calling thread.
            var parameters = sched_param(sched_priority: 0)
            if sched_setscheduler(0, Self.idleScheduling, &parameters) != 0 {
                _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, Self.niceness)
            }
            #endif
            while true {
                self.wake.wait()
                let job = self.jobs.withLock { $0.isEmpty ? nil : $0.removeFirst() }
                job?()
            }
        }
        thread.name = "raisedash-reports"
        thread.start()
    }

    /// Runs `body` on the report thread and returns its result.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            jobs.withLock {
                $0.append { continuation.resume(with: Result { try body() }) }
            }
            wake.signal()
        }
    }
}
