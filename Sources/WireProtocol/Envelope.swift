/// The bus envelope shared by the four RaiseDash roles.
///
/// Every message on ZeroMQ is two frames, `[header, payload]`, optionally preceded by the
/// routing frames a ROUTER socket adds. The header is a small JSON object naming the protocol
/// version, the message type, the message id, the id of the message that caused it, the
/// sending role and the time; the payload is the JSON of the type's body. See docs/protocol.md.
import Foundation

/// The roles that exchange messages.
public enum Role: String, Codable, Sendable, CaseIterable {
    case gateway, incidents, sender, scheduler
}

/// A message type on the bus. The raw value is what travels in the header's `type` field.
public enum MessageType: String, Codable, Sendable, CaseIterable {
    /// gateway -> incidents: a normalized Telegram update (`InboundEvent`).
    case inboundEvent = "inbound_event"
    /// incidents -> gateway: an inbound event was durably processed (`Acknowledgement`).
    case acknowledgement = "ack"
    /// incidents -> sender: a Telegram call to make (`OutboundIntent`).
    case outboundIntent = "outbound_intent"
    /// sender -> incidents: what became of an intent (`IntentResult`).
    case intentResult = "intent_result"
    /// scheduler -> incidents: the clock (`SLATick`). Loss is harmless.
    case slaTick = "sla_tick"
    /// sender -> incidents: the sender is alive and can take this many more intents
    /// (`SenderReady`); doubles as its heartbeat.
    case senderReady = "sender_ready"
}

/// The envelope around every payload.
public struct Envelope<Payload: Codable & Sendable & Equatable>: Sendable, Equatable {
    /// Protocol version of the header; see `WireFormat.version`.
    public var version: Int
    public var type: MessageType
    /// Unique id of this message (a UUID string).
    public var id: String
    /// Id of the message that caused this one, if any (an ack names the event it acknowledges).
    public var causationID: String?
    public var sender: Role
    public var time: Date
    public var payload: Payload

    public init(
        type: MessageType, id: String = UUID().uuidString, causationID: String? = nil,
        sender: Role, time: Date, payload: Payload, version: Int = WireFormat.version
    ) {
        self.version = version
        self.type = type
        self.id = id
        self.causationID = causationID
        self.sender = sender
        self.time = time
        self.payload = payload
    }
}

/// The header frame's JSON shape.
struct Header: Codable, Equatable {
    var v: Int
    var type: String
    var id: String
    var causation_id: String?
    var sender: String
    var time: String
}
