import Foundation
import Logging
import Metrics
import RaiseDashConfig
import ZeroMQ

/// CURVE on the bus (docs/operations.md, "Bus keys"): with `RAISEDASH_CURVE_*` set, binding
/// sockets are CURVE servers that accept only allow-listed client keys, and connecting sockets
/// are CURVE clients that trust only the configured server key. Without them, plain links.
extension Bus {
    /// A key read from settings that libzmq does not take (settings checked it already, so
    /// this only happens with a libzmq built without CURVE).
    public struct KeyError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Starts the context's ZAP handler with the allow-list of `keys`; call once per context,
    /// before its server sockets bind. Every refused connection is logged (address and the
    /// client's public key, never a secret) and counted in `raisedash_bus_refused_peers_total`.
    /// Nil without keys.
    @discardableResult
    public static func startAuthenticator(
        _ keys: BusKeys?, context: ZMQContext, role: String, logger: Logger
    ) throws -> ZMQCurveAuthenticator? {
        guard let keys else { return nil }
        let allowed = Set(try (keys.allowedClientKeys ?? []).map { text in
            guard let key = ZMQCurveKey(z85: text) else { throw KeyError(description: "an allowed client key is not a CURVE key") }
            return key
        })
        let refused = Counter(label: "raisedash_bus_refused_peers_total", dimensions: [("role", role)])
        return try ZMQCurveAuthenticator(context: context, allowedClientKeys: allowed) { refusal in
            refused.increment()
            logger.warning("refused a bus peer whose key is not allowed", metadata: [
                "peer.address": "\(refusal.address)",
                "peer.public_key": "\(refusal.clientKey?.z85 ?? "none")",
            ])
        }
    }

    /// The security of a binding socket; nil without keys.
    public static func serverSecurity(_ keys: BusKeys?) throws -> ZMQSecurity? {
        guard let keys else { return nil }
        return .curveServer(secretKey: try secretKey(keys))
    }

    /// The security of a connecting socket to the server whose public key is `serverKey`
    /// (e.g. `\.incidentsPublicKey`); nil without keys.
    public static func clientSecurity(_ keys: BusKeys?, server serverKey: KeyPath<BusKeys, String?>) throws -> ZMQSecurity? {
        guard let keys else { return nil }
        guard let text = keys[keyPath: serverKey], let server = ZMQCurveKey(z85: text) else {
            throw KeyError(description: "the server's public key is missing or not a CURVE key")
        }
        return .curveClient(serverKey: server, pair: try ZMQCurveKeyPair(secretKey: try secretKey(keys)))
    }

    private static func secretKey(_ keys: BusKeys) throws -> ZMQCurveKey {
        guard let key = ZMQCurveKey(z85: keys.secretKey.value) else { throw KeyError(description: "the secret key is not a CURVE key") }
        return key
    }
}
