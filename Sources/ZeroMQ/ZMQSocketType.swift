import CZeroMQ

/// The ZeroMQ socket patterns this module supports.
public enum ZMQSocketType: Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Distributes messages round-robin to connected PULL peers; waits when none can take one.
    case push
    /// Fair-queues messages from PUSH peers.
    case pull
    /// Sends to every subscriber whose subscription prefix matches; drops at the high-water mark.
    case pub
    /// Receives the messages of PUB peers that match one of its subscriptions (none by default).
    case sub
    /// Asynchronous request side: round-robin out, fair-queued in.
    case dealer
    /// Asynchronous reply side: received messages start with the sender's routing id frame;
    /// sent messages must start with the routing id of the peer to send to.
    case router
    /// Strict request side: send, receive, send, receive...
    case req
    /// Strict reply side: receive, send, receive, send...
    case rep
    /// Exactly one peer; typically over inproc.
    case pair

    var rawValue: Int32 {
        switch self {
        case .push: ZMQ_PUSH
        case .pull: ZMQ_PULL
        case .pub: ZMQ_PUB
        case .sub: ZMQ_SUB
        case .dealer: ZMQ_DEALER
        case .router: ZMQ_ROUTER
        case .req: ZMQ_REQ
        case .rep: ZMQ_REP
        case .pair: ZMQ_PAIR
        }
    }

    /// Whether libzmq lets this socket type receive at all. Send-only sockets are never
    /// polled for input.
    var canReceive: Bool {
        switch self {
        case .push, .pub: false
        default: true
        }
    }

    public var description: String {
        switch self {
        case .push: "PUSH"
        case .pull: "PULL"
        case .pub: "PUB"
        case .sub: "SUB"
        case .dealer: "DEALER"
        case .router: "ROUTER"
        case .req: "REQ"
        case .rep: "REP"
        case .pair: "PAIR"
        }
    }
}
