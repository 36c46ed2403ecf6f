import CZeroMQ
import Foundation

/// A ZeroMQ socket owned by its own thread, used from Swift concurrency.
///
/// Every call is carried out on the socket's thread (libzmq sockets are not thread-safe);
/// the async methods suspend until it is done and never block the cooperative pool. The
/// handle is `Sendable` and can be shared between tasks.
///
/// Dropping the last reference closes the socket (``messages`` keeps it referenced while
/// iterated); call ``close()`` to close it at a known point and wait for that.
public final class ZMQSocket: Sendable {
    let loop: SocketLoop

    init(loop: SocketLoop) {
        self.loop = loop
    }

    deinit {
        loop.requestClose()
    }

    /// The socket's pattern.
    public var type: ZMQSocketType { loop.type }

    /// Incoming multipart messages. See ``ZMQMessages`` for buffering and backpressure.
    /// PUSH and PUB sockets never receive; their sequence just ends when they are closed.
    public var messages: ZMQMessages { ZMQMessages(socket: self) }

    /// The next incoming message, or nil once the socket is closed (or the task cancelled).
    public func receive() async throws(ZMQError) -> [Data]? {
        var iterator = messages.makeAsyncIterator()
        return try await iterator.next()
    }

    /// The next incoming message if one arrives within `timeout`; nil when none did (or the
    /// socket was closed). A message is never lost to the timeout: it is either returned here
    /// or stays queued for the next receive. This is the building block for request retries
    /// (the ZeroMQ guide's Lazy Pirate).
    public func receive(timeout: Duration) async throws(ZMQError) -> [Data]? {
        let outcome = await withTaskGroup(of: Result<[Data]?, ZMQError>?.self) { group in
            group.addTask {
                do throws(ZMQError) {
                    return .success(try await self.receive())
                } catch {
                    return .failure(error)
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            while let finished = await group.next() {
                if let received = finished {
                    group.cancelAll()
                    return received
                }
                // The timer ended first. Cancel the receive and take its result: it is nil
                // unless a message was handed over just before the cancellation.
                group.cancelAll()
            }
            return .success(nil)
        }
        return try outcome.get()
    }

    // MARK: Endpoints

    /// Binds to `endpoint` (`tcp://127.0.0.1:*` picks a free port, `ipc:///path`,
    /// `inproc://name`) and returns the endpoint actually bound, e.g. `tcp://127.0.0.1:41234`.
    ///
    /// libzmq releases a bound address asynchronously after ``close()``/``unbind(_:)``; a new
    /// bind of the same TCP port right away can meet ``ZMQError/Code/addressInUse``.
    /// Terminating the context that owned the old socket guarantees the address is released.
    @discardableResult
    public func bind(_ endpoint: String) async throws(ZMQError) -> String {
        try Self.check(endpoint, .bind)
        return try await loop.perform(.bind, subject: endpoint) { socket in
            guard zmq_bind(socket, endpoint) == 0 else { return .failure(.last(.bind, subject: endpoint)) }
            return Self.lastEndpoint(socket)
        }.get()
    }

    /// Connects to `endpoint`. The connection is made (and remade after losses, and after a
    /// failed handshake, see ``RefusalWatch``) in the background; this returns once libzmq
    /// accepted the endpoint, not when a peer answered.
    public func connect(_ endpoint: String) async throws(ZMQError) {
        try Self.check(endpoint, .connect)
        let loop = self.loop
        try await loop.perform(.connect, subject: endpoint) { socket -> Result<Void, ZMQError> in
            guard zmq_connect(socket, endpoint) == 0 else { return .failure(.last(.connect, subject: endpoint)) }
            loop.connectedEndpoints.withLock { $0.append(endpoint) }
            return .success(())
        }.get()
    }

    /// Stops listening on an endpoint previously bound; pass the endpoint ``bind(_:)`` returned
    /// (not a wildcard).
    public func unbind(_ endpoint: String) async throws(ZMQError) {
        try Self.check(endpoint, .unbind)
        try await loop.perform(.unbind, subject: endpoint) { socket in
            zmq_unbind(socket, endpoint) == 0 ? .success(()) : .failure(.last(.unbind, subject: endpoint))
        }.get()
    }

    /// Drops a connection made with ``connect(_:)``.
    public func disconnect(_ endpoint: String) async throws(ZMQError) {
        try Self.check(endpoint, .disconnect)
        let loop = self.loop
        try await loop.perform(.disconnect, subject: endpoint) { socket -> Result<Void, ZMQError> in
            guard zmq_disconnect(socket, endpoint) == 0 else { return .failure(.last(.disconnect, subject: endpoint)) }
            loop.connectedEndpoints.withLock { endpoints in
                if let index = endpoints.firstIndex(of: endpoint) { endpoints.remove(at: index) }
            }
            return .success(())
        }.get()
    }

    /// The endpoint most recently bound or connected (`ZMQ_LAST_ENDPOINT`), with the port a
    /// wildcard bind picked.
    public func lastEndpoint() async throws(ZMQError) -> String {
        try await loop.perform(.getOption, subject: "ZMQ_LAST_ENDPOINT") { socket in
            Self.lastEndpoint(socket)
        }.get()
    }

    // MARK: Subscriptions (SUB)

    /// SUB only: receive messages whose first frame starts with `prefix` (empty: everything).
    /// Other socket types fail with ``ZMQError/Code/invalidArgument``.
    public func subscribe(to prefix: Data) async throws(ZMQError) {
        try await setBytes(ZMQ_SUBSCRIBE, prefix, .subscribe, "ZMQ_SUBSCRIBE")
    }

    /// SUB only: `subscribe(to:)` with the UTF-8 bytes of `prefix`.
    public func subscribe(to prefix: String) async throws(ZMQError) {
        try await subscribe(to: Data(prefix.utf8))
    }

    /// SUB only: removes one earlier ``subscribe(to:)`` of the same prefix.
    public func unsubscribe(from prefix: Data) async throws(ZMQError) {
        try await setBytes(ZMQ_UNSUBSCRIBE, prefix, .unsubscribe, "ZMQ_UNSUBSCRIBE")
    }

    /// SUB only: `unsubscribe(from:)` with the UTF-8 bytes of `prefix`.
    public func unsubscribe(from prefix: String) async throws(ZMQError) {
        try await unsubscribe(from: Data(prefix.utf8))
    }

    // MARK: Sending

    /// Sends one multipart message (frames in order; empty frames allowed) and returns once
    /// libzmq has queued it. That is not delivery: ZeroMQ does not confirm delivery, so flows
    /// that must not lose messages acknowledge them at the application level.
    ///
    /// If libzmq cannot take the message yet (no peer, high-water mark reached) the call waits
    /// without blocking a thread, up to ``ZMQSocketOptions/sendTimeout``, then fails with
    /// ``ZMQError/Code/wouldBlock``. Sends complete in the order they were made. A ROUTER
    /// message starts with the routing id of the peer; with ``ZMQSocketOptions/routerMandatory``
    /// an unknown id fails with ``ZMQError/Code/hostUnreachable``.
    ///
    /// - Throws: ``ZMQError`` (an empty frame list is ``ZMQError/Code/invalidArgument``, a
    ///   closed socket ``ZMQError/Code/socketClosed``), or `CancellationError` when the task is
    ///   cancelled before libzmq took the message (then it was not sent).
    public func send<Frame: DataProtocol>(_ frames: [Frame]) async throws {
        guard !frames.isEmpty else {
            throw ZMQError(.invalidArgument, operation: .send, subject: "no frames")
        }
        let data = frames.map { frame in (frame as? Data) ?? Data(frame) }
        let ticket = SendTicket(frames: data, deadline: loop.sendTimeout.map { .now + $0 })
        let loop = self.loop
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                guard ticket.start(continuation) else { return }
                if !loop.enqueue(.send(ticket)) {
                    ticket.complete(.failure(ZMQError(.socketClosed, operation: .send)))
                }
            }
        } onCancel: {
            if ticket.cancel() { loop.wake.signal() }
        }
    }

