import Foundation
import Timestamps

/// Encoding and decoding of envelopes to and from frames, with every way a frame can be bad
/// turned into a `FrameError` instead of a crash.
public enum WireFormat {
    /// The protocol version this build speaks. Bumped only for changes an old reader would
    /// misread; adding an optional field does not bump it (readers ignore unknown fields).
    public static let version = 1
    /// Frames above this many bytes are refused before parsing.
    public static let defaultMaximumFrameBytes = 1 << 20

    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.format(date))
        }
        return encoder
    }

    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = Timestamp.parseRFC3339(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "not an RFC 3339 time: \(text.prefix(40))")
            }
            return date
        }
        return decoder
    }

    /// Encodes an envelope as `[header, payload]` frames.
    public static func encode<P>(_ envelope: Envelope<P>) throws -> [Data] {
        let header = Header(
            v: envelope.version, type: envelope.type.rawValue, id: envelope.id,
            causation_id: envelope.causationID, sender: envelope.sender.rawValue,
            time: Timestamp.format(envelope.time))
        let encoder = encoder()
        return [try encoder.encode(header), try encoder.encode(envelope.payload)]
    }

    /// Reads the header of a message without decoding its payload, so a receiver can
    /// dispatch on the type. Every failure is a `FrameError`.
    public static func decodeHeader(
        _ frames: [Data], maximumFrameBytes: Int = defaultMaximumFrameBytes
    ) throws(FrameError) -> MessageHeader {
        guard frames.count == 2 else {
            throw FrameError(.wrongFrameCount, "expected 2 frames (header, payload), got \(frames.count)")
        }
        for (index, frame) in frames.enumerated() where frame.count > maximumFrameBytes {
            throw FrameError(.tooLarge, "frame \(index) is \(frame.count) bytes, limit \(maximumFrameBytes)")
        }
        let header: Header
        do {
            header = try decoder().decode(Header.self, from: frames[0])
        } catch {
            throw FrameError(.malformed, "header is not a valid header object: \(Self.summary(of: error))")
        }
        guard header.v == version else {
            throw FrameError(.unknownVersion, "protocol version \(header.v), this build speaks \(version)")
        }
        guard let type = MessageType(rawValue: header.type) else {
            throw FrameError(.unknownType, "unknown message type \"\(header.type.prefix(64))\"")
        }
        guard let sender = Role(rawValue: header.sender) else {
            throw FrameError(.malformed, "unknown sender role \"\(header.sender.prefix(64))\"")
        }
        guard let time = Timestamp.parseRFC3339(header.time) else {
            throw FrameError(.malformed, "header time is not RFC 3339: \"\(header.time.prefix(64))\"")
        }
        return MessageHeader(
            type: type, id: header.id, causationID: header.causation_id, sender: sender, time: time)
    }

    /// Decodes a whole envelope whose payload must be `P`.
    public static func decode<P>(
        _ frames: [Data], as: P.Type, maximumFrameBytes: Int = defaultMaximumFrameBytes
    ) throws(FrameError) -> Envelope<P> {
        let header = try decodeHeader(frames, maximumFrameBytes: maximumFrameBytes)
        guard let expected = MessageType.payloadTypes[header.type], expected == P.self else {
            throw FrameError(.unexpectedType, "a \(header.type.rawValue) message where \(P.self) was expected")
        }
        let payload: P
        do {
            payload = try decoder().decode(P.self, from: frames[1])
        } catch {
            throw FrameError(.malformed, "\(header.type.rawValue) payload does not decode: \(Self.summary(of: error))")
        }
        return Envelope(
            type: header.type, id: header.id, causationID: header.causationID,
            sender: header.sender, time: header.time, payload: payload)
    }

    /// A short, data-free description of a decoding error: which field, what was wrong.
    static func summary(of error: any Error) -> String {
        guard let error = error as? DecodingError else { return "not JSON" }
        func path(_ context: DecodingError.Context) -> String {
            let path = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
            return path.isEmpty ? "top level" : path.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing field \(key.stringValue) at \(path(context))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong type at \(path(context))"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not JSON" : "invalid value at \(path(context))"
        @unknown default:
            return "undecodable"
        }
    }
}

/// The decoded header of a message, enough to route it.
public struct MessageHeader: Sendable, Equatable {
    public var type: MessageType
    public var id: String
    public var causationID: String?
    public var sender: Role
    public var time: Date
}

extension MessageType {
    /// Which payload type each message type carries.
    static let payloadTypes: [MessageType: Any.Type] = [
        .inboundEvent: InboundEvent.self,
        .acknowledgement: Acknowledgement.self,
        .outboundIntent: OutboundIntent.self,
        .intentResult: IntentResult.self,
        .slaTick: SLATick.self,
        .senderReady: SenderReady.self,
    ]
}

/// Why a frame was dropped. The description names what was wrong, never the frame's content
/// beyond a short prefix of an unknown name.
public struct FrameError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case wrongFrameCount = "wrong_frame_count"
        case tooLarge = "too_large"
        case malformed
        case unknownVersion = "unknown_version"
        case unknownType = "unknown_type"
        case unexpectedType = "unexpected_type"
    }
    /// Stable, short; safe as a metric label.
    public var kind: Kind
    public var detail: String

    public init(_ kind: Kind, _ detail: String) {
        self.kind = kind
        self.detail = detail
    }

    public var description: String { "\(kind.rawValue): \(detail)" }
}
