import Foundation
import Logging
import Synchronization

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A typed client for the Telegram Bot API over `URLSession` (libcurl on Linux).
///
/// Every call is a JSON `POST {baseURL}/bot{token}/{method}`. Every failure is thrown as a
/// ``BotAPIError``; the token appears in no error, log line or printed URL.
///
/// ```swift
/// let client = BotAPIClient(token: token, logger: logger)
/// let me = try await client.getMe()
/// let card = try await client.sendMessage(chatID: -100123, text: "<b>Incident</b>", parseMode: .html)
/// ```
public struct BotAPIClient: Sendable {
    /// Telegram's own server.
    public static let telegramBaseURL = URL(string: "https://api.telegram.org")!

    /// The default session: no URL cache and no cookies. Bot API answers must never be
    /// served from a cache, and on Linux cancelling a task of a caching session (such as
    /// `URLSession.shared`) can crash FoundationNetworking.
    public static let uncachedSession: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.httpCookieStorage = nil
        return URLSession(configuration: configuration)
    }()

    /// Where the Bot API is served (Telegram, a local Bot API server, or the simulator).
    public let baseURL: URL
    /// The bot's numeric id (from the token; not secret).
    public var botID: Int64 { token.botID }

    private let token: BotToken
    private let session: URLSession
    private let requestTimeout: Duration
    private let longPollMargin: Duration
    private let logger: Logger

    /// - Parameters:
    ///   - baseURL: Server root; requests go to `{baseURL}/bot{token}/{method}`.
    ///   - token: The bot token.
    ///   - session: The session to send with. Its own timeouts are overridden per request.
    ///   - requestTimeout: How long to wait for an answer to an ordinary call (at least 1 s).
    ///   - longPollMargin: Added to a `getUpdates` long-poll wait to get its request timeout,
    ///     so a poll that waits the full `timeout` is not cut off by the client.
    ///   - logger: Receives one debug line per call and per failure; never the token.
    public init(
        baseURL: URL = BotAPIClient.telegramBaseURL,
        token: BotToken,
        session: URLSession = BotAPIClient.uncachedSession,
        requestTimeout: Duration = .seconds(30),
        longPollMargin: Duration = .seconds(10),
        logger: Logger
    ) {
        self.baseURL = baseURL
        self.token = token
        self.session = session
        self.requestTimeout = max(requestTimeout, .seconds(1))
        self.longPollMargin = max(longPollMargin, .zero)
        self.logger = logger
    }

    /// Sends `request` and decodes its `result` as `Result`.
    public func call<Result: Decodable & Sendable>(
        _ request: BotAPIRequest, as resultType: Result.Type = Result.self
    ) async throws(BotAPIError) -> Result {
        let method = request.method
        let (status, body) = try await send(request)
        do {
            return try Self.decodeAnswer(method: method, httpStatus: status, body: body, as: Result.self)
        } catch {
            let scrubbed = error.redacting(token)
            logger.debug(
                "Bot API call failed",
                metadata: [
                    "telegram.method": "\(method)", "error.kind": "\(scrubbed.kind.label)",
                    "http.status": "\(status)", "error.detail": "\(scrubbed.detail ?? "")",
                ])
            throw scrubbed
        }
    }

    /// Carries out a request received as data and returns its result in the shape the
    /// request expects (``BotAPIRequest/resultShape``).
    public func perform(_ request: BotAPIRequest) async throws(BotAPIError) -> BotAPIResult {
        switch request.resultShape {
        case .done:
            _ = try await call(request, as: Bool.self)
            return .done
        case .user: return .user(try await call(request, as: User.self))
        case .updates: return .updates(try await call(request, as: [Update].self))
        case .message: return .message(try await call(request, as: Message.self))
        case .chatMember: return .chatMember(try await call(request, as: ChatMember.self))
        case .chatMembers: return .chatMembers(try await call(request, as: [ChatMember].self))
        }
    }

    /// Interprets an answer: `result` of a successful one, a classified error otherwise.
    static func decodeAnswer<Result: Decodable>(
        method: BotAPIMethod, httpStatus: Int, body: Data, as: Result.Type
    ) throws(BotAPIError) -> Result {
        guard (200..<300).contains(httpStatus) else {
            throw BotAPIError.classify(method: method, httpStatus: httpStatus, body: body)
        }
        let decoder = JSONDecoder()
        // The common case in one pass over the body: `ok` and a `result` that decodes. Anything
        // else takes the two passes below, which tell what exactly is wrong.
        if let answer = try? decoder.decode(Answer<Result>.self, from: body), answer.ok, let result = answer.result {
            return result
        }
        let head: SuccessHead
        do {
            head = try decoder.decode(SuccessHead.self, from: body)
        } catch {
            throw BotAPIError(
                kind: .unexpectedResponse, method: method, httpStatus: httpStatus,
                detail: BotAPIError.summarize(body) ?? "empty body")
        }
        guard head.ok else {
            throw BotAPIError.classify(method: method, httpStatus: httpStatus, body: body)
        }
        do {
            return try decoder.decode(SuccessBody<Result>.self, from: body).result
        } catch let error as DecodingError {
            throw BotAPIError(
                kind: .unexpectedResponse, method: method, httpStatus: httpStatus,
                detail: "result did not decode: \(error.summary)")
        } catch {
            throw BotAPIError(kind: .unexpectedResponse, method: method, httpStatus: httpStatus, detail: "result did not decode")
        }
    }

    // MARK: Transport

    /// Sends the request and returns the HTTP status and body of the answer, whatever it is.
    private func send(_ request: BotAPIRequest) async throws(BotAPIError) -> (Int, Data) {
        let method = request.method
        let body: Data
        do {
            body = try request.jsonBody()
        } catch {
            throw BotAPIError(kind: .badRequest(description: "parameters could not be encoded"), method: method)
        }
        let timeout = request.timeout(ordinary: requestTimeout, longPollMargin: longPollMargin)
        var urlRequest = URLRequest(url: endpoint(method))
        urlRequest.httpMethod = "POST"
        urlRequest.setValue("application/json", forHTTPHeaderField: "Content-Type")
        urlRequest.setValue("application/json", forHTTPHeaderField: "Accept")
        urlRequest.httpBody = body
        urlRequest.timeoutInterval = timeout.timeInterval

        logger.debug("Bot API call", metadata: ["telegram.method": "\(method)"])
        let outcome = await transfer(urlRequest)
        switch outcome {
        case .answered(let status, let data):
            return (status, data)
        case .failed(let kind, let detail):
            logger.debug(
                "Bot API call failed",
                metadata: ["telegram.method": "\(method)", "error.kind": "\(kind.label)", "error.detail": "\(detail)"])
            throw BotAPIError(kind: kind, method: method, detail: detail)
        }
    }

    private func endpoint(_ method: BotAPIMethod) -> URL {
        baseURL.appendingPathComponent("bot\(token.rawValue)").appendingPathComponent(method.rawValue)
    }

    private enum TransferOutcome: Sendable {
        case answered(status: Int, body: Data)
        /// `detail` names the failure without the URL (URLError descriptions include it).
        case failed(BotAPIError.Kind, detail: String)
    }

    /// Runs one data task, cancelling it when the calling task is cancelled.
    private func transfer(_ request: URLRequest) async -> TransferOutcome {
        if Task.isCancelled { return .failed(.cancelled, detail: "cancelled before sending") }
        let handle = DataTaskHandle()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<TransferOutcome, Never>) in
                let task = session.dataTask(with: request) { data, response, error in
                    continuation.resume(returning: Self.outcome(data: data, response: response, error: error))
                }
                handle.start(task)
            }
        } onCancel: {
            handle.cancel()
        }
    }

    private static func outcome(data: Data?, response: URLResponse?, error: (any Error)?) -> TransferOutcome {
        if let error {
            let code = (error as? URLError)?.code ?? URLError.Code(rawValue: (error as NSError).code) ?? .unknown
            switch code {
            case .timedOut: return .failed(.timeout, detail: "no answer within the request timeout")
            case .cancelled: return .failed(.cancelled, detail: "cancelled")
            default: return .failed(.network, detail: networkFailureName(code))
            }
        }
        guard let http = response as? HTTPURLResponse else {
            return .failed(.unexpectedResponse, detail: "not an HTTP answer")
        }
        return .answered(status: http.statusCode, body: data ?? Data())
    }

    /// A name for a URL loading failure that cannot contain the URL.
    private static func networkFailureName(_ code: URLError.Code) -> String {
        let name: String =
            switch code {
            case .cannotConnectToHost: "connection refused"
            case .networkConnectionLost: "connection lost"
            case .cannotFindHost, .dnsLookupFailed: "host not found"
            case .notConnectedToInternet: "not connected"
            case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
                .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot:
                "TLS failure"
            case .badServerResponse: "bad server response"
            default: "URL loading failed"
            }
        return "\(name) (URLError \(code.rawValue))"
    }
}

/// The data task of one call, shared between the call and its cancellation handler.
///
/// Cancellation may arrive before the task exists; the flag makes the task start cancelled then.
private final class DataTaskHandle: Sendable {
    private struct State {
        var task: URLSessionDataTask?
        var cancelled = false
    }

    private let state = Mutex(State())

    func start(_ task: URLSessionDataTask) {
        let cancelled = state.withLock { state in
            state.task = task
            return state.cancelled
        }
        task.resume()
        if cancelled { task.cancel() }
    }

    func cancel() {
        let task = state.withLock { state in
            state.cancelled = true
            return state.task
        }
        task?.cancel()
    }
}

private struct SuccessHead: Decodable {
    let ok: Bool
}

private struct SuccessBody<Result: Decodable>: Decodable {
    let result: Result
}

private struct Answer<Result: Decodable>: Decodable {
    let ok: Bool
    let result: Result?
}

extension Duration {
    /// Seconds as a `TimeInterval`, for Foundation APIs.
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
