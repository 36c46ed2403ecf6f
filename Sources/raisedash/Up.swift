import ArgumentParser
import Foundation
import Logging
import RaiseDashConfig
import RoleSupport
import ServiceLifecycle
import Supervisor
import TelegramSimulator

/// `raisedash up`: all four roles on this machine, as child processes of this binary.
struct Up: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Run all four roles on this machine as supervised child processes.",
        discussion: """
            Starts gateway, incidents, sender and scheduler as child processes of this binary, \
            prefixes and forwards their output, restarts a child that dies (backing off from \
            0.5 s to 30 s), and on Ctrl-C or SIGTERM stops them all. Children also stop on \
            their own if this process dies.

            Without TELEGRAM_BOT_TOKEN it also starts the Telegram simulator on \
            RAISEDASH_SIMULATOR_PORT with a demo company (Dispatch, Maintenance, Safety, Billing), \
            an activated demo group and demo people, and prints the chat page's and the admin \
            API's addresses.

            With RAISEDASH_CURVE_KEYS_DIR (the directory of `raisedash keys generate`) the bus \
            runs with CURVE: each child gets its own role's key files from that directory.
            """)

    @OptionGroup var common: CommonOptions

    @Option(name: .long, help: ArgumentHelp(
        "Seconds children get to stop after SIGTERM before they are killed.", valueName: "seconds"))
    var gracePeriod: Double = 8

    func validate() throws {
        guard gracePeriod > 0, gracePeriod <= 60 else {
            throw ValidationError("--grace-period must be between 0 and 60 seconds, got \(gracePeriod)")
        }
    }

    func run() async throws {
        let settings = try await common.settings()
        let keyEnvironment = try Self.keyEnvironments(settings)
        let logger = Observability.bootstrap(label: "raisedash.up", level: settings.logLevel)
        let executable = try selfExecutable()
        let roles = ["incidents", "scheduler", "sender", "gateway"]
        var environment: [String: String] = [:]
        var children: [ChildSpec] = []
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if settings.botToken == nil {
            // No token: run on the simulator with a demo world, so anyone can try the bot.
            let port = settings.simulatorPort
            let adminToken = settings.adminAPIToken?.value ?? Self.generatedToken()
            // The demo world lives in a database of its own: demo data never goes into the
            // configured DATABASE_PATH, which a later run with a token will use.
            let demoDatabase = Self.demoDatabasePath(for: settings.databasePath)
            environment = [
                "TELEGRAM_API_BASE_URL": "http://127.0.0.1:\(port)",
                "TELEGRAM_BOT_TOKEN": SimulatorConfiguration.defaultToken,
                "ADMIN_API_TOKEN": adminToken,
                "DATABASE_PATH": demoDatabase,
            ]
            logger.notice("demo run: using its own database", metadata: ["database.path": "\(demoDatabase)"])
            children.append(ChildSpec(
                name: "simulator", executable: executable, arguments: ["simulator", "--port", "\(port)"]))
            let demo = DemoWorld(
                simulator: URL(string: "http://127.0.0.1:\(port)/")!,
                admin: URL(string: "http://127.0.0.1:\(settings.httpPort)/")!,
                adminToken: adminToken, logger: logger)
            services.append(.init(service: DemoService(
                demo: demo, logger: logger,
                banner: """

                    RaiseDash is running on the Telegram simulator (no TELEGRAM_BOT_TOKEN set).
                      Chat page:  http://127.0.0.1:\(port)/   (act as the demo group's members)
                      Admin API:  http://127.0.0.1:\(settings.httpPort)/api/v1   Authorization: Bearer \(settings.adminAPIToken == nil ? adminToken + "  (generated for this run; set ADMIN_API_TOKEN to choose)" : "$ADMIN_API_TOKEN")
                      OpenAPI:    http://127.0.0.1:\(settings.httpPort)/api/openapi.yaml
                      Dashboard:  http://127.0.0.1:\(settings.httpPort)/dashboard   log in with the demo company key (Demo Logistics only; the admin token opens every company):
                        DEMO_KEY
                      Database:   \(Self.demoDatabasePath(for: settings.databasePath))   (the demo's own; DATABASE_PATH is left alone)
                    Try it: in the chat page, as Ann, reply /new_issue to a message. Ctrl-C stops everything.

                    """)))
        }
        if let directory = settings.curveKeysDirectory {
            logger.notice("bus: CURVE with the keys in RAISEDASH_CURVE_KEYS_DIR", metadata: ["keys.directory": "\(directory)"])
        }
        children += roles.map { role in
            ChildSpec(
                name: role, executable: executable, arguments: [role, "--env-file", common.envFile],
                environment: environment.merging(keyEnvironment[role] ?? [:]) { _, key in key })
        }
        let supervisor = Supervisor(
            children: children, gracePeriod: .milliseconds(Int(gracePeriod * 1000)), logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: supervisor)] + services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        logger.info("starting roles", metadata: ["roles": "\(children.map(\.name).joined(separator: ","))"])
        try await group.run()
    }

    /// Each role's `RAISEDASH_CURVE_*` variables, from RAISEDASH_CURVE_KEYS_DIR; empty without it
    /// (plain links). The per-role key variables cannot serve four children (each role has its
    /// own secret key), so up refuses them with one line; so it does a directory that lacks a
    /// role's file, instead of starting a child that fails over and over.
    static func keyEnvironments(_ settings: Settings) throws -> [String: [String: String]] {
        do throws(SettingsError) {
            return try BusKeys.childEnvironments(for: settings)
        } catch {
            FileHandle.standardError.write(Data("raisedash: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    /// `raisedash-demo.db` next to the configured database.
    static func demoDatabasePath(for databasePath: String) -> String {
        URL(fileURLWithPath: databasePath).deletingLastPathComponent().appendingPathComponent("raisedash-demo.db").path
    }

    /// A random admin token for a demo run (long enough for the incident service's minimum).
    static func generatedToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<40).map { _ in String("abcdefghijkmnpqrstuvwxyz23456789".randomElement(using: &generator)!) }.joined()
    }

    /// The path of this binary, so children run the same build.
    private func selfExecutable() throws -> String {
        let path = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        if FileManager.default.isExecutableFile(atPath: path) { return path }
        if let arg0 = CommandLine.arguments.first, FileManager.default.isExecutableFile(atPath: arg0) { return arg0 }
        throw ValidationError("cannot find the raisedash executable to start the roles")
    }
}

/// Builds the demo world once the services are up, prints where to go, then waits.
struct DemoService: Service {
    let demo: DemoWorld
    let logger: Logger
    let banner: String

    func run() async throws {
        do {
            let key = try await cancelWhenGracefulShutdown { try await demo.build() }
            FileHandle.standardOutput.write(Data(banner.replacingOccurrences(of: "DEMO_KEY", with: key).utf8))
        } catch is CancellationError {
            return
        } catch {
            logger.error("could not set up the demo world", metadata: ["error": "\(error)"])
        }
        try? await gracefulShutdown()
    }
}
