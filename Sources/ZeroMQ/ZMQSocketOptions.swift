import CZeroMQ
import Foundation

/// Settings applied to a socket when it is created, before any bind or connect.
///
/// `nil` means "libzmq's default". Durations are passed to libzmq in whole milliseconds
/// (rounded up); negative or too large values are refused with ``ZMQError/Code/invalidArgument``
/// when the socket is created.
public struct ZMQSocketOptions: Sendable, Hashable {
    /// How long unsent messages may keep the context alive after the socket is closed
    /// (`ZMQ_LINGER`). Always bounded here (libzmq's own default is to wait forever), so
    /// ``ZMQContext/terminate()`` returns within the longest linger of its sockets.
    public var linger: Duration
    /// Messages queued per peer for sending before the socket stops accepting more
    /// (`ZMQ_SNDHWM`, libzmq default 1000). What "stops" means depends on the type:
    /// PUSH/DEALER/REQ wait (see ``sendTimeout``), PUB and ROUTER drop, ROUTER with
    /// ``routerMandatory`` waits as well.
    public var sendHighWaterMark: Int?
    /// Messages queued per peer on the receiving side (`ZMQ_RCVHWM`, libzmq default 1000).
    public var receiveHighWaterMark: Int?
    /// Wait before reconnecting a lost or refused connection (`ZMQ_RECONNECT_IVL`, default 100 ms).
    public var reconnectInterval: Duration?
    /// Upper bound of the exponential reconnect back-off (`ZMQ_RECONNECT_IVL_MAX`; 0 = no back-off).
    public var reconnectIntervalMax: Duration?
    /// How often ZMTP PING heartbeats are sent on an idle connection (`ZMQ_HEARTBEAT_IVL`).
    public var heartbeatInterval: Duration?
    /// How long to wait for traffic after a PING before the connection is dropped
    /// (`ZMQ_HEARTBEAT_TIMEOUT`; libzmq defaults it to the interval).
    public var heartbeatTimeout: Duration?
    /// How long the remote peer should wait for our traffic before it drops the connection
    /// (`ZMQ_HEARTBEAT_TTL`; libzmq keeps it in tenths of a second, max 6553.5 s).
    public var heartbeatTTL: Duration?
    /// The identity this socket presents to a ROUTER peer (`ZMQ_ROUTING_ID`; 1...255 bytes,
    /// must not start with a zero byte). Set it on DEALER/REQ sockets so the ROUTER sees a
    /// stable id across reconnects.
    public var routingID: Data?
    /// ROUTER only: sending to an unknown routing id fails with
    /// ``ZMQError/Code/hostUnreachable`` instead of dropping silently, and a full peer makes the
    /// send wait instead of dropping (`ZMQ_ROUTER_MANDATORY`).
    public var routerMandatory: Bool
    /// ROUTER only: a new connection presenting a routing id already in use takes it over
    /// (`ZMQ_ROUTER_HANDOVER`). Useful when a peer with a fixed id restarts.
    public var routerHandover: Bool
    /// Queue messages only to completed connections (`ZMQ_IMMEDIATE`); without it a connecting
    /// socket queues to a peer that may never come.
    public var immediate: Bool
    /// Largest inbound message accepted; a peer sending more is disconnected (`ZMQ_MAXMSGSIZE`).
    public var maxMessageSize: Int?
    /// How long ``ZMQSocket/send(_:)`` waits for libzmq to accept a message (no peer yet,
    /// high-water mark reached) before failing with ``ZMQError/Code/wouldBlock``. `nil` waits
    /// until the socket is closed; `.zero` tries once.
    public var sendTimeout: Duration?
    /// Received messages held for ``ZMQSocket/messages`` before the socket's thread stops
    /// reading from libzmq. Nothing is dropped when it is full: libzmq's own receive queue
    /// fills up to ``receiveHighWaterMark`` and the sender then meets its high-water mark
    /// (PUSH/DEALER wait, PUB drops), which is ZeroMQ's backpressure. Values below 1 count as 1.
    public var receiveBufferLimit: Int
    /// CURVE encryption and authentication; nil: plain (the NULL mechanism).
    public var security: ZMQSecurity?

