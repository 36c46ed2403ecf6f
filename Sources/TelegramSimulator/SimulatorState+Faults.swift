import Foundation

extension SimulatorState {
    /// What the injected faults do to one call of `method`.
    struct FaultOutcome: Sendable {
        var latencyMilliseconds = 0
        var failure: InjectedFault?
    }

    /// Consumes the faults that apply to this call: every matching latency fault adds its
    /// delay, and the first matching failure decides the answer.
    mutating func takeFaults(for method: String) -> FaultOutcome {
        var outcome = FaultOutcome()
        for index in faults.indices where faults[index].matches(method) && faults[index].remaining > 0 {
            switch faults[index].action {
            case .latency(let milliseconds):
                outcome.latencyMilliseconds += milliseconds
                faults[index].remaining -= 1
            case .error, .badGateway, .gatewayTimeout:
                guard outcome.failure == nil else { continue }
                outcome.failure = faults[index]
                faults[index].remaining -= 1
            }
        }
        let before = faults.count
        faults.removeAll { $0.remaining <= 0 }
        if faults.count != before || outcome.failure != nil || outcome.latencyMilliseconds > 0 { markChanged() }
        return outcome
    }

    mutating func addFault(method: String, count: Int, action: InjectedFault.Action, afterEffect: Bool) -> InjectedFault {
        let fault = InjectedFault(id: nextFaultID, method: method, remaining: count, action: action, afterEffect: afterEffect)
        nextFaultID += 1
        faults.append(fault)
        markChanged()
        return fault
    }

    /// Remembers a Bot API call; the oldest records go once the log is full.
    mutating func recordCall(method: String, chatID: Int?, date: Date, error: BotAPIError?) {
        calls.append(CallRecord(
            sequence: nextCallSequence, method: method, chatID: chatID, date: date,
            errorCode: error?.code, description: error?.description
        ))
        nextCallSequence += 1
        if calls.count > Self.callLogCapacity { calls.removeFirst(calls.count - Self.callLogCapacity) }
    }
}
