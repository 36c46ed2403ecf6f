/// The two shapes of rate budget the sender paces calls with. Both are pure values: every
/// question takes `now`, so tests drive them with made-up instants.
///
/// Telegram counts a call when it arrives, which is somewhere between the moment the sender
/// sends it and the moment the answer comes back. Both budgets therefore count a call from its
/// start until its answer: a window slot is held until a full window after the answer, and a
/// chat's token is taken as of the answer. Calls measured at their arrival then never exceed
/// a budget, however the network delays them.

/// At most `limit` calls in any window of length `window`: a sliding window over the calls
/// made. Used for the whole bot (30 per second) and per group (20 per minute), where
/// Telegram's limit is "N in a period" and a token bucket would let twice N through in one
/// period (a full bucket plus its refill).
struct WindowBudget: Sendable, Equatable {
    typealias Instant = ContinuousClock.Instant

    struct Slot: Sendable, Equatable {
        let call: UInt64
        /// When the answer came; nil while the call is in flight.
        var answered: Instant?
    }

    let limit: Int
    let window: Duration
    /// Calls in flight or answered less than a window ago.
    private(set) var slots: [Slot] = []

    /// - Parameters:
    ///   - limit: Calls allowed per window (at least 1).
    ///   - window: The window's length, including any safety margin.
    init(limit: Int, window: Duration) {
        self.limit = max(1, limit)
        self.window = max(window, .zero)
    }

    /// The earliest instant at or after `now` at which one more call fits while keeping
    /// `reserve` slots free for a caller of higher priority (a reserve never blocks a window of
    /// a single call); nil when only an answer to a call in flight can free a slot.
    func earliest(now: Instant, reserve: Int = 0) -> Instant? {
        let allowed = max(1, limit - max(0, reserve))
        // Fewer slots than allowed fit whatever they are: the common case, in O(1).
        if slots.count < allowed { return now }
        let live = slots.filter { counts($0, at: now) }
        guard live.count >= allowed else { return now }
        // This many have to leave the window before one more fits.
        let leaving = live.count - allowed + 1
        let frees = live.compactMap { $0.answered.map { $0 + window } }.sorted()
        guard frees.count >= leaving else { return nil }
        return max(now, frees[leaving - 1])
    }

    /// Whether one more call fits now.
    func allows(now: Instant, reserve: Int = 0) -> Bool {
        earliest(now: now, reserve: reserve).map { $0 <= now } ?? false
    }

    /// Records a call starting at `now`.
    mutating func start(_ call: UInt64, now: Instant) {
        let window = self.window
        // Slots are in the order calls started, and answers mostly come in that order: drop the
        // expired ones at the front once they are many (amortized O(1) per call), and sweep
        // everything only when the slots reach the limit, where it changes the answer. A
        // generous budget (the benchmarks') then costs no scan per call.
        var expired = 0
        while expired < slots.count, let answered = slots[expired].answered, answered + window <= now { expired += 1 }
        if expired >= 32 || expired * 2 > slots.count {
            slots.removeFirst(expired)
        }
        if slots.count >= limit {
            slots.removeAll { slot in slot.answered.map { $0 + window <= now } ?? false }
        }
        slots.append(Slot(call: call))
    }

    /// Records the answer to a call.
    mutating func answer(_ call: UInt64, now: Instant) {
        // Call ids grow with every start, so the slots are sorted by call id.
        var low = 0
        var high = slots.count
        while low < high {
            let middle = (low + high) / 2
            if slots[middle].call < call { low = middle + 1 } else { high = middle }
        }
        if low < slots.count, slots[low].call == call {
            slots[low].answered = now
        }
    }

    /// True when no call is inside the window any more (the budget is as if unused).
    func isUnused(now: Instant) -> Bool {
        !slots.contains { counts($0, at: now) }
    }

    private func counts(_ slot: Slot, at now: Instant) -> Bool {
        guard let answered = slot.answered else { return true }
        return answered + window > now
    }
}

/// A token bucket: holds up to `capacity` tokens, gains one every `interval`, and a call
/// takes one. Used per chat: "about one message per second, with a short burst". The sender
/// makes one call per chat at a time; the token is checked at the start and taken as of the
/// answer (``settle(_:)``).
struct TokenBucket: Sendable, Equatable {
    typealias Instant = ContinuousClock.Instant

    let capacity: Double
    let interval: Duration
    private(set) var tokens: Double
    private(set) var updated: Instant?

    /// A full bucket; or, with `emptyAt`, one that was empty at that instant and refills from
    /// there.
    init(capacity: Int, interval: Duration, emptyAt: Instant? = nil) {
        self.capacity = Double(max(1, capacity))
        self.interval = max(interval, .nanoseconds(1))
        self.tokens = emptyAt == nil ? self.capacity : 0
        self.updated = emptyAt
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

    /// Takes one token at `now`, the start of a call.
    mutating func take(_ now: Instant) {
        tokens = max(0, tokens(at: now) - 1)
        updated = now
    }

    /// The call's answer came at `now`: count its token as taken then, so the refill toward
    /// the next call starts from the answer, not from the start.
    mutating func settle(_ now: Instant) {
        tokens = min(tokens(at: now), capacity - 1)
        updated = now
    }

    /// True when the bucket is full again (the chat's budget is as if unused).
    func isFull(at now: Instant) -> Bool {
        tokens(at: now) >= capacity - 1e-9
    }
}
