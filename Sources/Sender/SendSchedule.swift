import TelegramBotAPI
import WireProtocol

/// A Bot API call the schedule decided to make now.
struct PlannedCall: Sendable, Equatable {
    /// Unique per call (a retry is a new call).
    let callID: UInt64
    let intentID: Int64
    /// The chat the call goes to (after any migration); for a callback answer the intent's chat.
    let chatID: Int64
    let request: BotAPIRequest
    let isCallbackAnswer: Bool
}

/// What became of a call.
enum CallOutcome: Sendable, Equatable {
    /// Telegram answered ok; `messageID` is the id of a sent message.
    case succeeded(messageID: Int64?)
    case failed(BotAPIError)
}

/// A result to report to the incident service, with the id of the intent envelope it answers.
struct ResultReport: Sendable, Equatable {
    let result: IntentResult
    let causationID: String
}

/// The sender's decisions, as a pure state machine: which intents it holds, which call goes
/// next, what each answer means. Time is an input (`now`); the role carries the decisions out.
///
/// Rules, in the order they apply:
/// - An intent id is held once: a duplicate of one queued or in flight is dropped, a duplicate
///   of one completed recently gets its result again without a call.
/// - Callback answers have their own queue, go before any message, count only against the
///   global budget and may use its reserve.
/// - Every other intent waits in its chat's lane, ordered by intent id (decision order), one
///   call in flight per chat; it goes when the chat is not paused by a 429, the chat's token
///   bucket, the group window (negative chat ids) and the global window (minus the callback
///   reserve) all allow it. Among ready lanes the lowest intent id goes first. A private chat's
///   bucket holds `chatBurst` tokens; a group's holds its whole window (`groupBurst`), so a
///   quiet group spends its 20-a-minute budget in bursts and only the window holds it back.
/// - An edit with a coalescing key supersedes the queued edits with the same key; an edit older
///   than one already taken for its key is superseded at once.
/// - A target `sentBy(n)` waits for n's result: its message id, or `messageNotFound` when n
///   produced none.
/// - 429 pauses the chat (or everything, for a call bound to no chat) for `retry_after` and
///   retries; 5xx, network errors and timeouts retry with backoff up to `maxAttempts`; a chat
///   migration is reported and the intent (and the chat's lane) moves to the new chat id.
/// - 403 (the bot was kicked or blocked) ends the chat's queue: the intents waiting there get
///   the same answer without a call.
struct SendSchedule {
    typealias Instant = ContinuousClock.Instant

    let configuration: SenderConfiguration
    private(set) var lanes: [Int64: Lane] = [:]
    private(set) var callbacks: [Held] = []
    private(set) var callbacksInFlight: [Int64: Held] = [:]
    private(set) var global: WindowBudget
    private(set) var globalPausedUntil: Instant?
    /// Ids of every intent queued or in flight.
    private(set) var held: Set<Int64> = []
    private(set) var results = RecentResults(limit: 10_000)
    /// The newest edit taken per coalescing key.
    private var newestEdits = BoundedMap<String, Int64>(limit: 10_000)
    /// Old chat id -> new chat id.
    private(set) var migrations: [Int64: Int64] = [:]
    /// Set on graceful shutdown: no new calls, no new intents.
    private(set) var isDraining = false
    private var random: SplitMix64
    private var nextCallID: UInt64 = 1
    /// Even pacing (GCRA): the instant the next message call is due on a regular schedule.
    /// A call may go up to one spacing early, so a timer that fires a little late does not
    /// lose budget: the schedule catches up instead of drifting.
    private var nextMessageDue: Instant?
    /// When idle lanes were last forgotten.
    private var lastCollection: Instant?
    /// When this sender started, if it may have had a predecessor (see `init`).
    private let startedAt: Instant?

