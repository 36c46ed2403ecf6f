/// The gateway role: the only process that reads from Telegram. It turns updates into
/// normalized `InboundEvent`s for the incident service and confirms an update to Telegram only
/// after the incident service acknowledged it.
import Foundation
import Logging
import RaiseDashConfig
import RoleSupport
import ServiceLifecycle
import TelegramBotAPI
import WireProtocol
import ZeroMQ

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The gateway: long-polls Telegram and delivers each update the incident service handles as
/// an `inbound_event` on a DEALER connected to the inbound endpoint.
///
/// - At start: `getMe` (the bot's id and username; 401 stops the role with a ``GatewayError``),
///   `deleteWebhook`, `setMyCommands`. Failures that may pass (5xx, network) are retried with
///   backoff; the role is ready once `getMe` succeeded.
/// - Polling: `getUpdates` (timeout 50 s; message, callback_query, my_chat_member). Each update
///   is normalized (``UpdateNormalizer``); events are sent and kept until their `ack` arrives,
///   and sent again (same envelope id) after ``GatewayConfiguration/ackTimeout``. The offset
///   moves only past a contiguous run of acknowledged or skipped updates; while
///   ``GatewayConfiguration/maxInFlight`` updates are held, polling stops and Telegram keeps the
///   rest. A poll is made when nothing is held, when the offset moved, or when the last poll
///   came back full; so a held update never makes the gateway poll in a loop.
/// - 409, 5xx, network failures and timeouts: exponential backoff with jitter; 401: stop.
public struct GatewayRole: Service {
    /// `bus`: connected to the inbound endpoint; `telegram`: `getMe` answered (or no token).
    public static let readinessParts = ["bus", "telegram"]

    let configuration: GatewayConfiguration
    let client: BotAPIClient?
    let missingClientReason: String
    /// A token is set but is not a bot token: the role stops at once, like on a 401.
    let invalidToken: Bool
    let inboundEndpoint: String
    /// RAISEDASH_CURVE_* keys; nil: a plain link.
    var busKeys: BusKeys?
    let logger: Logger
    let readiness: Readiness

    /// The role as the executable runs it. Without a token it stays up idle after one warning.
    public init(settings: Settings, logger: Logger, readiness: Readiness) {
        let configuration = GatewayConfiguration()
        var invalidToken = false
        var client: BotAPIClient?
        if let secret = settings.botToken {
            if let token = BotToken(secret.value) {
                client = BotAPIClient(
                    baseURL: settings.telegramAPIBaseURL, token: token, session: Self.makeSession(),
                    requestTimeout: configuration.requestTimeout, logger: logger)
            } else {
                invalidToken = true
            }
        }
        self.init(
            configuration: configuration, client: client, inboundEndpoint: settings.inboundEndpoint.value,
            logger: logger, readiness: readiness, missingClientReason: "TELEGRAM_BOT_TOKEN is not set", invalidToken: invalidToken)
        busKeys = settings.busKeys
    }

    /// A role with an explicit configuration and client (tests, benchmarks). `client == nil`
    /// runs it idle, as without a token.
    public init(
        configuration: GatewayConfiguration, client: BotAPIClient?, inboundEndpoint: String, logger: Logger,
        readiness: Readiness
    ) {
        self.init(
            configuration: configuration, client: client, inboundEndpoint: inboundEndpoint, logger: logger,
            readiness: readiness, missingClientReason: "no Bot API client configured", invalidToken: false)
    }

    private init(
        configuration: GatewayConfiguration, client: BotAPIClient?, inboundEndpoint: String, logger: Logger,
        readiness: Readiness, missingClientReason: String, invalidToken: Bool
    ) {
        self.invalidToken = invalidToken
        self.configuration = configuration
        self.client = client
        self.inboundEndpoint = inboundEndpoint
        self.logger = logger
        self.readiness = readiness
        self.missingClientReason = missingClientReason
    }

    /// A session of its own without a URL cache: on Linux, cancelling a task of a session with
    /// a cache (the long poll, at shutdown) can trap in FoundationNetworking ("Trying to access
    /// a behaviour for a task that in not in the registry"), and Bot API answers are never
    /// cached anyway.
    public static func makeSession() -> URLSession {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        return URLSession(configuration: configuration)
    }

    public func run() async throws {
        if invalidToken {
            logger.error("\(GatewayError.invalidToken.description)")
            throw GatewayError.invalidToken
        }
        let context = try ZMQContext()
        do {
            var options = Bus.socketOptions(connects: true, security: try Bus.clientSecurity(busKeys, server: \.incidentsPublicKey))
            // Queue events only to a live connection, and give up a send after a while: an
            // event that could not be handed over stays pending and is tried again, instead of
            // piling up copies in a queue to an incident service that is down.
            options.immediate = true
            options.sendTimeout = configuration.busSendTimeout
            let socket = try context.socket(.dealer, options: options)
            try await socket.connect(inboundEndpoint)
            readiness.set("bus", ready: true)
            guard let client else {
                readiness.set("telegram", ready: true)
                logger.warning("\(missingClientReason): the gateway cannot read from Telegram and stays idle")
                logger.info("ready", metadata: ["bus.inbound": "\(inboundEndpoint)", "telegram": "none"])
                try? await gracefulShutdown()
                await context.terminate()
                return
            }
            let relay = InboundRelay(configuration: configuration, client: client, socket: socket, logger: logger)
            do {
                try await cancelWhenGracefulShutdown {
                    let me = try await relay.start()
                    readiness.set("telegram", ready: true)
                    logger.info(
                        "ready",
                        metadata: [
                            "bus.inbound": "\(inboundEndpoint)", "bot.id": "\(me.id)",
                            "bot.username": "\(me.username ?? "")",
                        ])
                    try await relay.run(normalizer: UpdateNormalizer(botID: me.id, botUsername: me.username))
                }
            } catch is CancellationError {
            } catch let error as GatewayError {
                logger.error("\(error.description)")
                throw error
            }
            await relay.confirmSettled()
        } catch {
            await context.terminate()
            throw error
        }
        await context.terminate()
    }
}

extension GatewayRole: CustomStringConvertible {
    /// Short, for ServiceLifecycle's logs (the default would dump the whole configuration).
    public var description: String { "GatewayRole(inbound: \(inboundEndpoint))" }
}

/// Why the gateway stopped. The description is the one line an operator reads; it never
/// contains the token.
public struct GatewayError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// Telegram answered 401: the token is wrong or revoked.
        case unauthorized
        /// TELEGRAM_BOT_TOKEN is set but is not of the form `<digits>:<secret>`.
        case invalidToken
        /// Telegram refused `getMe` for another reason that retrying will not fix.
        case refused
    }

    public let kind: Kind
    public let description: String

    static let invalidToken = GatewayError(
        kind: .invalidToken,
        description: "TELEGRAM_BOT_TOKEN is not a bot token (expected <digits>:<letters, digits, _ or ->, as @BotFather issues it); the gateway stops")

    static let unauthorized = GatewayError(
        kind: .unauthorized,
        description: "Telegram refused the bot token (401 Unauthorized): check TELEGRAM_BOT_TOKEN; the gateway stops")

    static func refused(_ error: BotAPIError) -> GatewayError {
        GatewayError(kind: .refused, description: "Telegram refused getMe: \(error); the gateway stops")
    }
}
