/// The incident service role: owns the store and the state machine, decides, records, and
/// emits intents; serves the admin API and dashboard over HTTP.
import Foundation
import Logging
import RaiseDashConfig
import RoleSupport
import ServiceLifecycle
import WireProtocol
import ZeroMQ

public struct IncidentsRole: Service {
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
        do {
            let inbound = try context.socket(.router, options: Bus.socketOptions())
            let intents = try context.socket(.router, options: Bus.socketOptions(routerMandatory: true))
            let ticks = try context.socket(.sub, options: Bus.socketOptions())
            let inboundAt = try await inbound.bind(settings.bindAddress(for: settings.inboundEndpoint))
            let intentsAt = try await intents.bind(settings.bindAddress(for: settings.intentsEndpoint))
            try await ticks.subscribe(to: "")
            try await ticks.connect(settings.ticksEndpoint.value)
            readiness.set("bus", ready: true)
            logger.info("ready", metadata: [
                "bus.inbound": "\(inboundAt)", "bus.intents": "\(intentsAt)", "bus.ticks": "\(settings.ticksEndpoint)",
            ])
            try await cancelWhenGracefulShutdown {
                for try await message in ticks.messages {
                    guard let received = Bus.receive(message, routingFrames: 0, socket: "ticks", logger: logger) else { continue }
                    do throws(FrameError) {
                        let tick = try received.decode(SLATick.self)
                        logger.debug("tick", metadata: ["tick.sequence": "\(tick.payload.sequence)"])
                    } catch {
                        Bus.drop(error, socket: "ticks", logger: logger)
                    }
                }
            }
        } catch is CancellationError {
        } catch {
            await context.terminate()
            throw error
        }
        await context.terminate()
    }
}
