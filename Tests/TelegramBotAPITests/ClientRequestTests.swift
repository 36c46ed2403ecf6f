import BotAPITestSupport
import Foundation
import Testing

@testable import TelegramBotAPI

let testToken = "7357001234:AAH-vZ_SeCrEt1234567890abcdefGHIJK"
let testSecret = "AAH-vZ_SeCrEt1234567890abcdefGHIJK"

func makeClient(
    _ baseURL: URL, logs: LogCapture = LogCapture(), requestTimeout: Duration = .seconds(20),
    longPollMargin: Duration = .seconds(10)
) throws -> BotAPIClient {
    BotAPIClient(
        baseURL: baseURL, token: try #require(BotToken(testToken)), requestTimeout: requestTimeout,
        longPollMargin: longPollMargin, logger: logs.logger())
}

/// Each typed call, sent to a fake Bot API over HTTP: the path, verb, content type and exact
/// JSON body it produces, and the result it decodes.
@Suite("Requests over HTTP")
struct ClientRequestTests {
    struct CallCase: Sendable, CustomTestStringConvertible {
        let method: String
        let result: String
        let expectedBody: String
        let run: @Sendable (BotAPIClient) async throws -> Void
        var testDescription: String { method }
    }

    static let group: Int64 = -1_001_234_567_890