    /// `startedAt`: the instant the sender started. A sender restarted after a crash cannot
    /// know the calls its previous run made just before; so every chat's burst budget counts
    /// as spent at that instant and refills from there (one second per message), and a chat
    /// the old run had just written to does not get a burst that Telegram answers with 429.
    /// (The 20-a-minute group window is not guessed: that would hold every group back for a
    /// minute after each restart.) Nil: budgets start full.
    init(configuration: SenderConfiguration, seed: UInt64 = UInt64.random(in: .min ... .max), startedAt: Instant? = nil) {
        self.configuration = configuration
        self.startedAt = startedAt
        self.global = WindowBudget(
            limit: configuration.global.calls, window: configuration.global.window + configuration.safetyMargin)
        self.results = RecentResults(limit: configuration.rememberedResults)
        self.newestEdits = BoundedMap(limit: configuration.rememberedResults)
        self.random = SplitMix64(seed: seed)
    }

    // MARK: Queries

    /// Intents the sender can still take.
    var credit: Int { max(0, configuration.capacity - held.count) }

    /// Calls in flight.
    var inFlightCount: Int { callbacksInFlight.count + lanes.values.reduce(0) { $0 + ($1.inFlight == nil ? 0 : 1) } }

    /// The chat an intent for `chatID` goes to, following recorded migrations.
    func currentChat(_ chatID: Int64) -> Int64 {
        var chat = chatID
        var hops = 0
        while let next = migrations[chat], hops < 16 {
            chat = next
            hops += 1
        }
        return chat
    }

    // MARK: Intents in

    /// Takes an intent; returns results to report now (a duplicate of a completed intent, or
    /// edits this one supersedes). Returns `nil` when the intent is not taken (draining, or the
    /// sender is over capacity): nothing is reported, the incident service sends it again later.
    mutating func receive(_ intent: OutboundIntent, envelopeID: String, now: Instant) -> [ResultReport]? {
        if let done = results[intent.id] {
            return [ResultReport(result: done, causationID: envelopeID)]
        }
        if held.contains(intent.id) {
            updateEnvelope(of: intent.id, to: envelopeID)
            return []
        }
        guard !isDraining, held.count < configuration.capacity * 2 else { return nil }
        var item = Held(intent: intent, envelopeID: envelopeID, receivedAt: now)
        let chat = currentChat(intent.chatID)
        if chat != intent.chatID {
            item.migratedFrom = intent.chatID
            item.intent.chatID = chat
        }
        if intent.action.isCallbackAnswer {
            held.insert(intent.id)
            insertSorted(item, into: &callbacks)
            return []
        }
        var reports: [ResultReport] = []
        if intent.action.isEdit, let key = intent.coalescingKey {
            if let newest = newestEdits[key], newest > intent.id {
                return [complete(item, .superseded)]
            }
            newestEdits[key] = intent.id
            var lane = lanes[chat] ?? makeLane(chat)
            let superseded = lane.queue.filter { $0.intent.action.isEdit && $0.intent.coalescingKey == key && $0.intent.id < intent.id }
            lane.queue.removeAll { $0.intent.action.isEdit && $0.intent.coalescingKey == key && $0.intent.id < intent.id }
            lanes[chat] = lane
            for old in superseded {
                held.remove(old.intent.id)
                reports.append(complete(old, .superseded))
            }
        }
        held.insert(intent.id)
        var lane = lanes[chat] ?? makeLane(chat)
        insertSorted(item, into: &lane.queue)
        lanes[chat] = lane
        return reports
    }

    /// Graceful shutdown: make no new calls and take no new intents; calls in flight finish.
    mutating func beginDraining() {
        isDraining = true
    }

    // MARK: Calls out

