import Foundation
import Logging
import Synchronization

/// The simulated Telegram behind the HTTP server: state under one lock, plus the waiting that
/// getUpdates and the chat page need.
final class Simulation: Sendable {
    /// The answer to a Bot API call: JSON (success or error) or the HTML of a proxy error.
    enum BotAnswer: Sendable {
        case json(status: Int, JSONValue)
        case html(status: Int, String)
    }

    let spec: BotAPISpec
    let clock: any SimulatorClock
    let logger: Logger
    private let state: Mutex<SimulatorState>

    static let maximumPollTimeout = 50

    init(spec: BotAPISpec, botUser: SimulatedUser, privacyMode: Bool, limits: RateLimitSettings,
         clock: any SimulatorClock, logger: Logger) {
        self.spec = spec
        self.clock = clock
        self.logger = logger
        state = Mutex(SimulatorState(botUser: botUser, privacyMode: privacyMode, limits: limits))
    }

    /// Runs `body` under the lock, then resumes the waits it woke (outside the lock).
    func withState<T: Sendable, E: Error>(_ body: (inout SimulatorState, Date) throws(E) -> T) throws(E) -> T {
        let base = clock.now()
        let (result, woken): (Result<T, E>, [Resumption<SimulatorState.Wake>]) = state.withLock { state in
            let result: Result<T, E>
            let now = state.now(base)
            state.lastKnownNow = now
            state.expireUpdates(now: now)
            do throws(E) {
                result = .success(try body(&state, now))
            } catch {
                result = .failure(error)
            }
            let woken = state.resumptions
            state.resumptions = []
            return (result, woken)
        }
        for resumption in woken { resumption.resume() }
        return try result.get()
    }

    func now() -> Date { withState { _, now in now } }

    // MARK: Bot API

    /// Handles one Bot API call after the token was checked.
    func handleBotCall(methodName: String, parameters: BotAPIParameters) async -> BotAnswer {
        let arrival = now()
        guard let method = spec.method(named: methodName) else {
            let shown = String(methodName.prefix(64))
            withState { state, _ in state.recordCall(method: shown, chatID: nil, date: arrival, error: .methodNotFound) }
            return answer(.methodNotFound)
        }
        let name = method.name
        let chatID = parameters.value("chat_id").flatMap { value in withState { state, _ in state.chatID(for: value) } }
            ?? parameters.int("chat_id")
        let faults = withState { state, _ in state.takeFaults(for: name) }
        if faults.latencyMilliseconds > 0 {
            try? await Task.sleep(for: .milliseconds(faults.latencyMilliseconds))
        }
        if let failure = faults.failure, !failure.afterEffect {
            return finish(name, chatID: chatID, arrival: arrival, failure: failure, result: nil)
        }
        let result: Result<JSONValue, BotAPIError>
        if let invalid = validate(method, parameters) {
            result = .failure(invalid)
        } else if name == "getUpdates" {
            result = await getUpdates(parameters)
        } else {
            result = withState { state, now -> Result<JSONValue, BotAPIError> in
                if let wait = state.limiter.admit(method: name, chatID: chatID, now: now) {
                    return .failure(.tooManyRequests(retryAfter: wait))
                }
                do throws(BotAPIError) {
                    return .success(try state.perform(name, parameters, now: now, spec: spec))
                } catch {
                    return .failure(error)
                }
            }
        }
        return finish(name, chatID: chatID, arrival: arrival, failure: faults.failure, result: result)
    }

    private func finish(_ method: String, chatID: Int?, arrival: Date, failure: InjectedFault?,
                        result: Result<JSONValue, BotAPIError>?) -> BotAnswer {
        let answer: BotAnswer
        let recorded: BotAPIError?
        switch (failure?.action, result) {
        case (.error(let error)?, _):
            answer = self.answer(error)
            recorded = error
        case (.badGateway?, _):
            answer = .html(status: 502, InjectedFault.badGatewayHTML)
            recorded = BotAPIError(code: 502, description: "Bad Gateway")
        case (.gatewayTimeout?, _):
            answer = .html(status: 504, InjectedFault.gatewayTimeoutHTML)
            recorded = BotAPIError(code: 504, description: "Gateway Time-out")
        case (_, .failure(let error)?):
            answer = self.answer(error)
            recorded = error
        case (_, .success(let value)?):
            answer = .json(status: 200, ["ok": true, "result": value])
            recorded = nil
        case (.latency?, nil), (nil, nil):
            answer = self.answer(BotAPIError(code: 500, description: "Internal Server Error: restart"))
            recorded = BotAPIError(code: 500, description: "Internal Server Error: restart")
        }
        withState { state, _ in state.recordCall(method: method, chatID: chatID, date: arrival, error: recorded) }
        if let recorded {
            logger.debug("Bot API call refused", metadata: [
                "method": "\(method)", "chat.id": "\(chatID.map(String.init) ?? "-")",
                "error.code": "\(recorded.code)", "error.description": "\(recorded.description)",
            ])
        } else {
            logger.trace("Bot API call", metadata: ["method": "\(method)", "chat.id": "\(chatID.map(String.init) ?? "-")"])
        }
        return answer
    }

    private func answer(_ error: BotAPIError) -> BotAnswer {
        .json(status: error.code, error.json)
    }

