import ArgumentParser
import Foundation
import Gateway
import Hummingbird
import IncidentService
import Logging
import RaiseDashConfig
import RoleSupport
import Scheduler
import Sender
import ServiceLifecycle

/// The root command. The executable only assembles modules.
@main
struct RaiseDash: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raisedash",
        abstract: "Incident management for logistics teams, run from their Telegram groups.",
        discussion: """
            RaiseDash runs as four processes that talk over ZeroMQ: gateway (reads Telegram), \
            incidents (state machine, store, admin API), sender (writes to Telegram within its \
            limits) and scheduler (SLA ticks). `raisedash up` runs all four on one machine.

            Settings come from the environment, then a .env file in the working directory, then \
            defaults; config/raisedash.env.example lists every variable.
            """,
        subcommands: [Up.self, GatewayCommand.self, IncidentsCommand.self, SenderCommand.self, SchedulerCommand.self, SimulatorCommand.self, KeysCommand.self, AdminCommand.self]
    )
}

/// Options every role shares.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "A KEY=VALUE file read after the environment (the environment wins).", valueName: "path"))
    var envFile: String = ".env"

    /// Loads and validates settings; on an invalid value prints one line and exits 2.
    func settings() async throws -> Settings {
        do {
            return try await Settings.load(envFile: envFile)
        } catch let error as SettingsError {
            FileHandle.standardError.write(Data("raisedash: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}

/// Runs one role: logging, metrics, the role's HTTP listener, the parent watch, and the role
/// itself in one ServiceGroup that shuts down gracefully on SIGTERM and SIGINT.
func runRole(
    _ name: String, httpPort: Int, settings: Settings, readinessParts: [String],
    makeRole: (Logger, Readiness) throws -> any Service,
    routes: (any Service) -> (Router<BasicRequestContext>) -> Void = { _ in { _ in } }
) async throws {
    let logger = Observability.bootstrap(label: "raisedash.\(name)", level: settings.logLevel)
    let readiness = Readiness(parts: readinessParts)
    let role: any Service
    do {
        role = try makeRole(logger, readiness)
    } catch {
        FileHandle.standardError.write(Data("raisedash \(name): cannot start: \(error)\n".utf8))
        throw ExitCode(1)
    }
    let http = RoleHTTP.application(
        role: name, host: settings.httpHost, port: httpPort, readiness: readiness, logger: logger,
        routes: routes(role))
    let group = ServiceGroup(
        configuration: .init(
            services: [
                .init(service: role, successTerminationBehavior: .gracefullyShutdownGroup),
                .init(service: http),
                .init(service: ParentWatch(logger: logger), successTerminationBehavior: .gracefullyShutdownGroup),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
    logger.info("starting", metadata: ["role": "\(name)", "pid": "\(ProcessInfo.processInfo.processIdentifier)"])
    try await group.run()
    logger.info("stopped", metadata: ["role": "\(name)"])
}

struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Poll Telegram and publish normalized updates to the incident service.",
        discussion: """
            The only process that reads from Telegram (long polling). It confirms an update to \
            Telegram only after the incident service acknowledged it. Connects to \
            RAISEDASH_INBOUND_ENDPOINT; serves /healthz and /metrics on RAISEDASH_GATEWAY_HTTP_PORT.
            """)
    @OptionGroup var common: CommonOptions

    func run() async throws {
        let settings = try await common.settings()
        try requireBotToken("gateway", settings)
        try requireBusKeys(.gateway, settings)
        try await runRole("gateway", httpPort: settings.gatewayHTTPPort, settings: settings, readinessParts: GatewayRole.readinessParts) {
            GatewayRole(settings: settings, logger: $0, readiness: $1)
        }
    }
}

struct IncidentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "incidents",
        abstract: "Own the store and the incident state machine; serve the admin API.",
        discussion: """
            Binds RAISEDASH_INBOUND_ENDPOINT (events from the gateway) and \
            RAISEDASH_INTENTS_ENDPOINT (intents to the sender), subscribes to \
            RAISEDASH_TICKS_ENDPOINT, keeps DATABASE_PATH, and serves the admin API, /healthz \
            and /metrics on HTTP_PORT.
            """)
    @OptionGroup var common: CommonOptions

    func run() async throws {
        let settings = try await common.settings()
        try requireStrongAdminToken(settings)
        try requireBusKeys(.incidents, settings)
        try await runRole(
            "incidents", httpPort: settings.httpPort, settings: settings, readinessParts: IncidentsRole.readinessParts,
            makeRole: {
                try IncidentsRole(settings: settings, logger: $0, readiness: $1, now: OffsetClock.now(path: settings.clockOffsetFile))
            },
            routes: { role in
                guard let role = role as? IncidentsRole else { return { _ in } }
                let admin = AdminAPI(
                    store: role.store, token: settings.adminAPIToken, logger: role.logger,
                    now: OffsetClock.now(path: settings.clockOffsetFile))
                let dashboard = makeDashboard(role, settings)
                return { router in
                    admin.addRoutes(to: router)
                    dashboard.addRoutes(to: router)
                }
            })
    }
}

struct SenderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sender",
        abstract: "Make every Telegram call inside Telegram's rate limits and report results.",
        discussion: """
            Connects to RAISEDASH_INTENTS_ENDPOINT; paces calls by SENDER_GLOBAL_PER_SECOND, \
            SENDER_GROUP_PER_MINUTE, SENDER_CHAT_PER_SECOND and SENDER_CHAT_BURST; serves \
            /healthz and /metrics on RAISEDASH_SENDER_HTTP_PORT.
            """)
    @OptionGroup var common: CommonOptions

    func run() async throws {
        let settings = try await common.settings()
        try requireBotToken("sender", settings)
        try requireBusKeys(.sender, settings)
        try await runRole("sender", httpPort: settings.senderHTTPPort, settings: settings, readinessParts: SenderRole.readinessParts) {
            SenderRole(settings: settings, logger: $0, readiness: $1)
        }
    }
}

struct SchedulerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scheduler",
        abstract: "Publish SLA ticks every REMINDER_CHECK_INTERVAL_MINUTES.",
        discussion: """
            Owns no state: deadlines live in the incident service's database, so a lost tick is \
            harmless. Binds RAISEDASH_TICKS_ENDPOINT; serves /healthz and /metrics on \
            RAISEDASH_SCHEDULER_HTTP_PORT.
            """)
    @OptionGroup var common: CommonOptions

    func run() async throws {
        let settings = try await common.settings()
        try requireBusKeys(.scheduler, settings)
        try await runRole("scheduler", httpPort: settings.schedulerHTTPPort, settings: settings, readinessParts: SchedulerRole.readinessParts) {
            SchedulerRole(settings: settings, logger: $0, readiness: $1, now: OffsetClock.now(path: settings.clockOffsetFile))
        }
    }
}
