/// The id of an outbound intent, and the outbox item it delivers: the one place that encodes
/// and parses intent ids.
///
/// An intent id is the outbox row id doubled, plus one for "post the card again" (the card an
/// edit targeted is gone): the sender dedupes by intent id, so the re-post must not reuse the
/// edit's id. Ids stay increasing in decision order, which the sender relies on: it orders a
/// chat's calls by intent id, and a `sentBy` target is always an earlier id.
public struct IntentID: Hashable, Sendable, CustomStringConvertible {
    /// The id on the bus (`OutboundIntent.id`, `IntentResult.intentID`).
    public let rawValue: Int64

    /// The id of the intent that delivers outbox item `outbox`, or posts its card again.
    public init(outbox: Int64, repost: Bool = false) {
        rawValue = outbox * 2 + (repost ? 1 : 0)
    }

    /// An id read from the bus.
    public init(rawValue: Int64) {
        self.rawValue = rawValue
    }

    /// The outbox row id.
    public var outbox: Int64 { rawValue / 2 }

    /// Whether the intent posts a card again instead of delivering the item as written.
    public var isRepost: Bool { rawValue % 2 == 1 }

    public var description: String { "\(rawValue)" }
}
