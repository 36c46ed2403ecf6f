/// What every role shares: process-wide logging and metrics set-up, the HTTP listener with
/// `/healthz` and `/metrics`, and the watch on a supervising parent.
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import RaiseDashConfig
import ServiceLifecycle
import Synchronization

/// Process-wide set-up, done once by the executable before any role starts.
public enum Observability {
    /// The registry `/metrics` renders.
    public static let registry = PrometheusCollectorRegistry()

    private static let metricsBootstrap: Void = MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))

    /// Sends swift-metrics to `registry`. Once per process however often it is called: a test
    /// process hosts many roles, and swift-metrics allows a single bootstrap.
    public static func bootstrapMetrics() { metricsBootstrap }

    /// Bootstraps swift-log (stderr, the configured level) and swift-metrics (Prometheus).
    /// Returns the logger the role passes down.
    public static func bootstrap(label: String, level: Logger.Level) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        bootstrapMetrics()
        var logger = Logger(label: label)
        logger.logLevel = level
        return logger
    }
}

/// Whether a role is ready: `/healthz` answers 200 once every part has said so, 503 before.
public final class Readiness: Sendable {
    private let state = Mutex<[String: Bool]>([:])

    public init(parts: [String]) {
        state.withLock { state in for part in parts { state[part] = false } }
    }

    public func set(_ part: String, ready: Bool) {
        state.withLock { $0[part] = ready }
    }

    public var isReady: Bool { state.withLock { $0.values.allSatisfy { $0 } } }

    /// Whether `part` has said it is ready.
    public func isPartReady(_ part: String) -> Bool { state.withLock { $0[part] ?? false } }

    /// Parts not ready yet, sorted.
    public var waitingFor: [String] { state.withLock { $0.filter { !$0.value }.keys.sorted() } }
}

/// The HTTP listener every role runs: `/healthz`, `/metrics`, plus whatever routes the role adds.
public enum RoleHTTP {
    /// Builds the application. `routes` lets a role (the incident service) add its own.
    public static func application(
        role: String, host: String, port: Int, readiness: Readiness, logger: Logger,
        onRunning: (@Sendable (Int) async -> Void)? = nil,
        routes: (Router<BasicRequestContext>) -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = Router()
        // `/readyz` is the same answer under the name orchestrators expect for readiness.
        let health: @Sendable (Request, BasicRequestContext) async throws -> Response = { _, _ in
            let ready = readiness.isReady
            let body = ready ? #"{"status":"ok","role":"\#(role)"}"# :
                #"{"status":"starting","role":"\#(role)","waiting_for":[\#(readiness.waitingFor.map { "\"\($0)\"" }.joined(separator: ","))]}"#
            return Response(
                status: ready ? .ok : .serviceUnavailable,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        router.get("healthz", use: health)
        router.get("readyz", use: health)
        router.get("metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(bytes: Observability.registry.emitToBuffer())))
        }
        routes(router)
        return Application(
            responder: PeerAddressResponder(inner: router.buildResponder()),
            configuration: .init(address: .hostname(host, port: port), serverName: "raisedash-\(role)"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? port
                logger.info("http listening", metadata: ["http.host": "\(host)", "http.port": "\(port)"])
                await onRunning?(port)
            },
            logger: logger)
    }
}