    /// The calls to start now, and results that are already decided (an edit whose target send
    /// failed). The calls count against their budgets from `now`.
    mutating func takeCalls(now: Instant) -> (calls: [PlannedCall], reports: [ResultReport]) {
        guard !isDraining else { return ([], []) }
        var calls: [PlannedCall] = []
        var reports = settleUnreachableTargets(now: now)
        var inFlight = inFlightCount
        let globalOpen = (globalPausedUntil.map { $0 <= now } ?? true)

        // Callback answers first: a person is looking at a spinner.
        if globalOpen {
            var index = 0
            while index < callbacks.count, inFlight < configuration.maxConcurrentCalls {
                if let notBefore = callbacks[index].notBefore, notBefore > now {
                    index += 1
                    continue
                }
                guard global.allows(now: now) else { break }
                var item = callbacks.remove(at: index)
                do {
                    let request = try IntentTranslation.request(for: item.intent, messageID: nil)
                    let callID = takeCallID()
                    global.start(callID, now: now)
                    item.callID = callID
                    callbacksInFlight[item.intent.id] = item
                    inFlight += 1
                    calls.append(
                        PlannedCall(
                            callID: callID, intentID: item.intent.id, chatID: item.intent.chatID, request: request,
                            isCallbackAnswer: true))
                } catch {
                    held.remove(item.intent.id)
                    reports.append(complete(item, .rejected(description: error.description)))
                }
            }
        }

        // Then the chat lanes, lowest intent id first.
        while globalOpen, inFlight < configuration.maxConcurrentCalls,
            global.allows(now: now, reserve: configuration.callbackReserve),
            messagePacingAllows(now)
        {
            var best: (chat: Int64, id: Int64, messageID: Int64?)?
            for (chat, lane) in lanes {
                guard let head = readyHead(of: lane, now: now) else { continue }
                if best.map({ head.item.intent.id < $0.id }) ?? true {
                    best = (chat, head.item.intent.id, head.messageID)
                }
            }
            guard let best, var lane = lanes[best.chat] else { break }
            var item = lane.queue.removeFirst()
            do {
                let request = try IntentTranslation.request(for: item.intent, messageID: best.messageID)
                let callID = takeCallID()
                global.start(callID, now: now)
                lane.bucket.take(now)
                lane.groupWindow?.start(callID, now: now)
                item.callID = callID
                lane.inFlight = item
                lanes[best.chat] = lane
                inFlight += 1
                if configuration.messageSpacing > .zero {
                    nextMessageDue = max(nextMessageDue ?? now, now) + configuration.messageSpacing
                }
                calls.append(
                    PlannedCall(callID: callID, intentID: item.intent.id, chatID: best.chat, request: request, isCallbackAnswer: false))
            } catch {
                lanes[best.chat] = lane
                held.remove(item.intent.id)
                reports.append(complete(item, .rejected(description: error.description)))
            }
        }
        collectIdleLanes(now: now)
        return (calls, reports)
    }

    /// When something may next become ready without any answer or intent arriving; `nil` when
    /// only an answer or a new intent can move things.
    func nextWake(now: Instant) -> Instant? {
        guard !isDraining else { return nil }
        var wake: Instant?
        func consider(_ instant: Instant) {
            wake = min(wake ?? instant, instant)
        }
        let inFlight = inFlightCount
        guard inFlight < configuration.maxConcurrentCalls else { return nil }
        if let free = global.earliest(now: now) {
            let globalFree = max(globalPausedUntil ?? now, free)
            for item in callbacks {
                consider(max(item.notBefore ?? now, globalFree))
            }
        }
        let spacingFree = nextMessageDue.map { max(now, $0 - configuration.messageSpacing) } ?? now
        let messagesFree = global.earliest(now: now, reserve: configuration.callbackReserve).map {
            max(globalPausedUntil ?? now, $0, spacingFree)
        }
        for lane in lanes.values {
            guard lane.inFlight == nil, let head = lane.queue.first else { continue }
            if case .waiting(let deadline) = resolveTarget(of: head, now: now) {
                if let deadline { consider(deadline) }
                continue
            }
            // Only an answer can free the global window or the group's: that answer wakes us.
            guard let messagesFree else { continue }
            var ready = max(messagesFree, lane.bucket.earliest(now: now))
            if let notBefore = head.notBefore { ready = max(ready, notBefore) }
            if let paused = lane.pausedUntil { ready = max(ready, paused) }
            if let window = lane.groupWindow {
                guard let free = window.earliest(now: now) else { continue }
                ready = max(ready, free)
            }
            consider(ready)
        }
        return wake
    }

