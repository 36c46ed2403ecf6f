import BotAPITestSupport
import Foundation
import Testing

@testable import TelegramBotAPI

/// The pure classification against every error text in /work/shared/telegram/README.md.
@Suite("Error classification")
struct ErrorClassificationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let status: Int
        let description: String
        let parameters: String?
        let method: BotAPIMethod
        let expected: BotAPIError.Kind

        init(
            _ status: Int, _ description: String, parameters: String? = nil, method: BotAPIMethod = .sendMessage,
            _ expected: BotAPIError.Kind
        ) {
            self.status = status
            self.description = description
            self.parameters = parameters
            self.method = method
            self.expected = expected
        }

        var testDescription: String { "\(status) \(description)" }

        var body: Data {
            var json = #"{"ok":false,"error_code":\#(status),"description":\#(jsonString(description))"#
            if let parameters { json += #","parameters":\#(parameters)"# }
            return Data((json + "}").utf8)
        }
    }

    static let readmeCases: [Case] = [
        Case(429, "Too Many Requests: retry after 7", parameters: #"{"retry_after":7}"#, .retryAfter(seconds: 7)),
        Case(
            400,
            "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
            method: .editMessageText, .notModified),
        Case(400, "Bad Request: message to edit not found", method: .editMessageText, .messageNotFound(.toEdit)),
        Case(400, "Bad Request: message to pin not found", method: .pinChatMessage, .messageNotFound(.toPin)),
        Case(400, "Bad Request: message to unpin not found", method: .unpinChatMessage, .messageNotFound(.toUnpin)),
        Case(
            400, "Bad Request: not enough rights to manage pinned messages in the chat", method: .pinChatMessage,
            .notEnoughRights),
        Case(
            400, "Bad Request: query is too old and response timeout expired or query ID is invalid",
            method: .answerCallbackQuery, .queryTooOld),
        Case(
            400, "Bad Request: group chat was upgraded to a supergroup chat",
            parameters: #"{"migrate_to_chat_id":-1001234567890}"#, .chatMigrated(newChatID: -1_001_234_567_890)),
        Case(400, "Bad Request: chat not found", .badRequest(description: "Bad Request: chat not found")),
        Case(400, "Bad Request: message is too long", .badRequest(description: "Bad Request: message is too long")),
        Case(
            400, "Bad Request: can't parse entities: Unsupported start tag \"foo\" at byte offset 0",
            .badRequest(description: "Bad Request: can't parse entities: Unsupported start tag \"foo\" at byte offset 0")),
        Case(403, "Forbidden: bot was kicked from the supergroup chat", .forbidden(.kicked)),
        Case(403, "Forbidden: bot was kicked from the group chat", .forbidden(.kicked)),
        Case(403, "Forbidden: bot was kicked from the channel chat", .forbidden(.kicked)),
        Case(403, "Forbidden: bot is not a member of the supergroup chat", .forbidden(.notMember)),
        Case(403, "Forbidden: bot can't initiate conversation with a user", .forbidden(.cannotInitiateConversation)),
        Case(403, "Forbidden: bot was blocked by the user", .forbidden(.blockedByUser)),
        Case(
            409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
            method: .getUpdates, .conflict(.otherPoller)),
        Case(
            409,
            "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
            method: .getUpdates, .conflict(.webhookActive)),
        Case(401, "Unauthorized", method: .getMe, .unauthorized),
        Case(500, "Internal Server Error: restart", .server(status: 500)),
    ]

    /// Shapes beyond the README table that a robust classification still gets right.
    static let edgeCases: [Case] = [
        // 429 without parameters: the number in the text is used.
        Case(429, "Too Many Requests: retry after 12", .retryAfter(seconds: 12)),
        // parameters win over the text.
        Case(429, "Too Many Requests: retry after 3", parameters: #"{"retry_after":30}"#, .retryAfter(seconds: 30)),
        Case(400, "Bad Request: message to delete not found", method: .deleteMessage, .messageNotFound(.toDelete)),
        Case(400, "Bad Request: message to be replied not found", .messageNotFound(.toReplyTo)),
        Case(
            400, "Bad Request: message thread not found",
            .badRequest(description: "Bad Request: message thread not found")),
        // Migration without the new id is not actionable as a migration.
        Case(
            400, "Bad Request: group chat was upgraded to a supergroup chat",
            .badRequest(description: "Bad Request: group chat was upgraded to a supergroup chat")),
        Case(403, "Forbidden: user is deactivated", .forbidden(.other)),
        Case(409, "Conflict: something new", .conflict(.other)),
        Case(404, "Not Found", method: .getMe, .badRequest(description: "Not Found")),
        Case(502, "Bad Gateway", .server(status: 502)),
    ]

    @Test(arguments: readmeCases + edgeCases)
    func classifiesTelegramErrorBodies(_ c: Case) {
        let error = BotAPIError.classify(method: c.method, httpStatus: c.status, body: c.body)
        #expect(error.kind == c.expected)
        #expect(error.method == c.method)
        #expect(error.httpStatus == c.status)
        #expect(error.detail == c.description)
    }

    @Test func pinAndEditNotFoundAreDistinguished() {
        let pin = BotAPIError.classify(
            method: .pinChatMessage, httpStatus: 400,
            body: Data(#"{"ok":false,"error_code":400,"description":"Bad Request: message to pin not found"}"#.utf8))
        let edit = BotAPIError.classify(
            method: .editMessageText, httpStatus: 400,
            body: Data(#"{"ok":false,"error_code":400,"description":"Bad Request: message to edit not found"}"#.utf8))
        #expect(pin.kind != edit.kind)
    }

    static let nginx502 = """
        <html>\r
        <head><title>502 Bad Gateway</title></head>\r
        <body>\r
        <center><h1>502 Bad Gateway</h1></center>\r
        <hr><center>nginx/1.18.0</center>\r
        </body>\r
        </html>\r

        """

    @Test(arguments: [(502, "502 Bad Gateway"), (504, "504 Gateway Time-out")])
    func htmlProxyPagesAreServerErrors(status: Int, title: String) {
        let html = Self.nginx502.replacingOccurrences(of: "502 Bad Gateway", with: title)
        let error = BotAPIError.classify(method: .sendMessage, httpStatus: status, body: Data(html.utf8))
        #expect(error.kind == .server(status: status))
        #expect(error.detail == title)
        #expect(error.isRetryable)
    }

    @Test func htmlWithoutTitleIsSummarisedAsPlainText() {
        let error = BotAPIError.classify(
            method: .getUpdates, httpStatus: 503, body: Data("<html><body><h1>Service\n Unavailable</h1></body></html>".utf8))
        #expect(error.kind == .server(status: 503))
        #expect(error.detail == "Service Unavailable")
    }

    @Test func unreadableNon5xxBodiesAreUnexpectedResponses() {
        let error = BotAPIError.classify(method: .getMe, httpStatus: 404, body: Data("<h1>no such page</h1>".utf8))
        #expect(error.kind == .unexpectedResponse)
        #expect(error.detail == "no such page")
        let empty = BotAPIError.classify(method: .getMe, httpStatus: 400, body: Data())
        #expect(empty.kind == .unexpectedResponse)
        #expect(empty.detail == nil)
        let unauthorized = BotAPIError.classify(method: .getMe, httpStatus: 401, body: Data("Unauthorized".utf8))
        #expect(unauthorized.kind == .unauthorized)
    }

    @Test func retryabilityFollowsTheKind() {
        func error(_ kind: BotAPIError.Kind) -> BotAPIError { BotAPIError(kind: kind, method: .sendMessage) }
        #expect(error(.retryAfter(seconds: 3)).isRetryable)
        #expect(error(.timeout).isRetryable)
        #expect(error(.network).isRetryable)
        #expect(error(.conflict(.otherPoller)).isRetryable)
        #expect(!error(.conflict(.webhookActive)).isRetryable)
        #expect(!error(.notModified).isRetryable)
        #expect(!error(.badRequest(description: "x")).isRetryable)
        #expect(!error(.forbidden(.kicked)).isRetryable)
        #expect(!error(.unauthorized).isRetryable)
    }

    @Test func descriptionNamesMethodKindStatusAndDetail() {
        let error = BotAPIError.classify(
            method: .sendMessage, httpStatus: 429,
            body: Data(
                #"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 5","parameters":{"retry_after":5}}"#
                    .utf8))
        #expect(error.description == "sendMessage failed: retry_after 5s [HTTP 429: Too Many Requests: retry after 5]")
    }

    @Test func successAnswersDecodeAndOkFalseOn200IsStillAnError() throws {
        let user = try BotAPIClient.decodeAnswer(
            method: .getMe, httpStatus: 200,
            body: Data(#"{"ok":true,"result":{"id":1,"is_bot":true,"first_name":"B"}}"#.utf8), as: User.self)
        #expect(user.id == 1)
        #expect(throws: BotAPIError(kind: .unauthorized, method: .getMe, httpStatus: 200, detail: "Unauthorized")) {
            try BotAPIClient.decodeAnswer(
                method: .getMe, httpStatus: 200,
                body: Data(#"{"ok":false,"error_code":401,"description":"Unauthorized"}"#.utf8), as: User.self)
        }
    }

    @Test func aResultOfTheWrongShapeIsAnUnexpectedResponseNamingThePath() {
        do {
            _ = try BotAPIClient.decodeAnswer(
                method: .sendMessage, httpStatus: 200,
                body: Data(#"{"ok":true,"result":{"message_id":"seven","date":1,"chat":{"id":1,"type":"private"}}}"#.utf8),
                as: Message.self)
            Issue.record("decoded a message with a string id")
        } catch {
            #expect(error.kind == .unexpectedResponse)
            #expect(error.detail?.contains("message_id") == true)
        }
    }
}
