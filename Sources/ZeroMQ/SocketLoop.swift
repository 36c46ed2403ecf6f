import CZeroMQ
import Foundation
import Synchronization

/// A libzmq socket pointer on its way from the creating thread to the socket's own thread.
///
/// `@unchecked Sendable` is safe because the pointer is handed over exactly once: the creating
/// thread configures the socket, passes this value into the `Thread` it then starts, and never
/// touches the socket again. Starting a thread is a full memory barrier, which is what libzmq
/// requires for moving a socket between threads. After that, only ``SocketLoop/run(_:)`` (on
/// that thread) uses it.
struct SocketPointer: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer
}

/// The thread that owns one libzmq socket, and the queue of work other threads hand it.
///
/// The thread sleeps in `zmq_poll` on the socket and a ``WakeSignal``. Callers enqueue
/// commands and signal; the thread runs them (so every libzmq call on the socket happens on
/// this one thread), tries queued sends when libzmq reports room (`ZMQ_POLLOUT`), and reads
/// incoming messages into the ``ReceiveBuffer`` while it has room.
final class SocketLoop: Sendable {
    enum Command: Sendable {
        /// Runs on the socket's thread with the socket, or with nil once the socket is closed.
        case perform(@Sendable (UnsafeMutableRawPointer?) -> Void)
        case send(SendTicket)
    }

    private enum Phase {
        case running, closing, closed
    }

    private struct State {
        var commands: [Command] = []
        var phase = Phase.running
        var closeWaiters: [CheckedContinuation<Void, Never>] = []
    }

    let type: ZMQSocketType
    let context: ZMQContext
    let wake: WakeSignal
    let inbox: ReceiveBuffer
    let sendTimeout: Duration?
    /// The CPU-time clock of the socket's thread once it runs (Linux; nil elsewhere), so tests
    /// can check that a waiting socket's thread sleeps.
    let threadCPUClock = Mutex<Int32?>(nil)
    /// Endpoints this socket connected to (and did not disconnect from): what
    /// ``RefusalWatch`` connects again after a failed handshake.
    let connectedEndpoints = Mutex<[String]>([])
    private let state = Mutex(State())

    init(type: ZMQSocketType, context: ZMQContext, wake: WakeSignal, options: ZMQSocketOptions) {
        self.type = type
        self.context = context
        self.wake = wake
        self.inbox = ReceiveBuffer(capacity: options.receiveBufferLimit, wake: wake)
        self.sendTimeout = options.sendTimeout
    }

    /// Starts the socket's thread; from here on only that thread touches the socket.
    func start(_ socket: SocketPointer) {
        let thread = Thread { [self] in
            run(socket.raw)
        }
        thread.name = "zmq-\(type)".lowercased()
        thread.start()
    }

    // MARK: Called from any thread

    /// Queues a command; false if the socket is closing or closed.
    func enqueue(_ command: Command) -> Bool {
        let accepted = state.withLock { state in
            guard case .running = state.phase else { return false }
            state.commands.append(command)
            return true
        }
        if accepted { wake.signal() }
        return accepted
    }

    /// Runs `body` on the socket's thread and returns its result.
    func perform<T: Sendable>(
        _ operation: ZMQError.Operation,
        subject: String? = nil,
        _ body: @escaping @Sendable (UnsafeMutableRawPointer) -> Result<T, ZMQError>
    ) async -> Result<T, ZMQError> {
        await withCheckedContinuation { continuation in
            let accepted = enqueue(.perform { socket in
                guard let socket else {
                    continuation.resume(returning: .failure(ZMQError(.socketClosed, operation: operation, subject: subject)))
                    return
                }
                continuation.resume(returning: body(socket))
            })
            if !accepted {
                continuation.resume(returning: .failure(ZMQError(.socketClosed, operation: operation, subject: subject)))
            }
        }
    }

    /// Closes the socket and waits until its thread has finished. Idempotent.
    func close() async {
        await withCheckedContinuation { continuation in
            let closed = state.withLock { state in
                switch state.phase {
                case .closed:
                    return true
                case .running, .closing:
                    state.phase = .closing
                    state.closeWaiters.append(continuation)
                    return false
                }
            }
            if closed { continuation.resume() } else { wake.signal() }
        }
    }

    /// Asks the thread to close the socket without waiting (for `deinit`).
    func requestClose() {
        let signal = state.withLock { state in
            guard case .running = state.phase else { return false }
            state.phase = .closing
            return true
        }
        if signal { wake.signal() }
    }

    // MARK: The socket's thread

    private func takeCommands() -> (commands: [Command], closing: Bool) {
        state.withLock { state in
            defer { state.commands.removeAll() }
            if case .running = state.phase {
                return (state.commands, false)
            }
            return (state.commands, true)
        }
    }

