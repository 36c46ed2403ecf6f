import Foundation
import RaiseDashConfig

/// How the sender paces, retries and announces itself. `init(settings:)` reads the
/// `SENDER_*` settings; tests and benchmarks build scaled-down configurations directly.
public struct SenderConfiguration: Sendable, Equatable {
    /// "At most `calls` calls in any `window`."
    public struct Budget: Sendable, Equatable {
        public var calls: Int
        public var window: Duration

        public init(calls: Int, per window: Duration) {
            self.calls = max(1, calls)
            self.window = window
        }

        /// A rate in calls per second as a whole number of calls per window: 30/s is 30 per
        /// second, 2.5/s is 2 per 0.8 s, 0.5/s is 1 per 2 s.
        public init(perSecond rate: Double) {
            let rate = rate.isFinite && rate > 0 ? rate : 1
            let calls = max(1, Int(rate.rounded(.down)))
            self.init(calls: calls, per: .seconds(Double(calls) / rate))
        }

        /// A rate in calls per minute, as a whole number of calls per window.
        public init(perMinute rate: Double) {
            let rate = rate.isFinite && rate > 0 ? rate : 1
            let calls = max(1, Int(rate.rounded(.down)))
            self.init(calls: calls, per: .seconds(60 * Double(calls) / rate))
        }
    }

    /// Every call of the bot (SENDER_GLOBAL_PER_SECOND, 30/s).
    public var global: Budget
    /// Messages to one group, i.e. a chat with a negative id (SENDER_GROUP_PER_MINUTE, 20/min).
    public var group: Budget
    /// Steady messages per second to one chat (SENDER_CHAT_PER_SECOND, 1): how fast a chat's
    /// burst allowance refills.
    public var chatPerSecond: Double
    /// Messages one private chat may get in a burst (SENDER_CHAT_BURST, 3). A group's burst is
    /// its whole per-minute budget (``groupBurst``).
    public var chatBurst: Int
    /// Added to every window and to the per-chat token interval. Budgets already count each
    /// call from its start to its answer, so Telegram, which counts at arrival, never sees a
    /// budget exceeded; a margin only adds slack on top.
    public var safetyMargin: Duration
    /// Calls of the global budget that messages leave free for callback answers. With even
    /// pacing a callback answer waits at most about one spacing (1/30 s) for a free call, so the
    /// default reserves none; a reserve makes that wait zero at the cost of that share of the
    /// budget.
    public var callbackReserve: Int
    /// Space message calls evenly over the global window (30/s: one every 1/30 s) instead of
    /// sending a window's worth at once. Bursts raise the latency of every call in them, and a
    /// call holds its budget slot until its answer, so bursts waste budget; callback answers
    /// are never spaced.
    public var evenPacing: Bool
    /// Intents the sender holds at most (queued or in flight); its credit is what is left.
    public var capacity: Int
    /// Bot API calls in flight at once.
    public var maxConcurrentCalls: Int
    /// Attempts of a call that failed with a 5xx, a network error or a timeout before the
    /// intent is reported `gaveUp`.
    public var maxAttempts: Int
    /// Wait before retrying such a call: doubles per attempt up to `retryMaximum`, with jitter.
    public var retryInitial: Duration
    public var retryMaximum: Duration
    /// How often `sender_ready` is repeated as a heartbeat.
    public var heartbeatInterval: Duration
    /// On graceful shutdown: how long calls in flight may take to finish.
    public var shutdownGrace: Duration
    /// Results remembered for duplicates (an intent re-sent after it completed).
    public var rememberedResults: Int
    /// How long an edit waits for the send it targets (`sentBy`) when the sender has never
    /// seen that send; afterwards it is reported `messageNotFound`.
    public var unknownTargetTimeout: Duration
    /// Timeout of one Bot API call.
    public var requestTimeout: Duration

    public init(
        global: Budget = Budget(calls: 30, per: .seconds(1)),
        group: Budget = Budget(calls: 20, per: .seconds(60)),
        chatPerSecond: Double = 1,
        chatBurst: Int = 3,
        safetyMargin: Duration = .zero,
        callbackReserve: Int = 0,
        evenPacing: Bool = true,
        capacity: Int = 256,
        maxConcurrentCalls: Int = 32,
        maxAttempts: Int = 5,
        retryInitial: Duration = .milliseconds(500),
        retryMaximum: Duration = .seconds(30),
        heartbeatInterval: Duration = .seconds(2),
        shutdownGrace: Duration = .seconds(3),
        rememberedResults: Int = 10_000,
        unknownTargetTimeout: Duration = .seconds(120),
        requestTimeout: Duration = .seconds(30)
    ) {
        self.global = global
        self.group = group
        self.chatPerSecond = chatPerSecond.isFinite && chatPerSecond > 0 ? chatPerSecond : 1
        self.chatBurst = max(1, chatBurst)
        self.safetyMargin = max(.zero, safetyMargin)
        self.callbackReserve = max(0, callbackReserve)
        self.evenPacing = evenPacing
        self.capacity = max(1, capacity)
        self.maxConcurrentCalls = max(1, maxConcurrentCalls)
        self.maxAttempts = max(1, maxAttempts)
        self.retryInitial = max(.milliseconds(1), retryInitial)
        self.retryMaximum = max(self.retryInitial, retryMaximum)
        self.heartbeatInterval = max(.milliseconds(10), heartbeatInterval)
        self.shutdownGrace = max(.zero, shutdownGrace)
        self.rememberedResults = max(1, rememberedResults)
        self.unknownTargetTimeout = max(.zero, unknownTargetTimeout)
        self.requestTimeout = requestTimeout
    }

    /// The configuration the settings ask for; everything else at its default.
    public init(settings: Settings) {
        self.init(
            global: Budget(perSecond: settings.senderGlobalPerSecond),
            group: Budget(perMinute: settings.senderGroupPerMinute),
            chatPerSecond: settings.senderChatPerSecond,
            chatBurst: settings.senderChatBurst)
    }

    /// The least time between two message calls when pacing evenly.
    var messageSpacing: Duration { evenPacing ? global.window / global.calls : .zero }

    /// Messages a group (negative chat id) may get at once: its whole `group` budget, when that
    /// is larger than `chatBurst`. Telegram's limit for a group is "20 a minute"; "about one a
    /// second" is the guideline for a private chat. So a quiet group gets a lifecycle's card,
    /// pin and edits as fast as the global pacing allows, and the group window still holds it
    /// to 20 in any minute. The burst refills at `chatPerSecond`, which only matters after a
    /// restart (see `SendSchedule.init`): a restarted sender does not burst into a group its
    /// predecessor may just have written to.
    var groupBurst: Int { max(chatBurst, group.calls) }

    /// The time one chat token takes to come back, margin included.
    var chatInterval: Duration { .seconds(1 / chatPerSecond) + safetyMargin }
}
