import Synchronization

/// Failed logins per client address in a sliding window: after `limit` failures within
/// `window` from one address, that address is answered 429 with `Retry-After` until the
/// oldest failure has left the window, a correct key included (otherwise a guesser could tell
/// right from wrong at full speed). Other addresses are not affected.
///
/// Used by the admin API for company keys and by the dashboard's login page. In memory: a
/// restart forgets the failures, which costs a guesser nothing worth having against 256-bit
/// keys. At most `maximumAddresses` addresses are remembered; beyond that the one whose last
/// failure is oldest is forgotten first.
public final class LoginThrottle: Sendable {
    public typealias Instant = ContinuousClock.Instant

    public let limit: Int
    public let window: Duration
    let maximumAddresses: Int
    private let failures = Mutex<[String: [Instant]]>([:])

    public init(limit: Int = 5, window: Duration = .seconds(60), maximumAddresses: Int = 10_000) {
        self.limit = max(1, limit)
        self.window = window
        self.maximumAddresses = max(1, maximumAddresses)
    }

    /// Whole seconds until `address` may try again (at least 1), or nil when it may now.
    public func retryAfter(address: String, now: Instant = .now) -> Int? {
        failures.withLock { failures in
            guard var list = failures[address] else { return nil }
            list.removeAll { now - $0 >= window }
            failures[address] = list.isEmpty ? nil : list
            guard list.count >= limit, let oldest = list.first else { return nil }
            let wait = window - (now - oldest)
            return max(1, Int(wait.components.seconds) + (wait.components.attoseconds > 0 ? 1 : 0))
        }
    }

    /// Counts a failed attempt from `address`.
    public func recordFailure(address: String, now: Instant = .now) {
        failures.withLock { failures in
            var list = failures[address, default: []]
            list.removeAll { now - $0 >= window }
            list.append(now)
            if list.count > limit { list.removeFirst(list.count - limit) }
            failures[address] = list
            if failures.count > maximumAddresses {
                // Forget expired addresses, then the stalest ones.
                failures = failures.filter { _, list in list.last.map { now - $0 < window } ?? false }
                while failures.count > maximumAddresses,
                      let stalest = failures.min(by: { ($0.value.last ?? now) < ($1.value.last ?? now) })?.key {
                    failures[stalest] = nil
                }
            }
        }
    }

    /// A successful login forgets the address's failures.
    public func recordSuccess(address: String) {
        _ = failures.withLock { $0.removeValue(forKey: address) }
    }
}
