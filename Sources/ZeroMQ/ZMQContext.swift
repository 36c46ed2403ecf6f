import CZeroMQ
import Foundation
import Synchronization

/// A libzmq context pointer. `@unchecked Sendable` is safe because libzmq contexts are
/// thread-safe (zmq(7): "ØMQ contexts are thread safe"); the pointer itself never changes.
struct ContextPointer: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer
}

/// A ZeroMQ context: the owner of the I/O threads and of every socket made from it.
///
/// Use one context per process. `inproc://` endpoints only connect sockets of the same context.
///
/// Shutting down: ``terminate()`` closes every socket still open (failing their pending sends),
/// then calls `zmq_ctx_term` on a dedicated thread. Because every socket's linger is bounded
/// (``ZMQSocketOptions/linger``), it returns within the longest linger. Dropping the last
/// reference to an unterminated context does the same in the background once its sockets are
/// gone (each socket keeps its context alive).
public final class ZMQContext: Sendable {
    private enum Phase {
        case running, terminating, terminated
    }

    private struct State {
        var phase = Phase.running
        var sockets: [ObjectIdentifier: SocketLoop] = [:]
        var terminationWaiters: [CheckedContinuation<Void, Never>] = []
    }

    let handle: ContextPointer
    private let state = Mutex(State())

    /// Creates a context.
    /// - Parameter ioThreads: libzmq I/O threads (`ZMQ_IO_THREADS`); one is plenty below
    ///   about a gigabyte per second of traffic.
    public init(ioThreads: Int = 1) throws(ZMQError) {
        guard let raw = zmq_ctx_new() else { throw ZMQError.last(.createContext) }
        guard let threads = Int32(exactly: ioThreads), threads >= 1 else {
            zmq_ctx_term(raw)
            throw ZMQError(.invalidArgument, operation: .createContext, subject: "ZMQ_IO_THREADS")
        }
        guard zmq_ctx_set(raw, ZMQ_IO_THREADS, threads) == 0 else {
            let error = ZMQError.last(.createContext, subject: "ZMQ_IO_THREADS")
            zmq_ctx_term(raw)
            throw error
        }
        handle = ContextPointer(raw: raw)
    }

    /// Creates a socket and starts the thread that owns it.
    ///
    /// Options are applied before the socket is handed to its thread, so an invalid value fails
    /// here with ``ZMQError/Operation/setOption`` and the option's name in
    /// ``ZMQError/subject``. After ``terminate()`` has begun this fails with
    /// ``ZMQError/Code/contextTerminated``.
    public func socket(
        _ type: ZMQSocketType, options: ZMQSocketOptions = ZMQSocketOptions()
    ) throws(ZMQError) -> ZMQSocket {
        guard state.withLock({ if case .running = $0.phase { true } else { false } }) else {
            throw ZMQError(.contextTerminated, operation: .createSocket)
        }
        guard let raw = zmq_socket(handle.raw, type.rawValue) else {
            throw ZMQError.last(.createSocket)
        }
        let loop: SocketLoop
        do {
            try options.apply(to: raw)
            loop = SocketLoop(type: type, context: self, wake: try WakeSignal(), options: options)
        } catch {
            zmq_close(raw)
            throw error
        }
        let registered = state.withLock { state in
            guard case .running = state.phase else { return false }
            state.sockets[ObjectIdentifier(loop)] = loop
            return true
        }
        guard registered else {
            zmq_close(raw)
            throw ZMQError(.contextTerminated, operation: .createSocket)
        }
        loop.start(SocketPointer(raw: raw))
        return ZMQSocket(loop: loop)
    }

    /// Closes every open socket of this context and terminates it; returns once libzmq has
    /// released it. Idempotent; concurrent callers all wait for the same termination.
    public func terminate() async {
        let loops: [SocketLoop]? = state.withLock { state in
            guard case .running = state.phase else { return nil }
            state.phase = .terminating
            return Array(state.sockets.values)
        }
        guard let loops else {
            await withCheckedContinuation { continuation in
                let done = state.withLock { state in
                    if case .terminated = state.phase { return true }
                    state.terminationWaiters.append(continuation)
                    return false
                }
                if done { continuation.resume() }
            }
            return
        }
        await withTaskGroup(of: Void.self) { group in
            for loop in loops {
                group.addTask { await loop.close() }
            }
        }
        let handle = self.handle
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            // zmq_ctx_term blocks (up to the sockets' linger), so never on the cooperative pool.
            let thread = Thread {
                Self.term(handle)
                continuation.resume()
            }
            thread.name = "zmq-ctx-term"
            thread.start()
        }
        let waiters = state.withLock { state in
            state.phase = .terminated
            defer { state.terminationWaiters.removeAll() }
            return state.terminationWaiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Called by a socket's thread once its socket is closed.
    func forget(_ loop: SocketLoop) {
        _ = state.withLock { $0.sockets.removeValue(forKey: ObjectIdentifier(loop)) }
    }

    private static func term(_ handle: ContextPointer) {
        while zmq_ctx_term(handle.raw) != 0 && zmq_errno() == EINTR {}
    }

    deinit {
        // Every socket holds its context, so none is open now; only lingering messages can
        // make zmq_ctx_term wait, and that wait is bounded. Still, never block the releasing
        // thread (it may belong to the cooperative pool).
        let terminated = state.withLock { if case .terminated = $0.phase { true } else { false } }
        if !terminated {
            let handle = self.handle
            Thread.detachNewThread { Self.term(handle) }
        }
    }
}
