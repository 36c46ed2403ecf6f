/// Suspended requests waiting for something to happen, kept inside the simulator's lock.
///
/// A wait is announced under the lock (so nothing that happens after the check is missed),
/// then its continuation is registered; whoever resolves it first wins, and resolving an
/// announced but not yet registered wait is remembered until it registers. Resuming happens
/// outside the lock, by the caller, with the continuations this book hands back.
struct WaiterBook<Value: Sendable>: Sendable {
    private enum Slot: Sendable {
        case announced
        case waiting(CheckedContinuation<Value, Never>)
        case resolved(Value)
    }

    private var slots: [UInt64: Slot] = [:]

    var isEmpty: Bool { slots.isEmpty }

    func contains(_ id: UInt64) -> Bool { slots[id] != nil }

    mutating func announce(_ id: UInt64) {
        slots[id] = .announced
    }

    /// Registers the continuation; returns a value to resume with at once if the wait was
    /// already resolved (or was never announced, which happens only after it was withdrawn).
    mutating func register(_ id: UInt64, _ continuation: CheckedContinuation<Value, Never>, ifUnknown: Value) -> Value? {
        switch slots[id] {
        case .announced:
            slots[id] = .waiting(continuation)
            return nil
        case .resolved(let value):
            slots[id] = nil
            return value
        case .waiting, nil:
            return ifUnknown
        }
    }

    /// Resolves one wait; returns the continuation to resume (outside the lock) if it is registered.
    mutating func resolve(_ id: UInt64, with value: Value) -> Resumption<Value>? {
        switch slots[id] {
        case .announced:
            slots[id] = .resolved(value)
            return nil
        case .waiting(let continuation):
            slots[id] = nil
            return Resumption(continuation: continuation, value: value)
        case .resolved, nil:
            return nil
        }
    }

    /// Resolves every wait.
    mutating func resolveAll(with value: Value) -> [Resumption<Value>] {
        slots.keys.compactMap { resolve($0, with: value) }
    }
}

/// A continuation and the value it will be resumed with, once the lock is released.
struct Resumption<Value: Sendable>: Sendable {
    var continuation: CheckedContinuation<Value, Never>
    var value: Value

    func resume() { continuation.resume(returning: value) }
}
