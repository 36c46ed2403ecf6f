import Foundation
import Logging
import Metrics
import WireProtocol
import ZeroMQ

/// Sending and receiving envelopes on ZeroMQ sockets, the way every role does it.
public enum Bus {
    /// The largest frame libzmq accepts from a peer (ZMQ_MAXMSGSIZE); a peer sending a larger
    /// one is disconnected. Bus payloads are small: an intent or event carries at most two
    /// Telegram texts of 4096 characters, well under 64 KiB even with JSON escapes.
    public static let maximumMessageBytes = 256 * 1024
    /// Messages libzmq queues per peer before it stops reading from that peer (ZMQ_RCVHWM):
    /// with `maximumMessageBytes`, at most 256 MiB per peer, never gigabytes.
    public static let receiveHighWaterMark = 1000

    /// Socket options every bus socket uses: bounded linger so shutdown never hangs, ZMTP
    /// heartbeats so a dead peer is noticed, a cap on message size and on queued messages so
    /// one peer cannot make libzmq buffer gigabytes, and quick reconnects.
    ///
    /// `connects`: the socket connects to a bound peer (the incident service's ROUTERs, the
    /// scheduler's PUB). libzmq ends such a session for good on a protocol error, and an
    /// oversized message is one, so it would never reconnect: a connecting socket gets the
    /// decoder's limit (`WireFormat.defaultMaximumFrameBytes` per frame, refused and logged)
    /// with a libzmq cap above it. Binding sockets, which face unknown peers, get the tight
    /// cap; a peer exceeding it is disconnected and reconnects on its own.
    public static func socketOptions(
        routingID: Data? = nil, routerMandatory: Bool = false, connects: Bool = false, security: ZMQSecurity? = nil
    ) -> ZMQSocketOptions {
        ZMQSocketOptions(
            linger: .milliseconds(500),
            sendHighWaterMark: 10_000,
            receiveHighWaterMark: receiveHighWaterMark,
            reconnectInterval: .milliseconds(100),
            reconnectIntervalMax: .seconds(2),
            heartbeatInterval: .seconds(2),
            heartbeatTimeout: .seconds(6),
            heartbeatTTL: .seconds(6),
            routingID: routingID,
            routerMandatory: routerMandatory,
            maxMessageSize: connects ? WireFormat.defaultMaximumFrameBytes * 2 + 1024 : maximumMessageBytes,
            security: security)
    }

    /// Encodes and sends an envelope, after `routing` frames (a ROUTER's peer identity).
    public static func send<P>(_ envelope: Envelope<P>, on socket: ZMQSocket, routing: [Data] = []) async throws {
        try await socket.send(routing + WireFormat.encode(envelope))
    }

    /// A received message: its routing frames (empty unless read from a ROUTER), its header
    /// and its two protocol frames, ready for `WireFormat.decode`.
    public struct Received: Sendable {
        public var routing: [Data]
        public var header: MessageHeader
        public var frames: [Data]

        /// Decodes the payload; a mismatch is a `FrameError` the caller logs and drops.
        public func decode<P>(_ type: P.Type) throws(FrameError) -> Envelope<P> {
            try WireFormat.decode(frames, as: type)
        }
    }

    /// Splits off `routingFrames` leading frames and reads the header. A bad frame is logged
    /// with context, counted in `raisedash_bus_dropped_frames_total{kind}`, and gives nil.
    public static func receive(
        _ message: [Data], routingFrames: Int, socket name: String, logger: Logger
    ) -> Received? {
        guard message.count >= routingFrames else {
            drop(FrameError(.wrongFrameCount, "\(message.count) frames, fewer than the \(routingFrames) routing frames"), socket: name, logger: logger)
            return nil
        }
        let routing = Array(message.prefix(routingFrames))
        let frames = Array(message.dropFirst(routingFrames))
        do {
            let header = try WireFormat.decodeHeader(frames)
            return Received(routing: routing, header: header, frames: frames)
        } catch {
            drop(error, socket: name, logger: logger)
            return nil
        }
    }

    /// Logs and counts a dropped frame.
    public static func drop(_ error: FrameError, socket name: String, logger: Logger) {
        logger.warning(
            "dropped a bad frame",
            metadata: ["bus.socket": "\(name)", "frame.error": "\(error.kind.rawValue)", "frame.detail": "\(error.detail)"])
        Counter(label: "raisedash_bus_dropped_frames_total", dimensions: [("socket", name), ("kind", error.kind.rawValue)]).increment()
    }
}