    private func run(_ socket: UnsafeMutableRawPointer) {
        #if os(Linux)
        var clock = clockid_t()
        if pthread_getcpuclockid(pthread_self(), &clock) == 0 {
            threadCPUClock.withLock { $0 = clock }
        }
        #endif
        let message = UnsafeMutablePointer<zmq_msg_t>.allocate(capacity: 1)
        defer { message.deallocate() }
        var outbox = Outbox()
        var receiving = type.canReceive
        var refusals = RefusalWatch(socket: socket, context: context.handle.raw)
        var items = [
            zmq_pollitem_t(socket: socket, fd: 0, events: 0, revents: 0),
            zmq_pollitem_t(socket: nil, fd: wake.readFD, events: Int16(ZMQ_POLLIN), revents: 0),
        ]
        if let monitor = refusals.monitor {
            items.append(zmq_pollitem_t(socket: monitor, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0))
        }
        var pollOutReported = false

        while true {
            let (commands, closing) = takeCommands()
            for command in commands {
                switch command {
                case .perform(let body): body(socket)
                case .send(let ticket): outbox.append(ticket)
                }
            }
            outbox.flush(socket, message, afterPollOut: pollOutReported)
            if closing { break }
            outbox.expire(now: .now)
            let now = ContinuousClock.now
            refusals.reconnectIfDue(socket, endpoints: connectedEndpoints.withLock { $0 }, now: now)
            var plan = outbox.pollPlan(now: now)
            if let retry = refusals.wakeUp { plan.wakeUp = min(plan.wakeUp ?? retry, retry) }
            var events: Int32 = 0
            if receiving && !inbox.isFull { events |= ZMQ_POLLIN }
            if plan.pollOut { events |= ZMQ_POLLOUT }
            items[0].events = Int16(events)
            for index in items.indices { items[index].revents = 0 }
            // Round up so a deadline is never polled for with a zero timeout before it passes.
            let timeout = plan.wakeUp.map { $0 <= now ? 0 : (($0 - now).wholeMillisecondsRoundingUp ?? 0) } ?? -1

            let rc = items.withUnsafeMutableBufferPointer {
                zmq_poll($0.baseAddress, Int32($0.count), Int(timeout))
            }
            if rc < 0 {
                let error = ZMQError.last(.poll)
                if error.code.rawValue == EINTR { continue }
                // Only ETERM is expected here (context shut down under us); either way the
                // socket is unusable, so end the stream and close.
                inbox.finish(error.code == .contextTerminated ? nil : error)
                break
            }
            if items[1].revents & Int16(ZMQ_POLLIN) != 0 { wake.drain() }
            if items.count > 2, items[2].revents & Int16(ZMQ_POLLIN) != 0 {
                refusals.readEvents(connectedEndpoints: connectedEndpoints.withLock { $0 }, now: .now)
            }
            pollOutReported = items[0].revents & Int16(ZMQ_POLLOUT) != 0
            if items[0].revents & Int16(ZMQ_POLLIN) != 0 {
                if let error = receiveAvailable(socket, message) {
                    receiving = false
                    inbox.finish(error.code == .contextTerminated ? nil : error)
                }
            }
        }
        refusals.close(socket)
        shutDown(socket, outbox: &outbox)
    }

    /// Reads whole messages until libzmq has none ready, the buffer is full, or a batch is
    /// done (so queued commands are not starved). Returns an error that ends receiving.
    private func receiveAvailable(
        _ socket: UnsafeMutableRawPointer, _ message: UnsafeMutablePointer<zmq_msg_t>
    ) -> ZMQError? {
        var received = 0
        while received < 256 && !inbox.isFull {
            var frames: [Data] = []
            while true {
                zmq_msg_init(message)
                if zmq_msg_recv(message, socket, ZMQ_DONTWAIT) < 0 {
                    let error = ZMQError.last(.receive)
                    zmq_msg_close(message)
                    // Nothing to read now. REQ/REP report EFSM instead of EAGAIN while it is
                    // their turn to send.
                    let nothingReady = error.code == .wouldBlock || error.code == .wrongState
                        || error.code.rawValue == EINTR
                    if frames.isEmpty && nothingReady { return nil }
                    // Frames of a message arrive together, so a failure mid-message means the
                    // socket itself failed.
                    return error
                }
                let size = zmq_msg_size(message)
                let frame = size == 0 ? Data() : Data(bytes: zmq_msg_data(message), count: size)
                let more = zmq_msg_more(message) != 0
                zmq_msg_close(message)
                frames.append(frame)
                if !more { break }
            }
            inbox.push(frames)
            received += 1
        }
        return nil
    }