    // MARK: Answers in

    /// Records the answer to a call; returns the results it decides.
    mutating func finish(_ call: PlannedCall, outcome: CallOutcome, now: Instant) -> [ResultReport] {
        var item: Held
        global.answer(call.callID, now: now)
        if call.isCallbackAnswer {
            guard let found = callbacksInFlight[call.intentID], found.callID == call.callID else { return [] }
            callbacksInFlight[call.intentID] = nil
            item = found
        } else {
            guard var lane = lanes[call.chatID], let found = lane.inFlight, found.callID == call.callID else { return [] }
            lane.inFlight = nil
            lane.bucket.settle(now)
            lane.groupWindow?.answer(call.callID, now: now)
            lanes[call.chatID] = lane
            item = found
        }
        item.callID = nil
        let error: BotAPIError
        switch outcome {
        case .succeeded(let messageID):
            held.remove(item.intent.id)
            return [complete(item, .delivered(messageID: messageID))]
        case .failed(let failure):
            error = failure
        }

        switch error.kind {
        case .retryAfter(let seconds):
            // Telegram always says at least 1 s; a 0 must not turn into a tight retry loop.
            let until = now + .seconds(max(1, seconds))
            if call.isCallbackAnswer {
                // A flood limit on a call bound to no chat holds back every call.
                globalPausedUntil = max(globalPausedUntil ?? until, until)
            } else {
                let current = lanes[call.chatID]?.pausedUntil ?? until
                lanes[call.chatID]?.pausedUntil = max(current, until)
            }
            requeue(item)
            return []
        case .chatMigrated(let newChatID) where !call.isCallbackAnswer && newChatID != call.chatID:
            let report = ResultReport(
                result: IntentResult(intentID: item.intent.id, chatID: call.chatID, outcome: .chatMigrated(newChatID: newChatID)),
                causationID: item.envelopeID)
            migrate(from: call.chatID, to: newChatID)
            var moved = item
            moved.migratedFrom = moved.migratedFrom ?? call.chatID
            moved.intent.chatID = newChatID
            requeue(moved)
            return [report]
        case .server, .network, .timeout, .unexpectedResponse:
            var retried = item
            retried.failures += 1
            guard retried.failures < configuration.maxAttempts else {
                held.remove(item.intent.id)
                return [complete(item, .gaveUp(description: "\(retried.failures) attempts, last: \(Self.summary(of: error))"))]
            }
            retried.notBefore = now + backoff(afterFailures: retried.failures)
            requeue(retried)
            return []
        case .cancelled:
            // Shutting down; the incident service sends the intent again to the next session.
            requeue(item)
            return []
        case .forbidden where !call.isCallbackAnswer:
            // The bot may not write to this chat (kicked, removed, blocked): what waits for it
            // would get the same answer, so it is reported without a call.
            held.remove(item.intent.id)
            let outcome = Self.outcome(for: error)
            var reports = [complete(item, outcome)]
            let waiting = lanes[call.chatID]?.queue ?? []
            lanes[call.chatID]?.queue.removeAll()
            for other in waiting {
                held.remove(other.intent.id)
                reports.append(complete(other, outcome))
            }
            return reports
        default:
            held.remove(item.intent.id)
            return [complete(item, Self.outcome(for: error))]
        }
    }

