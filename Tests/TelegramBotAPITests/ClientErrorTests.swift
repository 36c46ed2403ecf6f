import BotAPITestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@testable import TelegramBotAPI

/// Failures as they arrive over HTTP (or do not arrive), classified by the client.
@Suite("Errors over HTTP")
struct ClientErrorTests {
    /// A request of the method the case is about, so the server's answer reaches the client
    /// through the same path a real call takes.
    static func request(for method: BotAPIMethod) throws -> BotAPIRequest {
        try #require(RequestSamples.all.first { $0.method == method })
    }

    @Test(arguments: ErrorClassificationTests.readmeCases)
    func telegramErrorsAreClassified(_ c: ErrorClassificationTests.Case) async throws {
        try await withFakeBotAPI { fake, url in
            fake.script(c.method.rawValue, .json(status: c.status, String(decoding: c.body, as: UTF8.self)))
            let logs = LogCapture()
            let client = try makeClient(url, logs: logs)
            let request = try Self.request(for: c.method)
            let error = try #require(await failure { try await client.perform(request) })
            #expect(error.kind == c.expected)
            #expect(error.method == c.method)
            #expect(error.httpStatus == c.status)
            #expect(error.detail == c.description)
            #expect(logs.all.contains { $0.contains("Bot API call failed") && $0.contains(c.expected.label) })
        }
    }

    @Test func a502HTMLPageIsAServerError() async throws {
        try await withFakeBotAPI { fake, url in
            fake.script("sendMessage", .html(status: 502, ErrorClassificationTests.nginx502))
            let client = try makeClient(url)
            let error = try #require(await failure { try await client.sendMessage(chatID: -1, text: "x") })
            #expect(error.kind == .server(status: 502))
            #expect(error.httpStatus == 502)
            #expect(error.detail == "502 Bad Gateway")
        }
    }

    @Test func aGarbled200IsAnUnexpectedResponse() async throws {
        try await withFakeBotAPI { fake, url in
            fake.script("getMe", .html(status: 200, "<html><title>captive portal</title></html>"), .ok(#"{"id":"x"}"#))
            let client = try makeClient(url)
            await #expect(throws: BotAPIError(kind: .unexpectedResponse, method: .getMe, httpStatus: 200, detail: "captive portal")) {
                try await client.getMe()
            }
            let error = try #require(await failure { try await client.getMe() })
            #expect(error.kind == .unexpectedResponse)
            #expect(error.detail?.hasPrefix("result did not decode") == true)
        }
    }

    @Test func connectionRefusedIsANetworkError() async throws {
        try await withUnusedPort { port in
            let url = try #require(URL(string: "http://127.0.0.1:\(port)"))
            let logs = LogCapture()
            let client = try makeClient(url, logs: logs)
            let error = try #require(await failure { try await client.getMe() })
            #expect(error.kind == .network)
            #expect(error.httpStatus == nil)
            #expect(error.detail?.contains("connection refused") == true)
            #expect(error.isRetryable)
            #expect(logs.all.contains { $0.contains("network") })
        }
    }

    @Test func noAnswerWithinTheRequestTimeoutIsATimeout() async throws {
        try await withFakeBotAPI { fake, url in
            fake.script("deleteMessage", .delayed(.seconds(6), .ok("true")))
            let client = try makeClient(url, requestTimeout: .seconds(1))
            let error = try #require(await failure { try await client.deleteMessage(chatID: -1, messageID: 1) })
            #expect(error.kind == .timeout)
            #expect(error.method == .deleteMessage)
        }
    }

    /// A long poll waits longer than an ordinary request may: the client extends its timeout
    /// by the poll's own wait, so the poll is not cut off.
    @Test func aLongPollOutlastsTheOrdinaryRequestTimeout() async throws {
        try await withFakeBotAPI { fake, url in
            fake.script("getUpdates", .delayed(.milliseconds(2500), .ok("[\(Samples.replyUpdate)]")))
            let client = try makeClient(url, requestTimeout: .seconds(1), longPollMargin: .seconds(5))
            let updates = try await client.getUpdates(timeout: 3)
            #expect(updates.map(\.updateID) == [900_001])
        }
    }

    @Test func theRequestTimeoutCoversTheLongPollWait() {
        let poll = BotAPIRequest.getUpdates(.init(timeout: 50))
        #expect(poll.timeout(ordinary: .seconds(30), longPollMargin: .seconds(10)) == .seconds(60))
        #expect(
            BotAPIRequest.getUpdates(.init()).timeout(ordinary: .seconds(30), longPollMargin: .seconds(10)) == .seconds(30))
        #expect(BotAPIRequest.getMe.timeout(ordinary: .seconds(30), longPollMargin: .seconds(10)) == .seconds(30))
    }

