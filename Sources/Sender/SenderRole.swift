/// The sender role: the only process that writes to Telegram. It takes outbound intents from
/// the incident service, paces every call inside Telegram's limits and reports each result.
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

/// The sender: a DEALER connected to the incident service's intents endpoint.
///
/// On the bus it announces itself with `sender_ready` (a session id new for every run, and its
/// credit) at start, every heartbeat interval and whenever finished intents free capacity. Each
/// `outbound_intent` is paced and carried out by ``SendSchedule``'s rules and answered with an
/// `intent_result` whose causation id is the intent envelope's id.
///
/// What it reports per intent (`IntentResult.outcome`):
/// - `delivered(messageID)`: done; the id of a sent message, nil for other calls. An unpin or
///   delete whose message is already gone also counts as delivered.
/// - `notModified`, `messageNotFound` (edit/pin target gone, or the `sentBy` send produced no
///   message), `notEnoughRights`, `forbidden(description)`, `queryTooOld`,
///   `rejected(description)` (a request Telegram refuses for good: a bug on our side),
///   `gaveUp(description)` (5xx/network/timeouts past the attempt budget), `superseded` (a
///   newer edit with the same coalescing key replaced it).
/// - Chat migration: first `chatMigrated(newChatID)` with `chat_id` = the old chat, then, after
///   the retry on the new chat, a second result for the same intent id with `chat_id` = the new
///   chat and the final outcome. Intents for the old chat that follow go to the new chat; their
///   results carry the new chat id.
///
/// 429 answers are never reported: the call waits `retry_after` and is retried. On 401 the role
/// stops with a ``SenderError`` (nothing is reported, the outbox keeps the intents). On graceful
/// shutdown calls in flight get ``SenderConfiguration/shutdownGrace`` to finish and are
/// reported; queued intents are dropped, and the incident service sends them again to the next
/// session.
public struct SenderRole: Service {
    public static let readinessParts = ["bus"]

    let configuration: SenderConfiguration
    let client: BotAPIClient?
    /// Why there is no client, for the one warning line.
    let missingClientReason: String
    /// A token is set but is not a bot token: the role stops at once, like on a 401.
    let invalidToken: Bool
    let intentsEndpoint: String
    /// RAISEDASH_CURVE_* keys; nil: a plain link.
    var busKeys: BusKeys?
    let logger: Logger
    let readiness: Readiness

    /// The role as the executable runs it: the `SENDER_*` settings, the token and base URL from
    /// the settings. Without a token it stays up idle after one warning.
    public init(settings: Settings, logger: Logger, readiness: Readiness) {
        let configuration = SenderConfiguration(settings: settings)
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
            configuration: configuration, client: client, intentsEndpoint: settings.intentsEndpoint.value,
            logger: logger, readiness: readiness, missingClientReason: "TELEGRAM_BOT_TOKEN is not set", invalidToken: invalidToken)
        busKeys = settings.busKeys
    }

    /// A role with an explicit configuration and client (tests, benchmarks). `client == nil`
    /// runs it idle, as without a token.
    public init(
        configuration: SenderConfiguration, client: BotAPIClient?, intentsEndpoint: String, logger: Logger,
        readiness: Readiness
    ) {
        self.init(
            configuration: configuration, client: client, intentsEndpoint: intentsEndpoint, logger: logger,
            readiness: readiness, missingClientReason: "no Bot API client configured", invalidToken: false)
    }

    private init(
        configuration: SenderConfiguration, client: BotAPIClient?, intentsEndpoint: String, logger: Logger,
        readiness: Readiness, missingClientReason: String, invalidToken: Bool
    ) {
        self.invalidToken = invalidToken
        self.configuration = configuration
        self.client = client
        self.intentsEndpoint = intentsEndpoint
        self.logger = logger
        self.readiness = readiness
        self.missingClientReason = missingClientReason
    }

    /// A session of its own, so the sender's concurrent calls are not limited by (or limit)
    /// other users of `URLSession.shared`; without a URL cache, since on Linux cancelling a
    /// task of a session with a cache can trap in FoundationNetworking ("Trying to access a
    /// behaviour for a task that in not in the registry") and Bot API answers are never cached
    /// anyway.
    public static func makeSession() -> URLSession {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 32
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        return URLSession(configuration: configuration)
    }

    public func run() async throws {
        if invalidToken {
            logger.error("\(SenderError.invalidToken.description)")
            throw SenderError.invalidToken
        }
        let context = try ZMQContext()
        do {
            let socket = try context.socket(.dealer, options: Bus.socketOptions(connects: true, security: try Bus.clientSecurity(busKeys, server: \.incidentsPublicKey)))
            try await socket.connect(intentsEndpoint)
            readiness.set("bus", ready: true)
            guard let client else {
                logger.warning(
                    "\(missingClientReason): the sender cannot write to Telegram and stays idle (it announces no credit, so intents stay in the outbox)")
                logger.info("ready", metadata: ["bus.intents": "\(intentsEndpoint)", "telegram": "none"])
                try? await gracefulShutdown()
                await context.terminate()
                return
            }
            let loop = SenderLoop(
                configuration: configuration, client: client, socket: socket, logger: logger,
                session: UUID().uuidString)
            logger.info(
                "ready",
                metadata: [
                    "bus.intents": "\(intentsEndpoint)", "sender.session": "\(loop.session)",
                    "telegram.base_url": "\(client.baseURL.absoluteString)",
                ])
            try await loop.run()
        } catch {
            await context.terminate()
            throw error
        }
        await context.terminate()
    }
}

extension SenderRole: CustomStringConvertible {
    /// Short, for ServiceLifecycle's logs (the default would dump the whole configuration).
    public var description: String { "SenderRole(intents: \(intentsEndpoint))" }
}

/// Why the sender stopped. The description is the one line an operator reads; it never
/// contains the token.
public struct SenderError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// Telegram answered 401: the token is wrong or revoked.
        case unauthorized
        /// TELEGRAM_BOT_TOKEN is set but is not of the form `<digits>:<secret>`.
        case invalidToken
    }

    public let kind: Kind
    public let description: String

    static let invalidToken = SenderError(
        kind: .invalidToken,
        description: "TELEGRAM_BOT_TOKEN is not a bot token (expected <digits>:<letters, digits, _ or ->, as @BotFather issues it); the sender stops")

    static let unauthorized = SenderError(
        kind: .unauthorized,
        description: "Telegram refused the bot token (401 Unauthorized): check TELEGRAM_BOT_TOKEN; the sender stops")
}
