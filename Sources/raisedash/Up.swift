import ArgumentParser
import Foundation
import Logging
import RaiseDashConfig
import RoleSupport
import ServiceLifecycle
import Supervisor

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
        let logger = Observability.bootstrap(label: "raisedash.up", level: settings.logLevel)
        let executable = try selfExecutable()
        let roles = ["incidents", "scheduler", "sender", "gateway"]
        let children = roles.map { role in
            ChildSpec(name: role, executable: executable, arguments: [role, "--env-file", common.envFile])
        }
        let supervisor = Supervisor(
            children: children, gracePeriod: .milliseconds(Int(gracePeriod * 1000)), logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: supervisor)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        logger.info("starting roles", metadata: ["roles": "\(roles.joined(separator: ","))"])
        try await group.run()
    }

    /// The path of this binary, so children run the same build.
    private func selfExecutable() throws -> String {
        let path = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        if FileManager.default.isExecutableFile(atPath: path) { return path }
        if let arg0 = CommandLine.arguments.first, FileManager.default.isExecutableFile(atPath: arg0) { return arg0 }
        throw ValidationError("cannot find the raisedash executable to start the roles")
    }
}