    /// Options with libzmq's defaults, except a bounded linger of one second.
    public init(
        linger: Duration = .seconds(1),
        sendHighWaterMark: Int? = nil,
        receiveHighWaterMark: Int? = nil,
        reconnectInterval: Duration? = nil,
        reconnectIntervalMax: Duration? = nil,
        heartbeatInterval: Duration? = nil,
        heartbeatTimeout: Duration? = nil,
        heartbeatTTL: Duration? = nil,
        routingID: Data? = nil,
        routerMandatory: Bool = false,
        routerHandover: Bool = false,
        immediate: Bool = false,
        maxMessageSize: Int? = nil,
        sendTimeout: Duration? = nil,
        receiveBufferLimit: Int = 64,
        security: ZMQSecurity? = nil
    ) {
        self.linger = linger
        self.sendHighWaterMark = sendHighWaterMark
        self.receiveHighWaterMark = receiveHighWaterMark
        self.reconnectInterval = reconnectInterval
        self.reconnectIntervalMax = reconnectIntervalMax
        self.heartbeatInterval = heartbeatInterval
        self.heartbeatTimeout = heartbeatTimeout
        self.heartbeatTTL = heartbeatTTL
        self.routingID = routingID
        self.routerMandatory = routerMandatory
        self.routerHandover = routerHandover
        self.immediate = immediate
        self.maxMessageSize = maxMessageSize
        self.sendTimeout = sendTimeout
        self.receiveBufferLimit = receiveBufferLimit
        self.security = security
    }

    /// Applies every set option to a freshly created socket, on the thread that created it.
    func apply(to socket: UnsafeMutableRawPointer) throws(ZMQError) {
        try setInt(socket, ZMQ_LINGER, "ZMQ_LINGER", milliseconds(linger, "ZMQ_LINGER"))
        if let sendHighWaterMark {
            try setInt(socket, ZMQ_SNDHWM, "ZMQ_SNDHWM", int32(sendHighWaterMark, "ZMQ_SNDHWM"))
        }
        if let receiveHighWaterMark {
            try setInt(socket, ZMQ_RCVHWM, "ZMQ_RCVHWM", int32(receiveHighWaterMark, "ZMQ_RCVHWM"))
        }
        let durations: [(Duration?, Int32, String)] = [
            (reconnectInterval, ZMQ_RECONNECT_IVL, "ZMQ_RECONNECT_IVL"),
            (reconnectIntervalMax, ZMQ_RECONNECT_IVL_MAX, "ZMQ_RECONNECT_IVL_MAX"),
            (heartbeatInterval, ZMQ_HEARTBEAT_IVL, "ZMQ_HEARTBEAT_IVL"),
            (heartbeatTimeout, ZMQ_HEARTBEAT_TIMEOUT, "ZMQ_HEARTBEAT_TIMEOUT"),
            (heartbeatTTL, ZMQ_HEARTBEAT_TTL, "ZMQ_HEARTBEAT_TTL"),
        ]
        for case let (duration?, option, name) in durations {
            try setInt(socket, option, name, milliseconds(duration, name))
        }
        if let routingID {
            // libzmq reserves ids starting with a zero byte for the ones it generates itself.
            guard routingID.first != 0 else {
                throw ZMQError(.invalidArgument, operation: .setOption, subject: "ZMQ_ROUTING_ID")
            }
            let rc = routingID.withUnsafeBytes {
                zmq_setsockopt(socket, ZMQ_ROUTING_ID, $0.baseAddress, $0.count)
            }
            guard rc == 0 else { throw ZMQError.last(.setOption, subject: "ZMQ_ROUTING_ID") }
        }
        if routerMandatory { try setInt(socket, ZMQ_ROUTER_MANDATORY, "ZMQ_ROUTER_MANDATORY", 1) }
        if routerHandover { try setInt(socket, ZMQ_ROUTER_HANDOVER, "ZMQ_ROUTER_HANDOVER", 1) }
        if immediate { try setInt(socket, ZMQ_IMMEDIATE, "ZMQ_IMMEDIATE", 1) }
        try security?.apply(to: socket)
        if let maxMessageSize {
            var value = Int64(maxMessageSize)
            guard zmq_setsockopt(socket, ZMQ_MAXMSGSIZE, &value, MemoryLayout<Int64>.size) == 0 else {
                throw ZMQError.last(.setOption, subject: "ZMQ_MAXMSGSIZE")
            }
        }
    }

    private func setInt(
        _ socket: UnsafeMutableRawPointer, _ option: Int32, _ name: String, _ value: Int32
    ) throws(ZMQError) {
        var value = value
        guard zmq_setsockopt(socket, option, &value, MemoryLayout<Int32>.size) == 0 else {
            throw ZMQError.last(.setOption, subject: name)
        }
    }

    private func int32(_ value: Int, _ name: String) throws(ZMQError) -> Int32 {
        guard let narrowed = Int32(exactly: value), narrowed >= 0 else {
            throw ZMQError(.invalidArgument, operation: .setOption, subject: name)
        }
        return narrowed
    }

