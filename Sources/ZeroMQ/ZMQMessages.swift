import Foundation
import Synchronization

/// The multipart messages a socket receives, as an `AsyncSequence`; each element is the
/// message's frames in order (a ROUTER's messages start with the sender's routing id frame).
///
/// Messages arrive from the socket's own thread into a small buffer
/// (``ZMQSocketOptions/receiveBufferLimit``). When the buffer is full the thread stops reading,
/// so backpressure reaches the sender through ZeroMQ's high-water marks and nothing is dropped
/// here. Waiting for a message suspends the task; it never blocks a thread of the cooperative
/// pool.
///
/// The sequence ends (returns `nil`) once the socket is closed and the buffered messages have
/// been taken; it throws a ``ZMQError`` if receiving failed. Several iterators may consume it
/// concurrently; each message goes to exactly one of them. Cancelling the task that waits in
/// `next()` makes that `next()` return `nil` without affecting the socket or other iterators.
/// The sequence keeps its socket open while it is referenced.
public struct ZMQMessages: AsyncSequence, Sendable {
    public typealias Element = [Data]
    public typealias Failure = ZMQError

    let socket: ZMQSocket

    public func makeAsyncIterator() -> Iterator {
        Iterator(socket: socket)
    }

    /// Takes messages from the socket's receive buffer.
    public struct Iterator: AsyncIteratorProtocol {
        let socket: ZMQSocket

        public mutating func next() async throws(ZMQError) -> [Data]? {
            try await socket.loop.inbox.next(isolation: nil)
        }

        public mutating func next(
            isolation actor: isolated (any Actor)?
        ) async throws(ZMQError) -> [Data]? {
            try await socket.loop.inbox.next(isolation: actor)
        }
    }
}

/// The bounded hand-off between a socket's thread (producer) and the tasks reading
/// ``ZMQMessages`` (consumers).
final class ReceiveBuffer: Sendable {
    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Result<[Data]?, ZMQError>, Never>
    }

    private enum End {
        case finished
        case failed(ZMQError)
    }

    private struct State {
        var messages: [[Data]] = []
        var head = 0
        var waiters: [Waiter] = []
        var nextWaiterID: UInt64 = 0
        var end: End?

        var count: Int { messages.count - head }

        mutating func takeFirst() -> [Data] {
            let message = messages[head]
            messages[head] = []
            head += 1
            if head == messages.count {
                messages.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 64 && head * 2 >= messages.count {
                messages.removeFirst(head)
                head = 0
            }
            return message
        }
    }

    let capacity: Int
    private let wake: WakeSignal
    private let state = Mutex(State())

    /// - Parameter wake: signalled when a consumer makes room in a full buffer, so the socket's
    ///   thread starts reading again.
    init(capacity: Int, wake: WakeSignal) {
        self.capacity = max(1, capacity)
        self.wake = wake
    }

    /// Messages waiting to be taken (for tests and diagnostics).
    var bufferedCount: Int {
        state.withLock { $0.count }
    }

    /// Whether the producer should stop reading from libzmq for now.
    var isFull: Bool {
        state.withLock { $0.count >= capacity }
    }

    /// Hands a message to a waiting consumer or buffers it. Called by the socket's thread only
    /// while ``isFull`` was false, so the buffer never exceeds its capacity.
    func push(_ message: [Data]) {
        let waiter: Waiter? = state.withLock { state in
            if state.end == nil, !state.waiters.isEmpty {
                return state.waiters.removeFirst()
            }
            state.messages.append(message)
            return nil
        }
        waiter?.continuation.resume(returning: .success(message))
    }

    /// Ends the sequence: buffered messages are still delivered, then `nil` (or `error`, once).
    func finish(_ error: ZMQError? = nil) {
        let waiters: [Waiter] = state.withLock { state in
            guard state.end == nil else { return [] }
            state.end = error.map(End.failed) ?? .finished
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        var pendingError = error
        for waiter in waiters {
            // Waiters exist only while the buffer is empty, so they get the end right away.
            if let failure = pendingError {
                pendingError = nil
                waiter.continuation.resume(returning: .failure(failure))
            } else {
                waiter.continuation.resume(returning: .success(nil))
            }
        }
        if error != nil && pendingError == nil {
            state.withLock { $0.end = .finished }
        }
    }

    func next(isolation actor: isolated (any Actor)?) async throws(ZMQError) -> [Data]? {
        let id = state.withLock { state in
            defer { state.nextWaiterID &+= 1 }
            return state.nextWaiterID
        }
        let result: Result<[Data]?, ZMQError> = await withTaskCancellationHandler {
            await withCheckedContinuation(isolation: actor) { continuation in
                enum Outcome { case resume(Result<[Data]?, ZMQError>, madeRoom: Bool), wait }
                let outcome: Outcome = state.withLock { state in
                    if state.count > 0 {
                        let wasFull = state.count >= capacity
                        return .resume(.success(state.takeFirst()), madeRoom: wasFull)
                    }
                    switch state.end {
                    case .failed(let error):
                        state.end = .finished
                        return .resume(.failure(error), madeRoom: false)
                    case .finished:
                        return .resume(.success(nil), madeRoom: false)
                    case nil:
                        break
                    }
                    // Checked under the lock: either the cancellation handler already ran (and
                    // found no waiter), or it will run later and find this one.
                    if Task.isCancelled {
                        return .resume(.success(nil), madeRoom: false)
                    }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return .wait
                }
                if case .resume(let result, let madeRoom) = outcome {
                    continuation.resume(returning: result)
                    if madeRoom { wake.signal() }
                }
            }
        } onCancel: {
            let waiter: Waiter? = state.withLock { state in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index)
            }
            waiter?.continuation.resume(returning: .success(nil))
        }
        return try result.get()
    }
}
