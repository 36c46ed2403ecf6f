/// The sender role: the only process that writes to Telegram. It takes outbound intents from
/// the incident service, paces every call inside Telegram's limits and reports each result.
import Foundation
import Logging
import RaiseDashConfig
import RoleSupport
import ServiceLifecycle
import WireProtocol
import ZeroMQ

public struct SenderRole: Service {
    public static let readinessParts = ["bus"]

    let settings: Settings
    let logger: Logger
    let readiness: Readiness

    public init(settings: Settings, logger: Logger, readiness: Readiness) {
        self.settings = settings
        self.logger = logger
        self.readiness = readiness
    }

    public func run() async throws {
        let context = try ZMQContext()
        let incidents = try context.socket(.dealer, options: Bus.socketOptions())
        try await incidents.connect(settings.intentsEndpoint.value)
        readiness.set("bus", ready: true)
        logger.info("ready", metadata: ["bus.intents": "\(settings.intentsEndpoint)"])
        try? await gracefulShutdown()
        await context.terminate()
    }
}
