import CZeroMQ
import Foundation

/// Remakes a connection whose handshake failed.
///
/// libzmq 4.3 ends a connecting session for good when its handshake fails: the server refused
/// the client's CURVE key, the client trusts another server key, or the peer broke the ZMTP
/// protocol. It never reconnects, so a gateway or sender refused once (its key not yet on the
/// allow-list, a server restarted with a new key) stayed cut off until restarted. This watch,
/// owned by the socket's thread, reads those failures from a monitor socket and, after a
/// back-off, disconnects and connects the socket's endpoints again, which starts a new session.
///
/// The back-off starts at ``firstDelay`` and doubles up to ``maximumDelay`` while handshakes
/// keep failing, so a client whose key is wrong knocks at most every 30 s (each knock is a
/// refusal the server logs and counts); a handshake that succeeds resets it.
struct RefusalWatch {
    static let firstDelay: Duration = .seconds(1)
    static let maximumDelay: Duration = .seconds(30)

    /// The PAIR socket the monitor's events arrive on; nil if the monitor could not be set up
    /// (the socket then behaves as plain libzmq does).
    private(set) var monitor: UnsafeMutableRawPointer?
    private var retryAt: ContinuousClock.Instant?
    private var delay = RefusalWatch.firstDelay

    /// Starts monitoring `socket`'s handshakes. Call on the socket's thread.
    init(socket: UnsafeMutableRawPointer, context: UnsafeMutableRawPointer) {
        let address = "inproc://raisedash-handshakes-\(UUID().uuidString)"
        let events = ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH
        guard zmq_socket_monitor(socket, address, events) == 0 else { return }
        guard let pair = zmq_socket(context, ZMQ_PAIR) else {
            zmq_socket_monitor(socket, nil, 0)
            return
        }
        var linger: Int32 = 0
        zmq_setsockopt(pair, ZMQ_LINGER, &linger, MemoryLayout<Int32>.size)
        guard zmq_connect(pair, address) == 0 else {
            zmq_close(pair)
            zmq_socket_monitor(socket, nil, 0)
            return
        }
        monitor = pair
    }

    /// When the loop must wake up to reconnect, if a reconnect is due.
    var wakeUp: ContinuousClock.Instant? { retryAt }

    /// Reads the events that arrived. A failed handshake of a socket that has connected
    /// somewhere schedules a reconnect; a successful one resets the back-off.
    mutating func readEvents(connectedEndpoints: [String], now: ContinuousClock.Instant) {
        guard let monitor else { return }
        while let event = Self.nextEvent(monitor) {
            switch event {
            case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
                delay = Self.firstDelay
            case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
                // A binding socket's failures are its peers' business: they reconnect.
                guard !connectedEndpoints.isEmpty, retryAt == nil else { continue }
                retryAt = now + delay
                delay = min(delay * 2, Self.maximumDelay)
            default:
                continue
            }
        }
    }

    /// Connects `endpoints` again if a reconnect is due. Call on the socket's thread.
    mutating func reconnectIfDue(_ socket: UnsafeMutableRawPointer, endpoints: [String], now: ContinuousClock.Instant) {
        guard let retryAt, retryAt <= now else { return }
        self.retryAt = nil
        for endpoint in endpoints {
            // The failed session may already be gone (ENOENT); either way connect anew.
            zmq_disconnect(socket, endpoint)
            zmq_connect(socket, endpoint)
        }
    }

    /// Stops the monitor and closes its socket; before the watched socket is closed.
    mutating func close(_ socket: UnsafeMutableRawPointer) {
        guard let monitor else { return }
        zmq_socket_monitor(socket, nil, 0)
        zmq_close(monitor)
        self.monitor = nil
    }

    /// The next event's number, or nil when none is waiting. An event is two frames: 2 bytes of
    /// event number and 4 of value, then the endpoint.
    private static func nextEvent(_ monitor: UnsafeMutableRawPointer) -> Int32? {
        var message = zmq_msg_t()
        var event: Int32?
        var first = true
        while true {
            zmq_msg_init(&message)
            guard zmq_msg_recv(&message, monitor, ZMQ_DONTWAIT) >= 0 else {
                zmq_msg_close(&message)
                return event
            }
            if first, zmq_msg_size(&message) >= 2, let data = zmq_msg_data(&message) {
                event = Int32(data.loadUnaligned(as: UInt16.self))
            }
            first = false
            let more = zmq_msg_more(&message) != 0
            zmq_msg_close(&message)
            if !more { return event }
        }
    }
}
