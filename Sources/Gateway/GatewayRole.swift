/// The gateway role: the only process that reads from Telegram. It turns updates into
/// normalized `InboundEvent`s for the incident service and confirms an update to Telegram only
/// after the incident service acknowledged it.
import Foundation
import Logging
import RaiseDashConfig
import RoleSupport
import ServiceLifecycle
import WireProtocol
import ZeroMQ

public struct GatewayRole: Service {
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
        try await incidents.connect(settings.inboundEndpoint.value)
        readiness.set("bus", ready: true)
        logger.info("ready", metadata: ["bus.inbound": "\(settings.inboundEndpoint)"])
        try? await gracefulShutdown()
        await context.terminate()
    }
}
