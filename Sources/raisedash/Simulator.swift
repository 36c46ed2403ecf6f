import ArgumentParser
import Foundation
import Logging
import RaiseDashConfig
import RoleSupport
import ServiceLifecycle
import TelegramSimulator

/// `raisedash simulator`: a local server that behaves like Telegram's Bot API, with a control
/// API and a chat page (docs/simulator.md).
struct SimulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulator",
        abstract: "Run a local server that behaves like Telegram's Bot API, for tests and demos.",
        discussion: """
            Serves the Bot API at /bot<token>/<method>, the control API at /control/ and the chat \
            page at / on one port. Point the bot at it with \
            TELEGRAM_API_BASE_URL=http://127.0.0.1:<port> and TELEGRAM_BOT_TOKEN=<token>. The \
            control API has no authentication: keep --host on a loopback address.
            """)

    @Option(name: .long, help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(name: .long, help: "TCP port to listen on (0 picks a free one).")
    var port: Int = SimulatorConfiguration.defaultPort

    @Option(name: .long, help: ArgumentHelp(
        "The bot token the simulator accepts. The default is a fixed, documented test token (not a secret).",
        valueName: "token"))
    var token: String = SimulatorConfiguration.defaultToken

    @Option(name: .long, help: "The bot's @username, without the @ (must end in \"bot\").")
    var botUsername: String = SimulatorConfiguration.defaultBotUsername

    @Flag(name: .long, help: "Enforce Telegram's flood limits from the start (answer 429 with retry_after).")
    var enforceLimits: Bool = false

    @Option(name: .long, help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0-65535, got \(port)") }
        guard Logger.Level(rawValue: logLevel.lowercased()) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    func run() async throws {
        let logger = Observability.bootstrap(label: "raisedash.simulator", level: Logger.Level(rawValue: logLevel.lowercased()) ?? .info)
        var limits = RateLimitSettings()
        limits.enabled = enforceLimits
        let configuration = SimulatorConfiguration(
            host: host, port: port, token: token, botUsername: botUsername, limits: limits)
        let server: SimulatorServer
        do {
            server = try SimulatorServer(configuration: configuration, logger: logger)
        } catch {
            FileHandle.standardError.write(Data("raisedash simulator: \(error)\n".utf8))
            throw ExitCode(2)
        }
        if configuration.usesDefaultToken {
            logger.info("test token (documented, not a secret): \(SimulatorConfiguration.defaultToken)")
        }
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: SimulatorService(server: server)),
                    .init(service: ParentWatch(logger: logger), successTerminationBehavior: .gracefullyShutdownGroup),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        try await group.run()
        logger.info("stopped", metadata: ["role": "simulator"])
    }
}

/// Runs the simulator until graceful shutdown.
struct SimulatorService: Service {
    let server: SimulatorServer

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await cancelWhenGracefulShutdown { try await server.run() }
        } onGracefulShutdown: {
            server.endLongPolls()
        }
    }
}