    /// Checks the parameters against the spec: required ones present, all of the right type.
    func validate(_ method: BotAPISpec.Method, _ parameters: BotAPIParameters) -> BotAPIError? {
        for field in method.fields {
            guard let value = parameters.value(field.name) else {
                if field.required { return missingParameter(field.name) }
                continue
            }
            if !spec.problems(value, as: field.types, path: field.name, strictness: .request).isEmpty {
                return wrongParameter(field)
            }
        }
        return nil
    }

    private func missingParameter(_ name: String) -> BotAPIError {
        switch name {
        case "chat_id": .badRequest("chat_id is empty")
        case "text": .messageTextEmpty
        case "message_id": .badRequest("message identifier is not specified")
        default: .badRequest("parameter \"\(name)\" is required")
        }
    }

    private func wrongParameter(_ field: BotAPISpec.Field) -> BotAPIError {
        switch field.name {
        case "chat_id": .chatNotFound
        case "reply_markup": .badRequest("can't parse reply keyboard markup JSON object")
        case "reply_parameters": .badRequest("can't parse reply parameters JSON object")
        case "entities": .badRequest("can't parse entities JSON object")
        default: .badRequest("field \"\(field.name)\" must be of type \(field.types.joined(separator: " or "))")
        }
    }

    // MARK: getUpdates

    private enum PollStep: Sendable {
        case done([JSONValue])
        case wait(UInt64)
        case conflict
    }

    /// getUpdates: confirm below `offset`, answer at once if anything is there, otherwise wait
    /// up to `timeout` seconds (capped at 50) for the first update. A newer poll ends this one
    /// with 409.
    func getUpdates(_ parameters: BotAPIParameters) async -> Result<JSONValue, BotAPIError> {
        let offset = parameters.int("offset")
        let limit = min(max(parameters.int("limit") ?? 100, 1), 100)
        let timeout = min(max(parameters.int("timeout") ?? 0, 0), Self.maximumPollTimeout)
        let allowed = parameters.json("allowed_updates")?.arrayValue?.compactMap(\.stringValue)
        let deadline = ContinuousClock.now + .seconds(timeout)

        var step = withState { state, _ -> PollStep in
            state.supersedeCurrentPoll()
            state.confirmUpdates(offset: offset, allowed: allowed)
            let found = state.deliverableUpdates(offset: offset, limit: limit)
            if !found.isEmpty || timeout == 0 || state.isShuttingDown { return .done(found) }
            let id = state.makeWaiterID()
            state.polls.announce(id)
            state.currentPollID = id
            return .wait(id)
        }
        while true {
            switch step {
            case .done(let found): return .success(.array(found))
            case .conflict: return .failure(.getUpdatesConflict)
            case .wait(let id):
                let wake = await wait(id, until: deadline, in: .polls)
                step = withState { state, _ -> PollStep in
                    if wake == .superseded { return .conflict }
                    let found = state.deliverableUpdates(offset: offset, limit: limit)
                    // Woken, but what arrived was already confirmed by someone else: wait on.
                    if wake == .updatesArrived, found.isEmpty, state.currentPollID == id,
                       ContinuousClock.now < deadline, !state.isShuttingDown
                    {
                        state.polls.announce(id)
                        return .wait(id)
                    }
                    if state.currentPollID == id { state.currentPollID = nil }
                    return .done(found)
                }
            }
        }
    }

    // MARK: Waiting

    enum Book: Sendable {
        case polls
        case changes
    }

    /// Suspends until the announced wait `id` is resolved, the deadline passes, or the task is cancelled.
    func wait(_ id: UInt64, until deadline: ContinuousClock.Instant, in book: Book) async -> SimulatorState.Wake {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                try? await Task.sleep(until: deadline, clock: .continuous)
                self.resolve(id, with: .timedOut, in: book)
            }
            let wake = await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<SimulatorState.Wake, Never>) in
                    let immediate = state.withLock { state in
                        switch book {
                        case .polls: state.polls.register(id, continuation, ifUnknown: .cancelled)
                        case .changes: state.changeWaits.register(id, continuation, ifUnknown: .cancelled)
                        }
                    }
                    if let immediate { continuation.resume(returning: immediate) }
                }
            } onCancel: {
                self.resolve(id, with: .cancelled, in: book)
            }
            group.cancelAll()
            return wake
        }
    }

    private func resolve(_ id: UInt64, with wake: SimulatorState.Wake, in book: Book) {
        withState { state, _ in
            let resumption: Resumption<SimulatorState.Wake>? = switch book {
            case .polls: state.polls.resolve(id, with: wake)
            case .changes: state.changeWaits.resolve(id, with: wake)
            }
            if let resumption { state.resumptions.append(resumption) }
        }
    }

    /// Waits until the state's version differs from `version` (or `timeout` passes) and
    /// returns the current version; the chat page polls with it.
    func waitForChange(after version: Int, timeout: Duration) async -> Int {
        let id = withState { state, _ -> UInt64? in
            guard state.version == version, !state.isShuttingDown else { return nil }
            let id = state.makeWaiterID()
            state.changeWaits.announce(id)
            return id
        }
        if let id { _ = await wait(id, until: ContinuousClock.now + timeout, in: .changes) }
        return withState { state, _ in state.version }
    }

    /// Ends every long poll and chat-page wait at once (the server is stopping).
    func shutDown() {
        withState { state, _ in state.shutDownWaits() }
    }
}