    static let cases: [CallCase] = [
        CallCase(method: "getMe", result: Samples.botUser, expectedBody: "{}") { client in
            let me = try await client.getMe()
            #expect(me.id == 7_357_001_234)
            #expect(me.username == "raisedash_bot")
            #expect(me.canReadAllGroupMessages == false)
        },
        CallCase(
            method: "getUpdates", result: "[\(Samples.replyUpdate),\(Samples.callbackUpdate)]",
            expectedBody: #"{"allowed_updates":["message","callback_query","my_chat_member"],"limit":50,"offset":900001,"timeout":1}"#
        ) { client in
            let updates = try await client.getUpdates(
                offset: 900_001, limit: 50, timeout: 1, allowedUpdates: [.message, .callbackQuery, .myChatMember])
            #expect(updates.map(\.updateID) == [900_001, 900_002])
        },
        CallCase(method: "deleteWebhook", result: "true", expectedBody: #"{"drop_pending_updates":true}"#) { client in
            try await client.deleteWebhook(dropPendingUpdates: true)
        },
        CallCase(
            method: "setMyCommands", result: "true",
            expectedBody:
                #"{"commands":[{"command":"new_issue","description":"Report an issue"}],"language_code":"en","scope":{"type":"all_group_chats"}}"#
        ) { client in
            try await client.setMyCommands(
                [BotCommand(command: "new_issue", description: "Report an issue")], scope: .allGroupChats,
                languageCode: "en")
        },
        CallCase(
            method: "sendMessage", result: Samples.sentMessage,
            expectedBody: #"""
                {"chat_id":-1001234567890,"disable_notification":true,"link_preview_options":{"is_disabled":true},
                 "parse_mode":"HTML","reply_markup":{"inline_keyboard":[[{"callback_data":"claim:12","text":"Claim"},
                 {"text":"Open","url":"https://example.com/i/12"}]]},"reply_parameters":{"message_id":480},
                 "text":"<b>Incident #12</b> Truck 17 &amp; gate 3"}
                """#
        ) { client in
            let sent = try await client.sendMessage(
                chatID: group, text: "<b>Incident #12</b> Truck 17 &amp; gate 3", parseMode: .html,
                replyParameters: .init(messageID: 480),
                replyMarkup: .inlineKeyboard(
                    .init(rows: [[.callback("Claim", data: "claim:12"), .link("Open", url: "https://example.com/i/12")]])),
                disableNotification: true, disableLinkPreview: true)
            #expect(sent.messageID == 503)
            #expect(sent.chat.id == group)
        },
        CallCase(
            method: "sendMessage", result: Samples.sentMessage,
            expectedBody: #"""
                {"chat_id":-1001234567890,"reply_markup":{"force_reply":true,"input_field_placeholder":"What fixed it?",
                 "selective":true},"reply_parameters":{"message_id":503},"text":"Reply with a summary"}
                """#
        ) { client in
            _ = try await client.sendMessage(
                chatID: group, text: "Reply with a summary", replyParameters: .init(messageID: 503),
                replyMarkup: .forceReply(.init(selective: true, inputFieldPlaceholder: "What fixed it?")))
        },
        CallCase(
            method: "editMessageText", result: Samples.sentMessage,
            expectedBody: #"""
                {"chat_id":-1001234567890,"message_id":503,"parse_mode":"HTML",
                 "reply_markup":{"inline_keyboard":[[{"callback_data":"resolve:12","text":"Resolve"}]]},"text":"<i>claimed</i>"}
                """#
        ) { client in
            let edited = try await client.editMessageText(
                chatID: group, messageID: 503, text: "<i>claimed</i>", parseMode: .html,
                replyMarkup: .init(rows: [[.callback("Resolve", data: "resolve:12")]]))
            #expect(edited.messageID == 503)
        },
        CallCase(
            method: "editMessageReplyMarkup", result: Samples.sentMessage,
            expectedBody: #"{"chat_id":-1001234567890,"message_id":503}"#
        ) { client in
            _ = try await client.editMessageReplyMarkup(chatID: group, messageID: 503, replyMarkup: nil)
        },
        CallCase(
            method: "answerCallbackQuery", result: "true",
            expectedBody: #"{"callback_query_id":"4382bfdwdsb323b2d9","show_alert":true,"text":"Only Maintenance can claim"}"#
        ) { client in
            try await client.answerCallbackQuery(id: "4382bfdwdsb323b2d9", text: "Only Maintenance can claim", showAlert: true)
        },
        CallCase(
            method: "pinChatMessage", result: "true",
            expectedBody: #"{"chat_id":-1001234567890,"disable_notification":true,"message_id":503}"#
        ) { client in
            try await client.pinChatMessage(chatID: group, messageID: 503, disableNotification: true)
        },
        CallCase(
            method: "unpinChatMessage", result: "true", expectedBody: #"{"chat_id":-1001234567890,"message_id":503}"#
        ) { client in
            try await client.unpinChatMessage(chatID: group, messageID: 503)
        },
        CallCase(method: "deleteMessage", result: "true", expectedBody: #"{"chat_id":-1001234567890,"message_id":503}"#) {
            client in
            try await client.deleteMessage(chatID: group, messageID: 503)
        },
        CallCase(
            method: "getChatMember", result: Samples.ownerMember, expectedBody: #"{"chat_id":-1001234567890,"user_id":1}"#
        ) { client in
            let member = try await client.getChatMember(chatID: group, userID: 1)
            #expect(member.status == .creator)
        },
        CallCase(
            method: "getChatAdministrators", result: "[\(Samples.ownerMember),\(Samples.restrictedMember)]",
            expectedBody: #"{"chat_id":-1001234567890}"#
        ) { client in
            let admins = try await client.getChatAdministrators(chatID: group)
            #expect(admins.map(\.user.id) == [1, 44])
        },
    ]

    @Test(arguments: cases)
    func typedCallSendsExactlyThisRequest(_ c: CallCase) async throws {
        try await withFakeBotAPI { fake, url in
            fake.script(c.method, .ok(c.result))
            try await c.run(try makeClient(url))
            let request = try #require(fake.calls.first)
            #expect(fake.calls.count == 1)
            #expect(request.path == "/bot\(testToken)/\(c.method)")
            #expect(request.token == testToken)
            #expect(request.method == c.method)
            #expect(request.httpMethod == "POST")
            #expect(request.contentType == "application/json")
            #expect(request.body == (try JSONValue(json: c.expectedBody)))
        }
    }

    @Test func everyTypedCallIsCovered() {
        #expect(Set(Self.cases.map(\.method)) == Set(BotAPIMethod.allCases.map(\.rawValue)))
    }

    @Test func performReturnsTheResultInTheShapeOfTheRequest() async throws {
        try await withFakeBotAPI { fake, url in
            let client = try makeClient(url)
            fake.script("sendMessage", .ok(Samples.sentMessage))
            fake.script("pinChatMessage", .ok("true"))
            fake.script("getUpdates", .ok("[\(Samples.pollUpdate)]"))
            fake.script("getChatAdministrators", .ok("[\(Samples.ownerMember)]"))

            let sent = try await client.perform(.sendMessage(.init(chatID: Self.group, text: "x")))
            guard case .message(let message) = sent else {
                Issue.record("expected a message, got \(sent)")
                return
            }
            #expect(message.messageID == 503)
            #expect(try await client.perform(.pinChatMessage(.init(chatID: Self.group, messageID: 503))) == .done)
            #expect(
                try await client.perform(.getUpdates(.init()))
                    == .updates([Update(updateID: 900_009, content: .unsupported(kind: "poll"))]))
            let admins = try await client.perform(.getChatAdministrators(.init(chatID: Self.group)))
            guard case .chatMembers(let members) = admins else {
                Issue.record("expected chat members, got \(admins)")
                return
            }
            #expect(members.map(\.status) == [.creator])
            #expect(fake.calls.map(\.method) == ["sendMessage", "pinChatMessage", "getUpdates", "getChatAdministrators"])
        }
    }

    @Test func aBaseURLWithAPathPrefixIsKept() async throws {
        try await withFakeBotAPI { fake, url in
            fake.script("getMe", .ok(Samples.botUser))
            let client = try makeClient(url.appendingPathComponent("telegram"))
            _ = try await client.getMe()
            #expect(fake.calls.first?.path == "/telegram/bot\(testToken)/getMe")
        }
    }
}
