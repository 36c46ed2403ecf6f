import CZeroMQ
import Foundation
import Synchronization

/// A CURVE key: 32 bytes, written as 40 characters of Z85 (ZeroMQ RFC 32) in key files.
///
/// Its description never shows the key, so a secret key cannot reach a log by accident; use
/// ``z85`` where the text is wanted (a public key in a log line or a file).
public struct ZMQCurveKey: Sendable, Hashable, CustomStringConvertible {
    /// The 32 key bytes.
    public let bytes: Data

    /// A key from its 40-character Z85 text (surrounding whitespace ignored); nil when the text
    /// is not 40 Z85 characters.
    public init?(z85 text: String) {
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.utf8.count == 40 else { return nil }
        var decoded = [UInt8](repeating: 0, count: 32)
        guard zmq_z85_decode(&decoded, text) != nil else { return nil }
        bytes = Data(decoded)
    }

    init(bytes: Data) { self.bytes = bytes }

    /// The key as 40 characters of Z85.
    public var z85: String {
        var text = [CChar](repeating: 0, count: 41)
        let encoded = bytes.withUnsafeBytes { raw in
            zmq_z85_encode(&text, raw.bindMemory(to: UInt8.self).baseAddress, 32)
        }
        precondition(encoded != nil, "a 32-byte key always encodes")
        return String(decoding: text.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public var description: String { "<curve key>" }
}

/// A CURVE key pair (`zmq_curve_keypair`).
public struct ZMQCurveKeyPair: Sendable, Hashable {
    public let publicKey: ZMQCurveKey
    public let secretKey: ZMQCurveKey

    /// A new random key pair. Fails with ``ZMQError/Code/notSupported`` when libzmq was built
    /// without CURVE.
    public static func generate() throws(ZMQError) -> ZMQCurveKeyPair {
        var publicText = [CChar](repeating: 0, count: 41)
        var secretText = [CChar](repeating: 0, count: 41)
        guard zmq_curve_keypair(&publicText, &secretText) == 0 else { throw ZMQError.last(.setOption, subject: "zmq_curve_keypair") }
        let text = { (chars: [CChar]) in String(decoding: chars.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        return ZMQCurveKeyPair(publicKey: ZMQCurveKey(z85: text(publicText))!, secretKey: ZMQCurveKey(z85: text(secretText))!)
    }

    /// The pair of a secret key: its public key is derived (`zmq_curve_public`).
    public init(secretKey: ZMQCurveKey) throws(ZMQError) {
        var publicText = [CChar](repeating: 0, count: 41)
        guard zmq_curve_public(&publicText, secretKey.z85) == 0 else { throw ZMQError.last(.setOption, subject: "zmq_curve_public") }
        self.publicKey = ZMQCurveKey(z85: String(decoding: publicText.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self))!
        self.secretKey = secretKey
    }

    private init(publicKey: ZMQCurveKey, secretKey: ZMQCurveKey) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }
}

/// How a socket secures its connections.
public enum ZMQSecurity: Sendable, Hashable {
    /// CURVE server (`ZMQ_CURVE_SERVER`): plain (NULL) peers are refused by the handshake;
    /// which client keys are accepted is decided by the context's ``ZMQCurveAuthenticator``.
    /// Start that before binding: libzmq 4.3 without a ZAP handler accepts every client key
    /// (the option that would refuse instead, ZMQ_ZAP_ENFORCE_DOMAIN, is a draft API).
    case curveServer(secretKey: ZMQCurveKey)
    /// CURVE client: talks only to the server holding the secret key of `serverKey`.
    case curveClient(serverKey: ZMQCurveKey, pair: ZMQCurveKeyPair)

    func apply(to socket: UnsafeMutableRawPointer) throws(ZMQError) {
        switch self {
        case .curveServer(let secretKey):
            var one: Int32 = 1
            guard zmq_setsockopt(socket, ZMQ_CURVE_SERVER, &one, MemoryLayout<Int32>.size) == 0 else {
                throw ZMQError.last(.setOption, subject: "ZMQ_CURVE_SERVER")
            }
            try Self.setKey(socket, ZMQ_CURVE_SECRETKEY, "ZMQ_CURVE_SECRETKEY", secretKey)
            // A domain makes libzmq ask the ZAP handler about every connection.
            let domain = "raisedash"
            guard zmq_setsockopt(socket, ZMQ_ZAP_DOMAIN, domain, domain.utf8.count) == 0 else {
                throw ZMQError.last(.setOption, subject: "ZMQ_ZAP_DOMAIN")
            }
        case .curveClient(let serverKey, let pair):
            try Self.setKey(socket, ZMQ_CURVE_SERVERKEY, "ZMQ_CURVE_SERVERKEY", serverKey)
            try Self.setKey(socket, ZMQ_CURVE_PUBLICKEY, "ZMQ_CURVE_PUBLICKEY", pair.publicKey)
            try Self.setKey(socket, ZMQ_CURVE_SECRETKEY, "ZMQ_CURVE_SECRETKEY", pair.secretKey)
        }
    }

    private static func setKey(_ socket: UnsafeMutableRawPointer, _ option: Int32, _ name: String, _ key: ZMQCurveKey) throws(ZMQError) {
        let rc = key.bytes.withUnsafeBytes { zmq_setsockopt(socket, option, $0.baseAddress, 32) }
        guard rc == 0 else { throw ZMQError.last(.setOption, subject: name) }
    }
}

/// A ZAP handler (ZeroMQ RFC 27) for one context: accepts CURVE clients whose public key is in
/// an allow-list and refuses all others, before any of their frames reach a socket.
///
/// It binds `inproc://zeromq.zap.01` on the context and answers on a thread of its own (a
/// blocking REP socket); the thread ends when the context is terminated. Create it before the
/// context's CURVE server sockets bind. One per context.
public final class ZMQCurveAuthenticator: Sendable {
    /// A refused connection: the peer's address and the public key it presented.
    public struct Refusal: Sendable {
        public var address: String
        public var clientKey: ZMQCurveKey?
    }

    private let refused = Mutex(0)
    private let allowed: Set<ZMQCurveKey>

    /// Connections refused so far.
    public var refusedCount: Int { refused.withLock { $0 } }

    /// Binds the handler. `onRefusal` runs on the handler's thread for every refused connection.
    public init(
        context: ZMQContext, allowedClientKeys: Set<ZMQCurveKey>,
        onRefusal: @escaping @Sendable (Refusal) -> Void = { _ in }
    ) throws(ZMQError) {
        allowed = allowedClientKeys
        guard let raw = zmq_socket(context.handle.raw, ZMQ_REP) else { throw ZMQError.last(.createSocket) }
        var zero: Int32 = 0
        zmq_setsockopt(raw, ZMQ_LINGER, &zero, MemoryLayout<Int32>.size)
        guard zmq_bind(raw, "inproc://zeromq.zap.01") == 0 else {
            let error = ZMQError.last(.bind, subject: "inproc://zeromq.zap.01")
            zmq_close(raw)
            throw error
        }
        let socket = SocketPointer(raw: raw)
        let thread = Thread { [self] in
            serve(socket.raw, onRefusal: onRefusal)
        }
        thread.name = "zmq-zap"
        thread.start()
    }

    /// Answers requests until the context is terminated, then closes the socket.
    private func serve(_ socket: UnsafeMutableRawPointer, onRefusal: @Sendable (Refusal) -> Void) {
        defer { zmq_close(socket) }
        while let request = Self.receive(socket) {
            // version, request id, domain, address, identity, mechanism, credentials...
            guard request.count >= 6 else { continue }
            let mechanism = String(decoding: request[5], as: UTF8.self)
            let key = (mechanism == "CURVE" && request.count == 7 && request[6].count == 32) ? ZMQCurveKey(bytes: request[6]) : nil
            let accepted = key.map { allowed.contains($0) } ?? false
            if !accepted {
                refused.withLock { $0 += 1 }
                onRefusal(Refusal(address: String(decoding: request[3], as: UTF8.self), clientKey: key))
            }
            let reply: [Data] = [
                Data("1.0".utf8), request[1], Data((accepted ? "200" : "400").utf8),
                Data((accepted ? "OK" : "client key not allowed").utf8), Data(), Data(),
            ]
            for (index, frame) in reply.enumerated() {
                let flags = index < reply.count - 1 ? ZMQ_SNDMORE : 0
                let rc = frame.withUnsafeBytes { zmq_send(socket, $0.baseAddress, frame.count, flags) }
                if rc < 0 { return }
            }
        }
    }

    /// One multipart message; nil once the context is terminated.
    private static func receive(_ socket: UnsafeMutableRawPointer) -> [Data]? {
        var frames: [Data] = []
        while true {
            var message = zmq_msg_t()
            zmq_msg_init(&message)
            defer { zmq_msg_close(&message) }
            if zmq_msg_recv(&message, socket, 0) < 0 {
                if zmq_errno() == EINTR { continue }
                return nil
            }
            frames.append(Data(bytes: zmq_msg_data(&message), count: zmq_msg_size(&message)))
            if zmq_msg_more(&message) == 0 { return frames }
        }
    }
}
