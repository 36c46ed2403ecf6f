/// How the gateway polls, waits for acknowledgements and backs off. The defaults are what
/// the executable runs with; tests and benchmarks shorten the waits.
public struct GatewayConfiguration: Sendable, Equatable {
    /// `getUpdates` long-poll wait in seconds (Telegram caps it at 50).
    public var pollTimeout: Int
    /// Updates asked for per poll (1 to 100).
    public var pollLimit: Int
    /// An event not acknowledged within this time is sent again (Lazy Pirate).
    public var ackTimeout: Duration
    /// Fetched updates held at most before the offset moves; polling stops while full.
    /// At most `pollLimit`, since a poll returns the held updates first.
    public var maxInFlight: Int
    /// How long a send on the bus may wait for a connection to the incident service.
    public var busSendTimeout: Duration
    /// When the bus could not take an event: wait this long before trying again.
    public var busRetryInterval: Duration
    /// Backoff after a failed Telegram call (409, 5xx, network): starts here, doubles, with
    /// jitter (half to all of the step), up to `backoffMaximum`.
    public var backoffInitial: Duration
    public var backoffMaximum: Duration
    /// Timeout of ordinary Bot API calls (getMe, deleteWebhook, setMyCommands).
    public var requestTimeout: Duration
    /// On shutdown: how long the last `getUpdates` confirming acknowledged updates may take.
    public var finalConfirmTimeout: Duration

    public init(
        pollTimeout: Int = 50,
        pollLimit: Int = 100,
        ackTimeout: Duration = .seconds(3),
        maxInFlight: Int = 100,
        busSendTimeout: Duration = .seconds(1),
        busRetryInterval: Duration = .seconds(1),
        backoffInitial: Duration = .milliseconds(500),
        backoffMaximum: Duration = .seconds(30),
        requestTimeout: Duration = .seconds(30),
        finalConfirmTimeout: Duration = .seconds(2)
    ) {
        self.pollTimeout = min(50, max(0, pollTimeout))
        self.pollLimit = min(100, max(1, pollLimit))
        self.ackTimeout = max(.milliseconds(10), ackTimeout)
        self.maxInFlight = min(self.pollLimit, max(1, maxInFlight))
        self.busSendTimeout = max(.milliseconds(1), busSendTimeout)
        self.busRetryInterval = max(.milliseconds(1), busRetryInterval)
        self.backoffInitial = max(.milliseconds(1), backoffInitial)
        self.backoffMaximum = max(self.backoffInitial, backoffMaximum)
        self.requestTimeout = requestTimeout
        self.finalConfirmTimeout = finalConfirmTimeout
    }
}

/// Exponential backoff with jitter: the n-th consecutive failure waits a random time between
/// half and all of `initial * 2^(n-1)`, capped at `maximum`. Never zero, so never a tight loop.
struct Backoff: Sendable {
    let initial: Duration
    let maximum: Duration
    private(set) var failures = 0

    init(initial: Duration, maximum: Duration) {
        self.initial = initial
        self.maximum = max(initial, maximum)
    }

    /// Counts a failure and returns how long to wait before trying again.
    mutating func next() -> Duration {
        failures += 1
        let exponent = min(failures - 1, 30)
        let step = min(maximum, initial * (1 << exponent))
        return step * Double.random(in: 0.5...1.0)
    }

    mutating func reset() {
        failures = 0
    }
}
