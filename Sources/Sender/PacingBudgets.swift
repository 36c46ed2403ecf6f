/// The two shapes of rate budget the sender paces calls with. Both are pure values: every
/// question takes `now`, so tests drive them with made-up instants.

/// At most `limit` calls in any window of length `window`: a sliding window over the times
/// of the calls made. Used for the whole bot (30 per second) and per group (20 per minute),
/// where Telegram's limit is "N in a period" and a token bucket would let twice N through
/// in one period (a full bucket plus its refill).
struct WindowBudget: Sendable, Equatable {
    typealias Instant = ContinuousClock.Instant

    let limit: Int
    let window: Duration
    /// Start times of the calls still inside the window, oldest first.
    private(set) var times: [Instant] = []

    /// - Parameters:
    ///   - limit: Calls allowed per window (at least 1).
    ///   - window: The window's length, including any safety margin.
    init(limit: Int, window: Duration) {
        self.limit = max(1, limit)
        self.window = max(window, .zero)
    }

    /// The earliest instant at or after `now` at which one more call fits, while keeping
    /// `reserve` calls of the window free for someone else (a caller of lower priority passes
    /// the reserve; the reserve never blocks a window of a single call).
    func earliest(now: Instant, reserve: Int = 0) -> Instant {
        let allowed = max(1, limit - max(0, reserve))
        let live = times.drop { $0 + window <= now }
        guard live.count >= allowed else { return now }
        // The call at this index has to leave the window before one more fits.
        let index = live.startIndex + (live.count - allowed)
        return max(now, live[index] + window)
    }

    /// Whether one more call fits now.
    func allows(now: Instant, reserve: Int = 0) -> Bool {
        earliest(now: now, reserve: reserve) <= now
    }

    /// Records a call made at `now`.
    mutating func record(_ now: Instant) {
        times.removeAll { $0 + window <= now }
        times.append(now)
    }

    /// True when no call is inside the window any more (the budget is as if unused).
    func isUnused(now: Instant) -> Bool {
        times.allSatisfy { $0 + window <= now }
    }
}

/// A token bucket: holds up to `capacity` tokens, gains one every `interval`, and a call
/// takes one. Used per chat: "about one message per second, with a short burst".
struct TokenBucket: Sendable, Equatable {
    typealias Instant = ContinuousClock.Instant

    let capacity: Double
    let interval: Duration
    private(set) var tokens: Double
    private(set) var updated: Instant?

    /// A full bucket.
    init(capacity: Int, interval: Duration) {
        self.capacity = Double(max(1, capacity))
        self.interval = max(interval, .nanoseconds(1))
        self.tokens = self.capacity
    }

    /// Tokens available at `now`.
    func tokens(at now: Instant) -> Double {
        guard let updated, now > updated else { return tokens }
        return min(capacity, tokens + (now - updated) / interval)
    }

    /// The earliest instant at or after `now` at which a token is available.
    func earliest(now: Instant) -> Instant {
        let available = tokens(at: now)
        // A hair of tolerance so floating-point rounding never leaves 0.9999999 tokens and a
        // wake-up that finds nothing to do.
        if available >= 1 - 1e-9 { return now }
        return now + interval * (1 - available)
    }

    /// Takes one token at `now` (it may go slightly negative only through rounding).
    mutating func take(_ now: Instant) {
        tokens = max(0, tokens(at: now) - 1)
        updated = now
    }

    /// True when the bucket is full again (the chat's budget is as if unused).
    func isFull(at now: Instant) -> Bool {
        tokens(at: now) >= capacity - 1e-9
    }
}
