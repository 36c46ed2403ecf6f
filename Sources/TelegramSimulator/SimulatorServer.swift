import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

/// How a ``SimulatorServer`` is set up. The defaults are what `raisedash simulator` uses.
public struct SimulatorConfiguration: Sendable {
    /// The fixed test token the simulator accepts unless told otherwise. It is not a secret:
    /// it only opens this local simulator.
    public static let defaultToken = "123456:TEST-TOKEN-raisedash-simulator"
    public static let defaultPort = 8081
    public static let defaultBotUsername = "RaiseDashBot"

    /// Interface to listen on (127.0.0.1 by default: the control API has no authentication).
    public var host: String
    /// TCP port; 0 picks a free one (learn it with ``SimulatorServer/listeningPort()``).
    public var port: Int
    /// The bot token the Bot API side accepts; the digits before `:` are the bot's user id.
    public var token: String
    /// The bot's @username (without the @); Telegram requires it to end in "bot".
    public var botUsername: String
    /// The bot's display name.
    public var botFirstName: String
    /// Telegram's privacy mode: in groups a bot that is not an administrator receives only
    /// commands, replies to its own messages, mentions of it and service messages.
    public var privacyMode: Bool
    /// Flood limits; off by default, switchable at run time through the control API.
    public var limits: RateLimitSettings
    /// The simulated time for message dates, callback expiry and limits.
    public var clock: any SimulatorClock

    public init(
        host: String = "127.0.0.1",
        port: Int = SimulatorConfiguration.defaultPort,
        token: String = SimulatorConfiguration.defaultToken,
        botUsername: String = SimulatorConfiguration.defaultBotUsername,
        botFirstName: String = "RaiseDash",
        privacyMode: Bool = true,
        limits: RateLimitSettings = RateLimitSettings(),
        clock: any SimulatorClock = SystemClock()
    ) {
        self.host = host
        self.port = port
        self.token = token
        self.botUsername = botUsername
        self.botFirstName = botFirstName
        self.privacyMode = privacyMode
        self.limits = limits
        self.clock = clock
    }

    /// Whether ``token`` is the documented test token (safe to print).
    public var usesDefaultToken: Bool { token == Self.defaultToken }
}

extension SimulatorConfiguration: CustomStringConvertible {
    /// A description without the token.
    public var description: String {
        "SimulatorConfiguration(host: \(host), port: \(port), bot: @\(botUsername), privacyMode: \(privacyMode), limits: \(limits.enabled ? "on" : "off"))"
    }
}

/// Why the simulator could not start or stopped.
public struct SimulatorError: Error, CustomStringConvertible, Equatable {
    public let description: String

    init(_ description: String) {
        self.description = description
    }

    static let stoppedBeforeListening = SimulatorError("the simulator stopped before it was listening")
}

/// A local server that behaves like Telegram's Bot API for everything RaiseDash uses, with a
/// control API to act as group members and a chat page for people, all on one port.
///
/// ```swift
/// let server = try SimulatorServer(configuration: .init(port: 0), logger: logger)
/// try await withThrowingTaskGroup(of: Void.self) { group in
///     group.addTask { try await server.run() }
///     let port = try await server.listeningPort()
///     // Bot API at http://127.0.0.1:\(port)/bot<token>/<method>, control API under /control/
///     group.cancelAll()
/// }
/// ```
///
/// `run()` returns when its task is cancelled. When the listening socket closes (graceful
/// shutdown or cancellation) every pending long poll is answered at once, so shutdown never
/// waits for a 50-second getUpdates.
public struct SimulatorServer: Sendable {
    public let configuration: SimulatorConfiguration
    let simulation: Simulation
    private let logger: Logger
    private let listening = ListeningSignal()
    private let assets: PageAssets

    /// Prepares a simulator; throws if the token or bot username is malformed or the bundled
    /// Bot API spec cannot be read.
    public init(configuration: SimulatorConfiguration = SimulatorConfiguration(), logger: Logger) throws {
        let parts = configuration.token.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let botID = Int(parts[0]), botID > 0,
              !parts[1].isEmpty, parts[1].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" })
        else {
            throw SimulatorError("the token must look like <bot id>:<letters, digits, _ or ->")
        }
        guard SimulatorState.isValidUsername(configuration.botUsername),
              configuration.botUsername.lowercased().hasSuffix("bot")
        else {
            throw SimulatorError("the bot username must be 5-32 characters of a-z, 0-9 and _ and end in \"bot\"")
        }
        guard (0...65535).contains(configuration.port) else { throw SimulatorError("the port must be 0-65535") }
        let spec: BotAPISpec
        do {
            spec = try BotAPISpec.bundled()
        } catch {
            throw SimulatorError("cannot load the Bot API spec: \(error)")
        }
        self.configuration = configuration
        self.logger = logger
        self.assets = try PageAssets.bundled()
        let bot = SimulatedUser(id: botID, firstName: configuration.botFirstName, username: configuration.botUsername, isBot: true)
        simulation = Simulation(
            spec: spec, botUser: bot, privacyMode: configuration.privacyMode, limits: configuration.limits,
            clock: configuration.clock, logger: logger
        )
    }

