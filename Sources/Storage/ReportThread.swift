import Foundation
import Synchronization
#if canImport(Glibc)
import CMalloc
import Glibc
#endif

/// One thread of its own, at a lower scheduling priority (nice +10), that computes reports:
/// a report's read and formulas run here, synchronously, instead of on GRDB's reader queues
/// (threads of the shared dispatch pool) or Swift's cooperative pool. On a busy machine the
/// kernel then gives the threads that answer button presses (the bus, the writer) the CPU
/// first, and reports the rest. Reports run one at a time, in the order asked.
///
/// Raising a thread's nice value needs no privilege; it is never lowered again, which is why
/// the thread is dedicated rather than borrowed from a pool.
final class ReportThread: Sendable {
    private let jobs = Mutex<[@Sendable () -> Void]>([])
    private let wake = DispatchSemaphore(value: 0)

    /// The one report thread of this process (every store of it shares it).
    static let shared = ReportThread()

    /// The nice value the thread runs at.
    static let niceness: Int32 = 10

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
            // On Linux the nice value is per thread, and `who` 0 is the calling thread.
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, Self.niceness)
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
