import WireProtocol

extension SendSchedule {
    /// An intent the schedule holds.
    struct Held: Sendable, Equatable {
        var intent: OutboundIntent
        /// Id of the newest envelope that carried it (the result's causation id).
        var envelopeID: String
        var receivedAt: Instant
        /// Failed attempts that count against `maxAttempts`.
        var failures = 0
        /// Not before this instant (retry backoff).
        var notBefore: Instant?
        /// The chat it was first addressed to, when a migration moved it.
        var migratedFrom: Int64?
        /// The call carrying it out, while one is in flight.
        var callID: UInt64?
    }

    /// One chat's queue and budgets.
    struct Lane: Sendable {
        var queue: [Held] = []
        var inFlight: Held?
        var pausedUntil: Instant?
        var bucket: TokenBucket
        /// Groups only.
        var groupWindow: WindowBudget?
    }
}