    // MARK: Options and lifecycle

    /// Reads an option back from libzmq (durations in milliseconds, booleans as 0 or 1).
    public func option(_ option: ZMQSocketOption) async throws(ZMQError) -> Int {
        try await loop.perform(.getOption, subject: option.name) { socket in
            option.read(from: socket)
        }.get()
    }

    /// The routing id this socket presents to ROUTER peers (`ZMQ_ROUTING_ID`; empty if unset).
    public func routingID() async throws(ZMQError) -> Data {
        try await loop.perform(.getOption, subject: "ZMQ_ROUTING_ID") { socket in
            var buffer = [UInt8](repeating: 0, count: 256)
            var size = buffer.count
            guard zmq_getsockopt(socket, ZMQ_ROUTING_ID, &buffer, &size) == 0 else {
                return .failure(.last(.getOption, subject: "ZMQ_ROUTING_ID"))
            }
            return .success(Data(buffer.prefix(size)))
        }.get()
    }

    /// Closes the socket and waits for its thread to finish: sends still waiting fail with
    /// ``ZMQError/Code/socketClosed``, messages already queued in libzmq get up to
    /// ``ZMQSocketOptions/linger`` to leave, and ``messages`` ends after its buffered messages.
    /// Idempotent; later calls on the socket fail with ``ZMQError/Code/socketClosed``.
    public func close() async {
        await loop.close()
    }

    // MARK: Private

    private func setBytes(
        _ option: Int32, _ value: Data, _ operation: ZMQError.Operation, _ name: String
    ) async throws(ZMQError) {
        try await loop.perform(operation, subject: name) { socket in
            let rc = value.withUnsafeBytes { zmq_setsockopt(socket, option, $0.baseAddress, $0.count) }
            return rc == 0 ? .success(()) : .failure(.last(operation, subject: name))
        }.get()
    }

    /// Endpoints go to C as NUL-terminated strings; an embedded NUL would silently cut them.
    private static func check(_ endpoint: String, _ operation: ZMQError.Operation) throws(ZMQError) {
        if endpoint.utf8.contains(0) {
            throw ZMQError(.invalidArgument, operation: operation, subject: "endpoint contains NUL")
        }
    }

    private static func lastEndpoint(_ socket: UnsafeMutableRawPointer) -> Result<String, ZMQError> {
        var buffer = [CChar](repeating: 0, count: 1024)
        var size = buffer.count
        guard zmq_getsockopt(socket, ZMQ_LAST_ENDPOINT, &buffer, &size) == 0 else {
            return .failure(.last(.getOption, subject: "ZMQ_LAST_ENDPOINT"))
        }
        let bytes = buffer.prefix(size).prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return .success(String(decoding: bytes, as: UTF8.self))
    }
}
