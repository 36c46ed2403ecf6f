import Foundation
import Synchronization

/// Where the simulator reads the time for message dates, callback query expiry and rate limits.
///
/// Long polls always wait in real time; this clock only decides what the simulated Telegram
/// believes the time is. Tests pass a ``ManualClock`` and advance it instead of sleeping.
public protocol SimulatorClock: Sendable {
    /// The current simulated time.
    func now() -> Date
}

/// The machine's wall clock.
public struct SystemClock: SimulatorClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock that only moves when told to.
public final class ManualClock: SimulatorClock {
    private let current: Mutex<Date>

    /// Creates a clock stopped at `start` (by default 2026-01-01T00:00:00Z).
    public init(start: Date = Date(timeIntervalSince1970: 1_767_225_600)) {
        current = Mutex(start)
    }

    public func now() -> Date { current.withLock { $0 } }

    /// Moves the clock forward (a negative interval is ignored: time does not go back).
    public func advance(by seconds: TimeInterval) {
        guard seconds > 0 else { return }
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}
