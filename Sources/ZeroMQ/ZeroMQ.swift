import CZeroMQ

/// # ZeroMQ
///
/// A small Swift layer over libzmq for RaiseDash's processes: contexts, the PUSH/PULL,
/// PUB/SUB, DEALER/ROUTER (and REQ/REP, PAIR) socket types, multipart messages as `[Data]`,
/// and receiving as an `AsyncSequence`.
///
/// ```swift
/// let context = try ZMQContext()
/// let pull = try context.socket(.pull, options: ZMQSocketOptions(receiveHighWaterMark: 100))
/// let endpoint = try await pull.bind("tcp://127.0.0.1:*")      // "tcp://127.0.0.1:41234"
/// let push = try context.socket(.push)
/// try await push.connect(endpoint)
/// try await push.send([Data("hello".utf8), Data()])
/// for try await message in pull.messages { ... }                // message: [Data]
/// await context.terminate()                                     // closes both sockets
/// ```
///
/// ## Threads
/// libzmq sockets must be used from one thread at a time. Each ``ZMQSocket`` therefore owns a
/// dedicated thread that sleeps in `zmq_poll` on the socket and on a wake-up pipe. Calls from
/// async code (bind, connect, send, options, close) are queued to that thread, which is woken
/// through the pipe, runs them, and resumes the caller through a continuation. Nothing here
/// blocks or spins on Swift's cooperative pool: waiting for a message or for room to send is a
/// suspended task, and the socket's thread sleeps in `zmq_poll` until libzmq or a caller has
/// something for it. A socket costs one thread and a pipe (two descriptors) besides libzmq's
/// own resources; a role needs a handful of sockets.
///
/// ## Backpressure
/// Received messages wait in a small buffer per socket (``ZMQSocketOptions/receiveBufferLimit``);
/// when it is full the thread stops reading, so libzmq's high-water marks push back on the
/// sender instead of anything being dropped here. A send that does not fit waits (bounded by
/// ``ZMQSocketOptions/sendTimeout``) rather than failing at once.
///
/// ## Errors
/// Every failed libzmq call becomes a ``ZMQError`` with the `errno`, the `zmq_strerror` text
/// and the operation.
///
/// ## Shutting down
/// ``ZMQSocket/close()`` stops the socket's thread and closes the socket with its (always
/// bounded) linger; ``ZMQContext/terminate()`` closes what is still open and then terminates
/// libzmq's context on its own thread, so it returns within the longest linger.
public enum ZMQLibrary {
    /// The version of the libzmq linked at run time, e.g. `(4, 3, 4)`.
    public static var version: (major: Int, minor: Int, patch: Int) {
        var major: Int32 = 0
        var minor: Int32 = 0
        var patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return (Int(major), Int(minor), Int(patch))
    }
}
