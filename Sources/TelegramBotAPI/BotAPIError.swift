/// Why a Bot API call failed, in terms a caller can act on.
///
/// Carries the method, the HTTP status and Telegram's description (or a short summary of a
/// proxy's HTML page, or the network failure), never the request URL: the URL contains the
/// token. Text that came from the network is scrubbed of the token before it is kept.
public struct BotAPIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure; what the caller switches on.
    public enum Kind: Sendable, Hashable {
        /// 429 flood control: wait this many seconds before the next call in that scope.
        case retryAfter(seconds: Int)
        /// 400 "message is not modified": the edit changes nothing; treat as success.
        case notModified
        /// 400 "message to … not found": the message to act on is gone.
        case messageNotFound(MissingMessage)
        /// 400 "query is too old": the callback query can no longer be answered.
        case queryTooOld
        /// 400 "not enough rights …": the bot lacks an admin right (pinning, usually).
        case notEnoughRights
        /// 400 "group chat was upgraded to a supergroup chat": use the new chat id.
        case chatMigrated(newChatID: Int64)
        /// 403: the bot cannot write there.
        case forbidden(ForbiddenReason)
        /// 409: someone else is polling, or a webhook is set.
        case conflict(ConflictReason)
        /// 401: the token is wrong or revoked.
        case unauthorized
        /// Any other 4xx: a bug on our side (chat not found, text too long, bad HTML, ...).
        case badRequest(description: String)
        /// 5xx, also when a proxy answered with an HTML page.
        case server(status: Int)
        /// No answer: connection refused or lost, host unknown, TLS failure, ...
        case network
        /// No answer within the request timeout.
        case timeout
        /// The calling task was cancelled before the answer arrived.
        case cancelled
        /// An answer this client cannot read: not JSON, or a result of the wrong shape.
        case unexpectedResponse

        /// A short, stable name for logs and metric labels.
        public var label: String {
            switch self {
            case .retryAfter: "retry_after"
            case .notModified: "not_modified"
            case .messageNotFound: "message_not_found"
            case .queryTooOld: "query_too_old"
            case .notEnoughRights: "not_enough_rights"
            case .chatMigrated: "chat_migrated"
            case .forbidden: "forbidden"
            case .conflict: "conflict"
            case .unauthorized: "unauthorized"
            case .badRequest: "bad_request"
            case .server: "server"
            case .network: "network"
            case .timeout: "timeout"
            case .cancelled: "cancelled"
            case .unexpectedResponse: "unexpected_response"
            }
        }
    }

    /// Which message Telegram could not find, from the wording of its description.
    public enum MissingMessage: String, Sendable, Hashable {
        /// "message to edit not found": the card is gone; send a new one.
        case toEdit = "edit"
        /// "message to pin not found".
        case toPin = "pin"
        /// "message to unpin not found": nothing to do.
        case toUnpin = "unpin"
        /// "message to delete not found": already gone.
        case toDelete = "delete"
        /// "message to be replied not found": the message to reply to is gone.
        case toReplyTo = "reply"
        /// "message not found" without saying which.
        case unspecified
    }

    /// Why Telegram refused with 403.
    public enum ForbiddenReason: String, Sendable, Hashable {
        /// "bot was kicked from the (supergroup|group|channel) chat".
        case kicked
        /// "bot is not a member of the … chat" (left, or never added).
        case notMember
        /// "bot was blocked by the user" (private chat).
        case blockedByUser
        /// "bot can't initiate conversation with a user": the user never started the bot.
        case cannotInitiateConversation
        /// Any other 403 (deactivated user, bots writing to bots, ...).
        case other
    }

    /// Why Telegram answered 409.
    public enum ConflictReason: String, Sendable, Hashable {
        /// "terminated by other getUpdates request": another poller runs with this token.
        case otherPoller
        /// "can't use getUpdates method while webhook is active": call deleteWebhook first.
        case webhookActive
        case other
    }

    public let kind: Kind
    /// The method that failed.
    public let method: BotAPIMethod
    /// The HTTP status of the answer; `nil` when there was no answer.
    public let httpStatus: Int?
    /// Telegram's `description`, a summary of a non-JSON answer, or what went wrong on the
    /// network. Never contains the token.
    public let detail: String?

    public init(kind: Kind, method: BotAPIMethod, httpStatus: Int? = nil, detail: String? = nil) {
        self.kind = kind
        self.method = method
        self.httpStatus = httpStatus
        self.detail = detail
    }

    /// The same error with `token` scrubbed from every text that came from the network.
    func redacting(_ token: BotToken) -> BotAPIError {
        let kind: Kind =
            switch self.kind {
            case .badRequest(let description): .badRequest(description: token.redact(description))
            default: self.kind
            }
        return BotAPIError(kind: kind, method: method, httpStatus: httpStatus, detail: detail.map(token.redact))
    }

    /// Whether the same request, sent again unchanged later, may succeed: flood control
    /// (after the wait), server errors, network failures, timeouts and a competing poller.
    public var isRetryable: Bool {
        switch kind {
        case .retryAfter, .server, .network, .timeout, .conflict(.otherPoller): true
        default: false
        }
    }

    /// `"<method> failed: <kind> (HTTP <status>: <detail>)"`.
    public var description: String {
        var text = "\(method) failed: \(kind.label)"
        switch kind {
        case .retryAfter(let seconds): text += " \(seconds)s"
        case .messageNotFound(let which): text += " (\(which.rawValue))"
        case .chatMigrated(let newChatID): text += " to \(newChatID)"
        case .forbidden(let reason): text += " (\(reason.rawValue))"
        case .conflict(let reason): text += " (\(reason.rawValue))"
        default: break
        }
        switch (httpStatus, detail) {
        case (let status?, let detail?): text += " [HTTP \(status): \(detail)]"
        case (let status?, nil): text += " [HTTP \(status)]"
        case (nil, let detail?): text += " [\(detail)]"
        case (nil, nil): break
        }
        return text
    }
}