    /// The reported outcome of a failure that is final.
    static func outcome(for error: BotAPIError) -> IntentResult.Outcome {
        switch error.kind {
        case .notModified: .notModified
        case .messageNotFound(.toUnpin), .messageNotFound(.toDelete):
            // Nothing left to do: the message is already unpinned or gone.
            .delivered(messageID: nil)
        case .messageNotFound: .messageNotFound
        case .queryTooOld: .queryTooOld
        case .notEnoughRights: .notEnoughRights
        case .forbidden: .forbidden(description: error.detail ?? "Forbidden")
        case .chatMigrated(let newChatID): .chatMigrated(newChatID: newChatID)
        case .badRequest(let description): .rejected(description: description)
        case .unauthorized: .rejected(description: "Unauthorized")
        case .conflict: .rejected(description: error.detail ?? "Conflict")
        case .retryAfter, .server, .network, .timeout, .unexpectedResponse, .cancelled:
            .gaveUp(description: summary(of: error))
        }
    }

    /// A short description of a failure for a `gaveUp` result: kind, status and detail.
    static func summary(of error: BotAPIError) -> String {
        var text = error.kind.label
        if let status = error.httpStatus { text += " HTTP \(status)" }
        if let detail = error.detail { text += ": \(detail)" }
        return text
    }

    // MARK: Private

    private func messagePacingAllows(_ now: Instant) -> Bool {
        guard let due = nextMessageDue else { return true }
        return now >= due - configuration.messageSpacing
    }

    private mutating func takeCallID() -> UInt64 {
        defer { nextCallID += 1 }
        return nextCallID
    }

    private func makeLane(_ chat: Int64) -> Lane {
        Lane(
            bucket: TokenBucket(
                capacity: chat < 0 ? configuration.groupBurst : configuration.chatBurst, interval: configuration.chatInterval,
                emptyAt: startedAt),
            groupWindow: chat < 0
                ? WindowBudget(limit: configuration.group.calls, window: configuration.group.window + configuration.safetyMargin)
                : nil)
    }

    private func insertSorted(_ item: Held, into queue: inout [Held]) {
        let index = queue.firstIndex { $0.intent.id > item.intent.id } ?? queue.endIndex
        queue.insert(item, at: index)
    }

    private mutating func requeue(_ item: Held) {
        if item.intent.action.isCallbackAnswer {
            insertSorted(item, into: &callbacks)
        } else {
            var lane = lanes[item.intent.chatID] ?? makeLane(item.intent.chatID)
            insertSorted(item, into: &lane.queue)
            lanes[item.intent.chatID] = lane
        }
    }

    private mutating func updateEnvelope(of id: Int64, to envelopeID: String) {
        if let index = callbacks.firstIndex(where: { $0.intent.id == id }) {
            callbacks[index].envelopeID = envelopeID
            return
        }
        if callbacksInFlight[id] != nil {
            callbacksInFlight[id]?.envelopeID = envelopeID
            return
        }
        for (chat, var lane) in lanes {
            if let index = lane.queue.firstIndex(where: { $0.intent.id == id }) {
                lane.queue[index].envelopeID = envelopeID
                lanes[chat] = lane
                return
            }
            if lane.inFlight?.intent.id == id {
                lane.inFlight?.envelopeID = envelopeID
                lanes[chat] = lane
                return
            }
        }
    }

    /// Records a final outcome and returns its report. The caller has removed `item` from
    /// `held` (or never added it).
    private mutating func complete(_ item: Held, _ outcome: IntentResult.Outcome) -> ResultReport {
        let result = IntentResult(intentID: item.intent.id, chatID: item.intent.chatID, outcome: outcome)
        results[item.intent.id] = result
        return ResultReport(result: result, causationID: item.envelopeID)
    }

    /// The head of an idle lane if every budget allows it now and its target is known.
    private func readyHead(of lane: Lane, now: Instant) -> (item: Held, messageID: Int64?)? {
        guard lane.inFlight == nil, let head = lane.queue.first else { return nil }
        if let paused = lane.pausedUntil, paused > now { return nil }
        if let notBefore = head.notBefore, notBefore > now { return nil }
        guard lane.bucket.earliest(now: now) <= now else { return nil }
        if let window = lane.groupWindow, !window.allows(now: now) { return nil }
        switch resolveTarget(of: head, now: now) {
        case .resolved(let messageID): return (head, messageID)
        case .waiting, .gone: return nil
        }
    }

