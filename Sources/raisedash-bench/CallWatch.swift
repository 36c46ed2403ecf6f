import Foundation
import SimulatorClient
import Synchronization

/// Follows the simulator's Bot API call log and wakes whoever waits on what a call concerns.
///
/// Drivers wait on a chat: every call the bot makes that changes the chat's messages
/// (sendMessage, edits) wakes them to read the transcript again, so a driver reads its chat only when something
/// there may have changed, and never all chats on every change. `answerCallbackQuery` names
/// no chat: it wakes everyone waiting for an answer (`answers`), who then ask about their
/// own query. Waits also end after a short fallback period, so nothing hangs should a wake-up
/// be missed.
///
/// The watch also counts every call (by method and by refusal) for the report.
final class CallWatch: Sendable {
    /// The key of answerCallbackQuery calls; chat ids are never 0.
    static let answers: Int64 = 0
    /// The calls that change what drivers look for in a chat (messages, their text and
    /// buttons). Pins and chat actions wake nobody: no driver waits for them, and every
    /// needless wake-up is a transcript read the simulator must answer.
    static let changesMessages: Set<String> = ["sendMessage", "editMessageText", "editMessageReplyMarkup", "deleteMessage", "deleteMessages"]

    private struct Waiter {
        let key: Int64
        let after: Int
        let continuation: CheckedContinuation<Void, Never>
    }

    /// A call the watch has read: which, and when it reached the simulator.
    struct SeenCall: Sendable {
        let sequence: Int
        let method: String
        let at: Date
    }

    private struct State {
        var generations: [Int64: Int] = [:]
        /// The latest calls about each chat.
        var recent: [Int64: [SeenCall]] = [:]
        var waiters: [UInt64: Waiter] = [:]
        var cancelled: Set<UInt64> = []
        var nextWaiter: UInt64 = 0
        var lastSequence = 0
        var byMethod: [String: Int] = [:]
        var refusals: [Int: Int] = [:]
        /// Calls that left the simulator's log (it keeps 10 000) before the watch read them.
        var missed = 0
        var lastCall: ContinuousClock.Instant = .now
        var lastNonPollingCall: ContinuousClock.Instant = .now
    }

    private let state = Mutex(State())

    static let recentPerChat = 64

    /// The sequence number of the last call read: calls after it happen after this moment
    /// (or had not been read yet; a driver takes a mark before it acts, when nothing it
    /// waits for is on its way).
    var mark: Int { state.withLock { $0.lastSequence } }

    /// The first call about `chat` after `mark` with one of `methods`, if read yet.
    func firstCall(_ chat: Int64, _ methods: Set<String>, after mark: Int) -> SeenCall? {
        state.withLock { state in
            state.recent[chat]?.first { $0.sequence > mark && methods.contains($0.method) }
        }
    }

    /// How many wake-ups `key` has had; pass it to `wait` after looking.
    func generation(_ key: Int64) -> Int {
        state.withLock { $0.generations[key] ?? 0 }
    }

    /// Returns once `key` had a wake-up after `generation`, after `fallback`, or on cancellation.
    func wait(_ key: Int64, after generation: Int, fallback: Duration = .milliseconds(500)) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.park(key, after: generation) }
            group.addTask { try? await Task.sleep(for: fallback) }
            await group.next()
            group.cancelAll()
        }
    }

    private func park(_ key: Int64, after generation: Int) async {
        let id = state.withLock { state -> UInt64 in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if (state.generations[key] ?? 0) > generation || state.cancelled.remove(id) != nil { return true }
                    state.waiters[id] = Waiter(key: key, after: generation, continuation: continuation)
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                if let waiter = state.waiters.removeValue(forKey: id) { return waiter }
                state.cancelled.insert(id)
                return nil
            }
            waiter?.continuation.resume()
        }
        state.withLock { _ = $0.cancelled.remove(id) }
    }

    /// Records calls and wakes the waiters of the keys they concern.
    private func record(_ calls: [RecordedCall]) {
        let woken = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            var keys = Set<Int64>()
            let now = ContinuousClock.now
            for call in calls where call.sequence > state.lastSequence {
                if state.lastSequence > 0 { state.missed += call.sequence - state.lastSequence - 1 }
                state.lastSequence = call.sequence
                state.byMethod[call.method, default: 0] += 1
                if let code = call.errorCode { state.refusals[code, default: 0] += 1 }
                state.lastCall = now
                if call.method != "getUpdates" { state.lastNonPollingCall = now }
                if call.method == "answerCallbackQuery" {
                    keys.insert(Self.answers)
                } else if let chat = call.chatID, Self.changesMessages.contains(call.method) {
                    keys.insert(chat)
                    var recent = state.recent[chat, default: []]
                    recent.append(SeenCall(sequence: call.sequence, method: call.method, at: call.arrival))
                    if recent.count > Self.recentPerChat { recent.removeFirst(recent.count - Self.recentPerChat) }
                    state.recent[chat] = recent
                }
            }
            for key in keys { state.generations[key, default: 0] += 1 }
            var woken: [CheckedContinuation<Void, Never>] = []
            for (id, waiter) in state.waiters where keys.contains(waiter.key) {
                state.waiters[id] = nil
                woken.append(waiter.continuation)
            }
            return woken
        }
        for continuation in woken { continuation.resume() }
    }

    /// Follows the call log until cancelled: reads new calls, and when there are none, waits
    /// for the simulator's state to change. (The simulator records a call just after the
    /// change it makes, so a wake-up that finds nothing new is followed by a short wait only.)
    func follow(_ control: SimulatorClient) async throws {
        var version = 0
        var foundNothingAfterChange = false
        while !Task.isCancelled {
            let calls = try await control.calls(since: state.withLock { $0.lastSequence })
            if !calls.isEmpty {
                record(calls)
                foundNothingAfterChange = false
                continue
            }
            let timeout = foundNothingAfterChange ? 0.02 : 1.0
            let current = try await control.waitForChange(after: version, timeout: timeout)
            foundNothingAfterChange = current != version
            version = current
        }
    }

    /// Calls counted so far: by method, and refused ones by error code.
    struct Tally: Sendable {
        var byMethod: [String: Int]
        var refusals: [Int: Int]
        var missed: Int
        var lastSequence: Int

        var total: Int { byMethod.values.reduce(0, +) }

        /// What happened between `earlier` and this tally.
        func since(_ earlier: Tally) -> Tally {
            var methods = byMethod
            for (method, count) in earlier.byMethod { methods[method, default: 0] -= count }
            var codes = refusals
            for (code, count) in earlier.refusals { codes[code, default: 0] -= count }
            return Tally(
                byMethod: methods.filter { $0.value != 0 }, refusals: codes.filter { $0.value != 0 },
                missed: missed - earlier.missed, lastSequence: lastSequence)
        }
    }

    var tally: Tally {
        state.withLock { Tally(byMethod: $0.byMethod, refusals: $0.refusals, missed: $0.missed, lastSequence: $0.lastSequence) }
    }

    /// Waits until the bot has made no call but getUpdates for `quiet`, at most `limit`.
    func settle(quiet: Duration = .seconds(1), limit: Duration = .seconds(15)) async {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            let since = ContinuousClock.now - state.withLock { $0.lastNonPollingCall }
            if since >= quiet { return }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }
}
