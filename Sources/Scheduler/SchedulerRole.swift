/// The scheduler role: the clock. It publishes an `SLATick` every
/// REMINDER_CHECK_INTERVAL_MINUTES and owns no state: deadlines live in the incident
/// service's database, so a lost tick is harmless and a restart repeats nothing.
import Foundation
import Logging
import Metrics
import RaiseDashConfig
import RoleSupport
import ServiceLifecycle
import WireProtocol
import ZeroMQ

public struct SchedulerRole: Service {
    public static let readinessParts = ["ticks"]

    let settings: Settings
    let logger: Logger
    let readiness: Readiness
    let now: @Sendable () -> Date

    public init(settings: Settings, logger: Logger, readiness: Readiness, now: @escaping @Sendable () -> Date = Date.init) {
        self.settings = settings
        self.logger = logger
        self.readiness = readiness
        self.now = now
    }

    public func run() async throws {
        let context = try ZMQContext()
        try Bus.startAuthenticator(settings.busKeys, context: context, role: "scheduler", logger: logger)
        let publisher = try context.socket(.pub, options: Bus.socketOptions(security: try Bus.serverSecurity(settings.busKeys)))
        let address = settings.bindAddress(for: settings.ticksEndpoint)
        do {
            let bound = try await publisher.bind(address)
            readiness.set("ticks", ready: true)
            logger.info("ready", metadata: ["bus.ticks": "\(bound)", "tick.interval.seconds": "\(settings.reminderCheckInterval)"])
            let ticks = Counter(label: "raisedash_scheduler_ticks_total")
            try await cancelWhenGracefulShutdown {
                var sequence: Int64 = 0
                while !Task.isCancelled {
                    try await Task.sleep(for: .seconds(settings.reminderCheckInterval))
                    sequence += 1
                    let at = now()
                    try await Bus.send(
                        Envelope(type: .slaTick, sender: .scheduler, time: at, payload: SLATick(sequence: sequence, at: at)),
                        on: publisher)
                    ticks.increment()
                    logger.debug("tick", metadata: ["tick.sequence": "\(sequence)"])
                }
            }
        } catch is CancellationError {
            // Graceful shutdown.
        } catch {
            logger.error("scheduler failed", metadata: ["error": "\(error)"])
            await context.terminate()
            throw error
        }
        await context.terminate()
    }
}
