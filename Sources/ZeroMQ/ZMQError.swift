import CZeroMQ
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed libzmq call: the `errno` libzmq reported, its `zmq_strerror` text, and what was
/// being done.
///
/// `description` is short and stable (`"bind: Address already in use"`): it names the
/// operation and the errno text, never the endpoint or data, so it is safe as a log message
/// or metric label. The endpoint or option the call was about is in ``subject``.
public struct ZMQError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The `errno` value libzmq reported (system errno or one of libzmq's own, like `ETERM`).
    public let code: Code
    /// What was being done when the call failed.
    public let operation: Operation
    /// `zmq_strerror(code)`, e.g. `"Invalid argument"`, `"Protocol not supported"`.
    public let reason: String
    /// What the call was about, when there is one: the endpoint of a bind or connect, the name
    /// of a socket option. Not part of `description`.
    public let subject: String?

    /// Builds an error for `code`, taking the reason text from `zmq_strerror`.
    public init(_ code: Code, operation: Operation, subject: String? = nil) {
        self.code = code
        self.operation = operation
        self.subject = subject
        self.reason = String(cString: zmq_strerror(code.rawValue))
    }

    /// The error for the most recent failed libzmq call on this thread (`zmq_errno()`).
    static func last(_ operation: Operation, subject: String? = nil) -> ZMQError {
        ZMQError(Code(rawValue: zmq_errno()), operation: operation, subject: subject)
    }

    public var description: String { "\(operation): \(reason)" }

    /// An `errno` value. The named constants cover the codes callers act on; any other value
    /// libzmq reports is kept as is.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// `EAGAIN`: the message could not be queued in time (high-water mark reached or
        /// no peer to send to, see ``ZMQSocketOptions/sendTimeout``).
        public static let wouldBlock = Code(rawValue: EAGAIN)
        /// `EINVAL`: a malformed endpoint, option value or argument.
        public static let invalidArgument = Code(rawValue: EINVAL)
        /// `EPROTONOSUPPORT`: the endpoint's transport is not one libzmq knows.
        public static let protocolNotSupported = Code(rawValue: EPROTONOSUPPORT)
        /// `EADDRINUSE`: the address is already bound.
        public static let addressInUse = Code(rawValue: EADDRINUSE)
        /// `EADDRNOTAVAIL`: the address is not local.
        public static let addressNotAvailable = Code(rawValue: EADDRNOTAVAIL)
        /// `ENODEV`: the interface named in the endpoint does not exist.
        public static let noSuchDevice = Code(rawValue: ENODEV)
        /// `ENOENT`: unbind/disconnect of an endpoint that is not bound/connected.
        public static let noSuchEntry = Code(rawValue: ENOENT)
        /// `EHOSTUNREACH`: a ROUTER with `routerMandatory` has no peer with that routing id.
        public static let hostUnreachable = Code(rawValue: EHOSTUNREACH)
        /// `ENOTSUP`: the operation is not supported by this socket type (e.g. send on PULL).
        public static let notSupported = Code(rawValue: ENOTSUP)
        /// `ENOTSOCK`: the socket has been closed.
        public static let socketClosed = Code(rawValue: ENOTSOCK)
        /// `EFSM`: the socket is in the wrong state for this operation (REQ/REP ordering).
        public static let wrongState = Code(rawValue: EFSM)
        /// `ETERM`: the context has been terminated.
        public static let contextTerminated = Code(rawValue: ETERM)
        /// `EMFILE`: too many open sockets or files.
        public static let tooManyOpenFiles = Code(rawValue: EMFILE)

        public var description: String { String(rawValue) }
    }

    /// The kind of call that failed. A struct rather than an enum so the set can grow.
    public struct Operation: Sendable, Hashable, CustomStringConvertible {
        public let description: String
        private init(_ name: String) { description = name }

        public static let createContext = Operation("create context")
        public static let createSocket = Operation("create socket")
        public static let setOption = Operation("set option")
        public static let getOption = Operation("get option")
        public static let bind = Operation("bind")
        public static let connect = Operation("connect")
        public static let unbind = Operation("unbind")
        public static let disconnect = Operation("disconnect")
        public static let subscribe = Operation("subscribe")
        public static let unsubscribe = Operation("unsubscribe")
        public static let send = Operation("send")
        public static let receive = Operation("receive")
        public static let poll = Operation("poll")
    }
}