    @Test func cancellingTheCallerCancelsTheRequest() async throws {
        try await withFakeBotAPI { fake, url in
            fake.script("getUpdates", .delayed(.seconds(15), .ok("[]")))
            let client = try makeClient(url, requestTimeout: .seconds(10))
            let poll = Task { await failure { try await client.getUpdates() } }
            try await fake.waitFor("the poll") { !$0.isEmpty }
            poll.cancel()
            let error = await poll.value
            #expect(error?.kind == .cancelled)
        }
    }

    @Test func anAlreadyCancelledCallerSendsNothing() async throws {
        try await withFakeBotAPI { fake, url in
            fake.script("getMe", .ok(Samples.botUser))
            let client = try makeClient(url)
            let call = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                return await failure { try await client.getMe() }
            }
            #expect(await call.value?.kind == .cancelled)
            #expect(fake.calls.isEmpty)
        }
    }

    /// The token must not appear in any error, its description, its reflection, or any log
    /// line, whatever went wrong; even when the server echoes the URL back.
    @Test func theTokenNeverLeaks() async throws {
        let logs = LogCapture()
        var errors: [BotAPIError] = []
        try await withFakeBotAPI { fake, url in
            let echo = "<html><head><title>502 for /bot\(testToken)/getMe</title></head><body>/bot\(testToken)/getMe</body></html>"
            fake.script(
                "getMe",
                .failure(401, "Unauthorized"),
                .html(status: 502, echo),
                .json(status: 400, #"{"ok":false,"error_code":400,"description":"Bad Request: bad path /bot\#(testToken)/getMe"}"#),
                .html(status: 200, "token \(testToken)"),
                .ok(#"{"id":"\#(testToken)"}"#),
                .delayed(.seconds(6), .ok(Samples.botUser)))
            for timeout in [20, 20, 20, 20, 20, 1] {
                let client = try makeClient(url, logs: logs, requestTimeout: .seconds(timeout))
                errors.append(try #require(await failure { try await client.getMe() }))
            }
        }
        try await withUnusedPort { port in
            let client = try makeClient(try #require(URL(string: "http://127.0.0.1:\(port)")), logs: logs)
            errors.append(try #require(await failure { try await client.getMe() }))
        }
        #expect(
            errors.map(\.kind)
                == [.unauthorized, .server(status: 502), .badRequest(description: "Bad Request: bad path /bot7357001234:***/getMe"),
                    .unexpectedResponse, .unexpectedResponse, .timeout, .network])
        for error in errors {
            var dumped = ""
            dump(error, to: &dumped)
            for text in [error.description, String(reflecting: error), "\(error)", dumped, error.detail ?? ""] {
                #expect(!text.contains(testSecret), "token in: \(text)")
            }
        }
        #expect(!logs.all.isEmpty)
        for line in logs.all {
            #expect(!line.contains(testSecret), "token in log: \(line)")
        }
    }
}

/// The error a call threw, or nil (recorded as an issue) if it succeeded.
func failure<T>(
    _ call: () async throws -> T, sourceLocation: SourceLocation = #_sourceLocation
) async -> BotAPIError? {
    do {
        _ = try await call()
        Issue.record("the call succeeded; expected an error", sourceLocation: sourceLocation)
        return nil
    } catch let error as BotAPIError {
        return error
    } catch {
        Issue.record("threw \(type(of: error)), not BotAPIError", sourceLocation: sourceLocation)
        return nil
    }
}

/// Runs `body` with a local TCP port that is bound but not listening, so connecting is refused
/// and no other process can take the port meanwhile.
func withUnusedPort<R>(_ body: (Int) async throws -> R) async throws -> R {
    #if canImport(Glibc)
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
    let fd = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    try #require(fd >= 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
    }
    try #require(bound == 0)
    let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    try #require(named == 0)
    return try await body(Int(UInt16(bigEndian: address.sin_port)))
}