    enum TargetResolution: Equatable {
        /// The message id to act on (nil for an action without a target).
        case resolved(Int64?)
        /// Not known yet; `deadline` is when waiting gives up (nil: the target is held, its
        /// answer will come).
        case waiting(deadline: Instant?)
        /// The target send produced no message (or never came): `messageNotFound`.
        case gone
    }

    func resolveTarget(of item: Held, now: Instant) -> TargetResolution {
        guard let target = IntentTranslation.target(of: item.intent.action) else { return .resolved(nil) }
        switch target {
        case .message(let id):
            return .resolved(id)
        case .sentBy(let sender):
            if let result = results[sender] {
                if case .delivered(let messageID?) = result.outcome { return .resolved(messageID) }
                return .gone
            }
            // A target is decided before what acts on it; a later one can never come first.
            if sender >= item.intent.id { return .gone }
            if held.contains(sender) { return .waiting(deadline: nil) }
            let deadline = item.receivedAt + configuration.unknownTargetTimeout
            return deadline <= now ? .gone : .waiting(deadline: deadline)
        }
    }

    /// Lane heads whose target will never give a message id are reported `messageNotFound`.
    private mutating func settleUnreachableTargets(now: Instant) -> [ResultReport] {
        var reports: [ResultReport] = []
        for (chat, lane) in lanes where lane.inFlight == nil && lane.queue.first.map(Self.waitsForASend) == true {
            while let lane = lanes[chat], lane.inFlight == nil, let head = lane.queue.first,
                resolveTarget(of: head, now: now) == .gone
            {
                lanes[chat]?.queue.removeFirst()
                held.remove(head.intent.id)
                reports.append(complete(head, .messageNotFound))
            }
        }
        return reports
    }

    private static func waitsForASend(_ item: Held) -> Bool {
        if case .sentBy = IntentTranslation.target(of: item.intent.action) { return true }
        return false
    }

    /// Moves a migrated chat's lane (queue, pause) to the new chat id.
    private mutating func migrate(from old: Int64, to new: Int64) {
        migrations[old] = new
        guard let oldLane = lanes.removeValue(forKey: old) else { return }
        var lane = lanes[new] ?? makeLane(new)
        for var item in oldLane.queue {
            item.migratedFrom = item.migratedFrom ?? old
            item.intent.chatID = new
            insertSorted(item, into: &lane.queue)
        }
        if let paused = oldLane.pausedUntil {
            lane.pausedUntil = max(lane.pausedUntil ?? paused, paused)
        }
        lanes[new] = lane
    }

    /// Forgets lanes with nothing queued, nothing in flight and budgets back to unused, so the
    /// map does not grow with every chat ever written to.
    private mutating func collectIdleLanes(now: Instant) {
        guard lanes.count > 64, lastCollection.map({ now - $0 >= .seconds(1) }) ?? true else { return }
        lastCollection = now
        lanes = lanes.filter { _, lane in
            !(lane.queue.isEmpty && lane.inFlight == nil && (lane.pausedUntil.map { $0 <= now } ?? true)
                && lane.bucket.isFull(at: now) && (lane.groupWindow?.isUnused(now: now) ?? true))
        }
    }

    /// Exponential backoff with jitter: half to all of `initial * 2^(failures-1)`, capped.
    private mutating func backoff(afterFailures failures: Int) -> Duration {
        let exponent = min(max(0, failures - 1), 30)
        let base = min(configuration.retryMaximum, configuration.retryInitial * (1 << exponent))
        return base * Double.random(in: 0.5...1.0, using: &random)
    }
}

extension IntentTranslation.Untranslatable: CustomStringConvertible {}