    private func milliseconds(_ duration: Duration, _ name: String) throws(ZMQError) -> Int32 {
        guard let ms = duration.wholeMillisecondsRoundingUp, let narrowed = Int32(exactly: ms) else {
            throw ZMQError(.invalidArgument, operation: .setOption, subject: name)
        }
        return narrowed
    }
}

/// Socket options that can be read back with ``ZMQSocket/option(_:)``.
public enum ZMQSocketOption: Sendable, Hashable, CaseIterable {
    /// `ZMQ_TYPE`: the libzmq socket type constant.
    case type
    /// `ZMQ_LINGER` in milliseconds.
    case linger
    /// `ZMQ_SNDHWM` in messages.
    case sendHighWaterMark
    /// `ZMQ_RCVHWM` in messages.
    case receiveHighWaterMark
    /// `ZMQ_RECONNECT_IVL` in milliseconds.
    case reconnectInterval
    /// `ZMQ_RECONNECT_IVL_MAX` in milliseconds.
    case reconnectIntervalMax
    /// `ZMQ_HEARTBEAT_IVL` in milliseconds.
    case heartbeatInterval
    /// `ZMQ_HEARTBEAT_TIMEOUT` in milliseconds.
    case heartbeatTimeout
    /// `ZMQ_HEARTBEAT_TTL` in milliseconds (stored by libzmq in tenths of a second).
    case heartbeatTTL
    /// `ZMQ_IMMEDIATE`: 1 or 0.
    case immediate
    /// `ZMQ_MAXMSGSIZE` in bytes, -1 for no limit.
    case maxMessageSize

    var name: String {
        switch self {
        case .type: "ZMQ_TYPE"
        case .linger: "ZMQ_LINGER"
        case .sendHighWaterMark: "ZMQ_SNDHWM"
        case .receiveHighWaterMark: "ZMQ_RCVHWM"
        case .reconnectInterval: "ZMQ_RECONNECT_IVL"
        case .reconnectIntervalMax: "ZMQ_RECONNECT_IVL_MAX"
        case .heartbeatInterval: "ZMQ_HEARTBEAT_IVL"
        case .heartbeatTimeout: "ZMQ_HEARTBEAT_TIMEOUT"
        case .heartbeatTTL: "ZMQ_HEARTBEAT_TTL"
        case .immediate: "ZMQ_IMMEDIATE"
        case .maxMessageSize: "ZMQ_MAXMSGSIZE"
        }
    }

    /// Reads the option; runs on the socket's own thread.
    func read(from socket: UnsafeMutableRawPointer) -> Result<Int, ZMQError> {
        let option: Int32 = switch self {
        case .type: ZMQ_TYPE
        case .linger: ZMQ_LINGER
        case .sendHighWaterMark: ZMQ_SNDHWM
        case .receiveHighWaterMark: ZMQ_RCVHWM
        case .reconnectInterval: ZMQ_RECONNECT_IVL
        case .reconnectIntervalMax: ZMQ_RECONNECT_IVL_MAX
        case .heartbeatInterval: ZMQ_HEARTBEAT_IVL
        case .heartbeatTimeout: ZMQ_HEARTBEAT_TIMEOUT
        case .heartbeatTTL: ZMQ_HEARTBEAT_TTL
        case .immediate: ZMQ_IMMEDIATE
        case .maxMessageSize: ZMQ_MAXMSGSIZE
        }
        if self == .maxMessageSize {
            var value: Int64 = 0
            var size = MemoryLayout<Int64>.size
            guard zmq_getsockopt(socket, option, &value, &size) == 0 else {
                return .failure(.last(.getOption, subject: name))
            }
            return .success(Int(value))
        }
        var value: Int32 = 0
        var size = MemoryLayout<Int32>.size
        guard zmq_getsockopt(socket, option, &value, &size) == 0 else {
            return .failure(.last(.getOption, subject: name))
        }
        return .success(Int(value))
    }
}

extension Duration {
    /// Whole milliseconds, rounding any fraction up; nil when negative or out of range.
    var wholeMillisecondsRoundingUp: Int64? {
        let (seconds, attoseconds) = components
        guard seconds >= 0, attoseconds >= 0 else { return nil }
        let perMillisecond: Int64 = 1_000_000_000_000_000
        let fraction = attoseconds / perMillisecond + (attoseconds % perMillisecond > 0 ? 1 : 0)
        let (ms, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        guard !overflow else { return nil }
        let (total, overflow2) = ms.addingReportingOverflow(fraction)
        return overflow2 ? nil : total
    }
}