    /// The bot's user id (the digits of the token before `:`).
    public var botID: Int { simulation.withState { state, _ in state.botUser.id } }

    /// The Bot API version of the bundled spec the simulator checks requests against.
    public var botAPIVersion: String { simulation.spec.version }

    /// Serves until the surrounding task is cancelled (then returns) or the server fails (then throws).
    public func run() async throws {
        let routes = SimulatorRoutes(
            simulation: simulation, token: configuration.token, assets: assets, logger: logger
        )
        let simulation = self.simulation
        let listening = self.listening
        let logger = self.logger
        let host = configuration.host
        // Hummingbird logs an error ("Waiting on child channel: CancellationError") when its task
        // is cancelled, which is how this server is meant to stop; its other problems surface
        // as thrown errors, so its own log is kept to critical messages.
        var frameworkLogger = logger
        frameworkLogger.logLevel = .critical
        let application = Application(
            responder: CallbackResponder<BasicRequestContext> { request, _ in await routes.respond(to: request) },
            configuration: ApplicationConfiguration(address: .hostname(host, port: configuration.port)),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("Telegram simulator listening", metadata: [
                    "address": "http://\(host):\(port)", "bot": "@\(simulation.withState { state, _ in state.botUser.username ?? "" })",
                ])
                channel.closeFuture.whenComplete { _ in simulation.shutDown() }
                listening.fulfil(port)
            },
            logger: frameworkLogger
        )
        // Stopped by a graceful shutdown even when our task is cancelled: cancelling a
        // Hummingbird server's task can trap in NIO ("Deinited NIOAsyncWriter without calling
        // finish()") if a connection is being accepted at that moment (apple/swift-nio#2813).
        // The service group runs in a task shielded from our cancellation and awaited here.
        let services = ServiceGroup(
            configuration: .init(services: [application], gracefulShutdownSignals: [], logger: frameworkLogger))
        let serving = Task.detached { try await services.run() }
        do {
            try await withTaskCancellationHandler {
                try await serving.value
            } onCancel: {
                // Long polls would hold the graceful shutdown open: answer them now.
                simulation.shutDown()
                // Short-lived: it only asks the group to stop; `serving` is awaited above.
                Task { await services.triggerGracefulShutdown() }
            }
        } catch {
            simulation.shutDown()
            listening.fail(SimulatorError("the simulator could not serve: \(error)"))
            if Task.isCancelled { return }
            throw error
        }
        simulation.shutDown()
        listening.fail(.stoppedBeforeListening)
    }

    /// The TCP port the server listens on, once it does (waits for ``run()`` to bind).
    public func listeningPort() async throws -> Int {
        try await listening.wait()
    }

    /// Answers every pending long poll now and makes new ones return at once; call it when
    /// a graceful shutdown begins if the listening socket stays open for a while.
    public func endLongPolls() {
        simulation.shutDown()
    }
}

/// Tells waiters the port once the server listens, or why it never will.
final class ListeningSignal: Sendable {
    private enum State {
        case waiting([UInt64: CheckedContinuation<Int, any Error>], nextID: UInt64)
        case listening(Int)
        case failed(SimulatorError)
    }

    private let state = Mutex(State.waiting([:], nextID: 1))

    func fulfil(_ port: Int) {
        let waiters = state.withLock { state -> [CheckedContinuation<Int, any Error>] in
            guard case .waiting(let waiters, _) = state else { return [] }
            state = .listening(port)
            return Array(waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: port) }
    }

    func fail(_ error: SimulatorError) {
        let waiters = state.withLock { state -> [CheckedContinuation<Int, any Error>] in
            switch state {
            case .waiting(let waiters, _):
                state = .failed(error)
                return Array(waiters.values)
            case .listening:
                state = .failed(error)
                return []
            case .failed:
                return []
            }
        }
        for waiter in waiters { waiter.resume(throwing: error) }
    }

    func wait() async throws -> Int {
        let id = state.withLock { state -> UInt64 in
            guard case .waiting(let waiters, let nextID) = state else { return 0 }
            state = .waiting(waiters, nextID: nextID + 1)
            return nextID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int, any Error>) in
                let outcome = state.withLock { state -> Result<Int, any Error>? in
                    switch state {
                    case .listening(let port): return .success(port)
                    case .failed(let error): return .failure(error)
                    case .waiting(var waiters, let nextID):
                        if Task.isCancelled { return .failure(CancellationError()) }
                        waiters[id] = continuation
                        state = .waiting(waiters, nextID: nextID)
                        return nil
                    }
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Int, any Error>? in
                guard case .waiting(var waiters, let nextID) = state, let waiter = waiters.removeValue(forKey: id) else { return nil }
                state = .waiting(waiters, nextID: nextID)
                return waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }
}

extension SimulatorServer: CustomStringConvertible {
    /// A short description without the token.
    public var description: String { "SimulatorServer(\(configuration))" }
}
