import WireProtocol

/// The updates the gateway fetched and has not yet confirmed to Telegram, and the offset it
/// may confirm. A pure value; time is an input.
///
/// The rule that keeps updates from being lost: the offset moves past an update only when it
/// and every update before it are settled, i.e. acknowledged by the incident service or
/// skipped (not forwarded). Until then Telegram keeps them all, so a crash of the gateway
/// loses nothing: the next run fetches them again.
struct PendingUpdates: Sendable {
    typealias Instant = ContinuousClock.Instant

    /// An event waiting for its acknowledgement.
    struct Unacknowledged: Sendable, Equatable {
        let event: InboundEvent
        /// The envelope id, the same for every re-send, so the incident service and logs can
        /// tell a re-send from a new event.
        let envelopeID: String
        /// When to send (again); nil while a send is in progress.
        var dueAt: Instant?
        var sends = 0
    }

    enum Entry: Sendable, Equatable {
        case awaiting(Unacknowledged)
        case settled
    }

    /// Fetched updates above the confirmed offset, ascending by update id.
    private(set) var entries: [(id: Int64, entry: Entry)] = []
    /// The offset to poll with: every update below it is settled. Nil until the first update
    /// is settled (the first poll then asks for everything Telegram holds).
    private(set) var offset: Int64?
    /// At most this many fetched updates are held; polling stops while full.
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    var isFull: Bool { entries.count >= capacity }
    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }
    var awaitingCount: Int { entries.reduce(0) { if case .awaiting = $1.entry { $0 + 1 } else { $0 } } }

    /// Whether this update id is already held or confirmed (a re-delivery of one we have).
    func isKnown(_ updateID: Int64) -> Bool {
        if let offset, updateID < offset { return true }
        return entries.contains { $0.id == updateID }
    }

    /// Adds a fetched update: an event to deliver, or nil for one that is settled at once.
    /// Returns false (and changes nothing) for an update already known.
    @discardableResult
    mutating func add(updateID: Int64, event: InboundEvent?, envelopeID: String, now: Instant) -> Bool {
        guard !isKnown(updateID) else { return false }
        let entry: Entry = event.map { .awaiting(Unacknowledged(event: $0, envelopeID: envelopeID, dueAt: now)) } ?? .settled
        let index = entries.firstIndex { $0.id > updateID } ?? entries.endIndex
        entries.insert((updateID, entry), at: index)
        advance()
        return true
    }

    /// Records an acknowledgement. Returns true when it settled an update we held.
    @discardableResult
    mutating func acknowledge(_ updateID: Int64) -> Bool {
        guard let index = entries.firstIndex(where: { $0.id == updateID }), case .awaiting = entries[index].entry else {
            return false
        }
        entries[index].entry = .settled
        advance()
        return true
    }

    /// Events due to be sent at `now` (new, or unacknowledged for the ack timeout), oldest
    /// first; each is marked as being sent until ``sent(_:at:nextAfter:)`` or
    /// ``sendFailed(_:retryAt:)`` says how it went.
    mutating func takeDue(now: Instant) -> [Unacknowledged] {
        var due: [Unacknowledged] = []
        for index in entries.indices {
            guard case .awaiting(var pending) = entries[index].entry, let at = pending.dueAt, at <= now else { continue }
            pending.dueAt = nil
            entries[index].entry = .awaiting(pending)
            due.append(pending)
        }
        return due
    }

    /// The event was handed to the bus; send it again at `resendAt` unless acknowledged.
    mutating func sent(_ updateID: Int64, resendAt: Instant) {
        update(updateID) { $0.dueAt = resendAt; $0.sends += 1 }
    }

    /// The bus could not take the event (no connection); try again at `retryAt`.
    mutating func sendFailed(_ updateID: Int64, retryAt: Instant) {
        update(updateID) { $0.dueAt = retryAt }
    }

    /// The earliest instant an event becomes due; nil when none waits for a time.
    var nextDue: Instant? {
        entries.compactMap { if case .awaiting(let pending) = $0.entry { pending.dueAt } else { nil } }.min()
    }

    private mutating func update(_ updateID: Int64, _ change: (inout Unacknowledged) -> Void) {
        guard let index = entries.firstIndex(where: { $0.id == updateID }), case .awaiting(var pending) = entries[index].entry
        else { return }
        change(&pending)
        entries[index].entry = .awaiting(pending)
    }

    /// Drops the settled prefix and moves the offset past it.
    private mutating func advance() {
        var settled = 0
        for item in entries {
            guard case .settled = item.entry else { break }
            settled += 1
        }
        guard settled > 0 else { return }
        offset = entries[settled - 1].id + 1
        entries.removeFirst(settled)
    }
}
