import Foundation

/// When the incident service gives up on an inbound update: after `maximumAttempts` failed
/// tries (a store error, or a deferral) spread over at least `minimumAge`. Then the update is
/// recorded as a dead letter and acknowledged, so the gateway confirms it and the updates of
/// every other group behind it flow again.
public struct DeadLetterPolicy: Sendable, Hashable {
    public var maximumAttempts: Int
    /// A deferral normally resolves within seconds (the card it waits for is sent); the age
    /// keeps a quick burst of redeliveries from giving up too early.
    public var minimumAge: Duration

    public init(maximumAttempts: Int = 10, minimumAge: Duration = .seconds(60)) {
        self.maximumAttempts = max(1, maximumAttempts)
        self.minimumAge = minimumAge
    }
}

/// Failed tries per update id, in memory (a restart starts counting again, which only
/// delays the dead letter). Bounded: the oldest entries are forgotten beyond `capacity`.
struct InboundAttempts {
    struct Entry {
        var attempts: Int
        var firstFailure: ContinuousClock.Instant
        var firstFailureDate: Date
    }

    let policy: DeadLetterPolicy
    var capacity = 10_000
    private(set) var entries: [Int64: Entry] = [:]

    init(policy: DeadLetterPolicy) { self.policy = policy }

    /// Records one more failure of `updateID`; returns the entry when it is time to give up.
    mutating func failed(_ updateID: Int64, at instant: ContinuousClock.Instant, date: Date) -> Entry? {
        var entry = entries[updateID] ?? Entry(attempts: 0, firstFailure: instant, firstFailureDate: date)
        entry.attempts += 1
        if entries[updateID] == nil, entries.count >= capacity,
           let oldest = entries.min(by: { $0.value.firstFailure < $1.value.firstFailure })?.key {
            entries.removeValue(forKey: oldest)
        }
        entries[updateID] = entry
        let gaveUp = entry.attempts >= policy.maximumAttempts && instant - entry.firstFailure >= policy.minimumAge
        return gaveUp ? entry : nil
    }

    mutating func forget(_ updateID: Int64) {
        entries.removeValue(forKey: updateID)
    }
}
