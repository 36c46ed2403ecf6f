import Foundation

/// Telegram's flood limits, as the simulator enforces them when they are switched on.
///
/// - per private chat (positive chat id): a token bucket (`perChatBurst` messages at once,
///   refilled at `perChatPerSecond`), so about one message a second with short bursts tolerated;
/// - per group (negative chat id): at most `perGroupPerMinute` in any 60 seconds, taken at
///   once or spread out (Telegram's limit for groups is per minute; the one-a-second rule is
///   the guideline for private chats);
/// - whole bot: at most `globalPerSecond` in any second.
///
/// Only calls that post or change messages count (``countedMethods``); answerCallbackQuery,
/// getUpdates and reads never do. A refused call consumes nothing.
public struct RateLimitSettings: Sendable, Equatable {
    /// Whether limits are enforced at all.
    public var enabled: Bool
    /// Messages a chat takes at once before the per-chat rate applies.
    public var perChatBurst: Int
    /// How fast a chat's allowance refills.
    public var perChatPerSecond: Double
    /// Messages a group (negative chat id) takes in any 60 seconds.
    public var perGroupPerMinute: Int
    /// Messages the whole bot sends in any second.
    public var globalPerSecond: Int
    /// The Bot API methods that count (names as the spec spells them).
    public var countedMethods: Set<String>

    /// The methods that post or change messages.
    public static let telegramMethods: Set<String> = [
        "sendMessage", "editMessageText", "editMessageReplyMarkup", "pinChatMessage",
        "unpinChatMessage", "unpinAllChatMessages", "deleteMessage", "deleteMessages",
    ]

    public init(
        enabled: Bool = false,
        perChatBurst: Int = 3,
        perChatPerSecond: Double = 1,
        perGroupPerMinute: Int = 20,
        globalPerSecond: Int = 30,
        countedMethods: Set<String> = RateLimitSettings.telegramMethods
    ) {
        self.enabled = enabled
        self.perChatBurst = perChatBurst
        self.perChatPerSecond = perChatPerSecond
        self.perGroupPerMinute = perGroupPerMinute
        self.globalPerSecond = globalPerSecond
        self.countedMethods = countedMethods
    }
}

/// The counters behind ``RateLimitSettings``, fed with the simulator's clock.
struct RateLimiter: Sendable {
    private struct Bucket: Sendable {
        var tokens: Double
        var updated: Date
    }

    var settings: RateLimitSettings
    private var chatBuckets: [Int: Bucket] = [:]
    private var groupWindows: [Int: [Date]] = [:]
    private var globalWindow: [Date] = []

    init(settings: RateLimitSettings) {
        self.settings = settings
    }

    mutating func reset() {
        chatBuckets = [:]
        groupWindows = [:]
        globalWindow = []
    }

    /// Admits one call of `method` for `chatID` at `now`, or says how many seconds to wait.
    mutating func admit(method: String, chatID: Int?, now: Date) -> Int? {
        guard settings.enabled, settings.countedMethods.contains(method) else { return nil }
        var waits: [Double] = []

        globalWindow.removeAll { now.timeIntervalSince($0) >= 1 }
        if globalWindow.count >= settings.globalPerSecond, let oldest = globalWindow.first {
            waits.append(1 - now.timeIntervalSince(oldest))
        }

        var bucket: Bucket?
        if let chatID, chatID > 0 {
            var current = chatBuckets[chatID] ?? Bucket(tokens: Double(settings.perChatBurst), updated: now)
            let elapsed = max(0, now.timeIntervalSince(current.updated))
            current.tokens = min(Double(settings.perChatBurst), current.tokens + elapsed * settings.perChatPerSecond)
            current.updated = now
            if current.tokens < 1 {
                waits.append((1 - current.tokens) / max(settings.perChatPerSecond, 0.001))
            }
            bucket = current
        }
        if let chatID, chatID < 0 {
            var window = groupWindows[chatID] ?? []
            window.removeAll { now.timeIntervalSince($0) >= 60 }
            if window.count >= settings.perGroupPerMinute, let oldest = window.first {
                waits.append(60 - now.timeIntervalSince(oldest))
            }
            groupWindows[chatID] = window
        }

        if let longest = waits.max() {
            if let chatID, let bucket { chatBuckets[chatID] = bucket }
            return max(1, Int(longest.rounded(.up)))
        }
        globalWindow.append(now)
        if let chatID, var bucket {
            bucket.tokens -= 1
            chatBuckets[chatID] = bucket
        }
        if let chatID, chatID < 0 { groupWindows[chatID, default: []].append(now) }
        return nil
    }
}