    private func shutDown(_ socket: UnsafeMutableRawPointer, outbox: inout Outbox) {
        // From now on `enqueue` refuses work; fail whatever is still queued.
        let (leftover, _) = state.withLock { state in
            state.phase = .closing
            defer { state.commands.removeAll() }
            return (state.commands, true)
        }
        for command in leftover {
            switch command {
            case .perform(let body): body(nil)
            case .send(let ticket): outbox.append(ticket)
            }
        }
        outbox.failAll(ZMQError(.socketClosed, operation: .send))
        // Linger was set at creation and is bounded, so the context's termination waits at
        // most that long for this socket's unsent messages.
        zmq_close(socket)
        inbox.finish()
        context.forget(self)
        let waiters = state.withLock { state in
            state.phase = .closed
            defer { state.closeWaiters.removeAll() }
            return state.closeWaiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// Sends waiting on the socket's thread, in order. Owned by that thread only.
private struct Outbox {
    private var tickets: [SendTicket] = []
    private var head = 0
    /// When libzmq said "writable" but the head message still did not fit (a ROUTER with
    /// `routerMandatory` reports writable while any peer has room), retry on a timer instead
    /// of polling for POLLOUT, so the thread never spins.
    private var backoffUntil: ContinuousClock.Instant?
    private var backoff: Duration = .milliseconds(1)

    private var isEmpty: Bool { head == tickets.count }

    mutating func append(_ ticket: SendTicket) {
        tickets.append(ticket)
    }

    private mutating func removeHead() {
        head += 1
        if head == tickets.count {
            tickets.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 64 && head * 2 >= tickets.count {
            tickets.removeFirst(head)
            head = 0
        }
    }

    /// Hands messages to libzmq in order until one does not fit.
    mutating func flush(
        _ socket: UnsafeMutableRawPointer,
        _ message: UnsafeMutablePointer<zmq_msg_t>,
        afterPollOut: Bool
    ) {
        var attempted = false
        while !isEmpty {
            let ticket = tickets[head]
            guard ticket.beginAttempt() else {
                removeHead()
                continue
            }
            let outcome = Self.send(ticket.frames, socket, message)
            switch outcome {
            case .sent:
                ticket.complete(.success(()))
                removeHead()
                backoff = .milliseconds(1)
                backoffUntil = nil
            case .failed(let error):
                ticket.complete(.failure(error))
                removeHead()
            case .blocked:
                if !ticket.attemptBlocked() {
                    removeHead()
                    continue
                }
                if afterPollOut && !attempted {
                    backoffUntil = .now + backoff
                    backoff = min(backoff * 2, .milliseconds(100))
                }
                return
            }
            attempted = true
        }
    }

    /// Fails messages whose ``ZMQSocketOptions/sendTimeout`` has passed.
    mutating func expire(now: ContinuousClock.Instant) {
        guard !isEmpty else { return }
        var kept: [SendTicket] = []
        for ticket in tickets[head...] {
            if let deadline = ticket.deadline, deadline <= now {
                ticket.complete(.failure(ZMQError(.wouldBlock, operation: .send)))
            } else {
                kept.append(ticket)
            }
        }
        if kept.count != tickets.count - head {
            tickets = kept
            head = 0
        }
    }

    /// What the next poll should wait for: POLLOUT while a message waits (unless backing
    /// off), and a wake-up time for the earliest send deadline or the end of the back-off.
    mutating func pollPlan(now: ContinuousClock.Instant) -> (pollOut: Bool, wakeUp: ContinuousClock.Instant?) {
        guard !isEmpty else {
            backoffUntil = nil
            return (false, nil)
        }
        if let until = backoffUntil, until <= now { backoffUntil = nil }
        var earliest = backoffUntil
        for ticket in tickets[head...] {
            if let deadline = ticket.deadline, earliest.map({ deadline < $0 }) ?? true {
                earliest = deadline
            }
        }
        return (backoffUntil == nil, earliest)
    }

    mutating func failAll(_ error: ZMQError) {
        for ticket in tickets[head...] {
            ticket.complete(.failure(error))
        }
        tickets.removeAll()
        head = 0
    }

    enum SendOutcome {
        case sent
        case blocked
        case failed(ZMQError)
    }

    /// One non-blocking attempt to queue a whole multipart message.
    static func send(
        _ frames: [Data], _ socket: UnsafeMutableRawPointer, _ message: UnsafeMutablePointer<zmq_msg_t>
    ) -> SendOutcome {
        var failure: ZMQError?
        for (index, frame) in frames.enumerated() {
            let last = index == frames.count - 1
            guard zmq_msg_init_size(message, frame.count) == 0 else {
                return .failed(.last(.send))
            }
            if !frame.isEmpty {
                frame.withUnsafeBytes { bytes in
                    if let source = bytes.baseAddress {
                        _ = memcpy(zmq_msg_data(message), source, bytes.count)
                    }
                }
            }
            let flags = ZMQ_DONTWAIT | (last ? 0 : ZMQ_SNDMORE)
            if zmq_msg_send(message, socket, flags) < 0 {
                let error = ZMQError.last(.send)
                zmq_msg_close(message)
                if index == 0 {
                    if error.code == .wouldBlock || error.code.rawValue == EINTR { return .blocked }
                    return .failed(error)
                }
                // libzmq takes multipart messages atomically, so a later frame fails only when
                // the peer vanished mid-message; libzmq then discards the remaining frames, which
                // we still pass so the socket ends the message cleanly.
                if failure == nil { failure = error }
            }
        }
        return failure.map { .failed($0) } ?? .sent
    }
}
