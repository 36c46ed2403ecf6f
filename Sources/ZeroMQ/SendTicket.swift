import Foundation
import Synchronization

/// One message waiting to be handed to libzmq, shared between the task that awaits
/// ``ZMQSocket/send(_:)`` and the socket's thread.
///
/// Cancelling the task fails the send with `CancellationError` only while libzmq has not
/// taken the message: a send that was cancelled either did not happen or is reported as
/// done, never both.
final class SendTicket: Sendable {
    private enum State {
        case created
        case cancelledBeforeStart
        case queued(CheckedContinuation<Void, any Error>)
        case attempting(CheckedContinuation<Void, any Error>, cancelRequested: Bool)
        case finished
    }

    let frames: [Data]
    let deadline: ContinuousClock.Instant?
    private let state = Mutex(State.created)

    init(frames: [Data], deadline: ContinuousClock.Instant?) {
        self.frames = frames
        self.deadline = deadline
    }

    /// Registers the awaiting continuation. Returns false (having resumed it with
    /// `CancellationError`) when the task was cancelled before the send started.
    func start(_ continuation: CheckedContinuation<Void, any Error>) -> Bool {
        let cancelled: Bool = state.withLock { state in
            if case .cancelledBeforeStart = state {
                state = .finished
                return true
            }
            state = .queued(continuation)
            return false
        }
        if cancelled { continuation.resume(throwing: CancellationError()) }
        return !cancelled
    }

    /// The awaiting task was cancelled. Returns true when the send was withdrawn, so the socket's
    /// thread should be woken to move on to the next message.
    func cancel() -> Bool {
        let withdrawn: CheckedContinuation<Void, any Error>? = state.withLock { state in
            switch state {
            case .created:
                state = .cancelledBeforeStart
                return nil
            case .queued(let continuation):
                state = .finished
                return continuation
            case .attempting(let continuation, _):
                state = .attempting(continuation, cancelRequested: true)
                return nil
            case .cancelledBeforeStart, .finished:
                return nil
            }
        }
        withdrawn?.resume(throwing: CancellationError())
        return withdrawn != nil
    }

    /// Socket thread: claims the message for a send attempt; false if it was withdrawn.
    func beginAttempt() -> Bool {
        state.withLock { state in
            guard case .queued(let continuation) = state else { return false }
            state = .attempting(continuation, cancelRequested: false)
            return true
        }
    }

    /// Socket thread: libzmq could not take the message yet. Returns whether it is still
    /// waiting (false when a cancellation arrived during the attempt and has now been honoured).
    func attemptBlocked() -> Bool {
        let cancelled: CheckedContinuation<Void, any Error>? = state.withLock { state in
            guard case .attempting(let continuation, let cancelRequested) = state else { return nil }
            if cancelRequested {
                state = .finished
                return continuation
            }
            state = .queued(continuation)
            return nil
        }
        cancelled?.resume(throwing: CancellationError())
        return cancelled == nil
    }

    /// Socket thread: reports the outcome to the awaiting task (if it is still waiting).
    func complete(_ result: Result<Void, ZMQError>) {
        let continuation: CheckedContinuation<Void, any Error>? = state.withLock { state in
            switch state {
            case .queued(let continuation), .attempting(let continuation, _):
                state = .finished
                return continuation
            case .created, .cancelledBeforeStart, .finished:
                return nil
            }
        }
        continuation?.resume(with: result.mapError { $0 as any Error })
    }
}
