import BotAPITestSupport
import Foundation
import RaiseDashConfig
import RoleSupport
import Sender
import TelegramBotAPI
import Testing
import WireProtocol

@Suite("Sender: calls and results")
struct SenderDeliveryTests {
    @Test("a sendMessage intent becomes one HTML sendMessage call and a delivered result with its message id")
    func deliversAMessage() async throws {
        try await withSender { harness in
            let intent = sendIntent(
                1, chat: 42, text: "<b>Truck 12</b> &amp; trailer", replyTo: 7,
                keyboard: [[WireButton(text: "Claim", callbackData: "claim:9")]], silent: true)
            let envelopeID = try await harness.incidents.send(intent)
            try await harness.incidents.waitForResults(of: [1])
            let result = try #require(harness.incidents.results.first)
            #expect(result.envelope.causationID == envelopeID)
            #expect(result.envelope.sender == .sender)
            let call = try #require(harness.fake.calls("sendMessage").first)
            #expect(result.result == IntentResult(intentID: 1, chatID: 42, outcome: .delivered(messageID: 1000)))
            #expect(call.token == testToken)
            #expect(call.chatID == 42)
            #expect(call.text == "<b>Truck 12</b> &amp; trailer")
            #expect(call.body?["parse_mode"]?.string == "HTML")
            #expect(call.body?["reply_parameters"]?["message_id"]?.int == 7)
            #expect(call.body?["reply_parameters"]?["allow_sending_without_reply"]?.bool == true)
            #expect(call.body?["reply_markup"]?["inline_keyboard"]?[0]?[0]?["callback_data"]?.string == "claim:9")
            #expect(call.body?["disable_notification"]?.bool == true)
            #expect(harness.fake.calls.count == 1)
        }
    }

    @Test("a ForceReply prompt, an edit, a keyboard edit, a pin, an unpin and a delete become their calls")
    func everyAction() async throws {
        try await withSender { harness in
            try await harness.incidents.send(
                sendIntent(1, chat: 5, text: "Describe the issue", forceReply: WireForceReply(selective: true, placeholder: "What happened?")))
            try await harness.incidents.send(editIntent(2, chat: 5, target: .sentBy(intentID: 1), text: "edited"))
            try await harness.incidents.send(
                OutboundIntent(id: 3, chatID: 5, action: .editKeyboard(target: .message(id: 77), keyboard: [])))
            try await harness.incidents.send(pinIntent(4, chat: 5, target: .message(id: 77)))
            try await harness.incidents.send(unpinIntent(5, chat: 5, target: .message(id: 76)))
            try await harness.incidents.send(OutboundIntent(id: 6, chatID: 5, action: .delete(target: .message(id: 75))))
            let results = try await harness.incidents.waitForResults(of: [1, 2, 3, 4, 5, 6])
            #expect(results.map(\.intentID) == [1, 2, 3, 4, 5, 6])
            #expect(results.allSatisfy { if case .delivered = $0.outcome { true } else { false } })
            let calls = harness.fake.calls
            #expect(calls.map(\.method) == [
                "sendMessage", "editMessageText", "editMessageReplyMarkup", "pinChatMessage", "unpinChatMessage", "deleteMessage",
            ])
            #expect(calls[0].body?["reply_markup"]?["force_reply"]?.bool == true)
            #expect(calls[0].body?["reply_markup"]?["selective"]?.bool == true)
            #expect(calls[0].body?["reply_markup"]?["input_field_placeholder"]?.string == "What happened?")
            #expect(calls[1].body?["message_id"]?.int == 1000)
            #expect(calls[1].body?["parse_mode"]?.string == "HTML")
            #expect(calls[1].body?["reply_markup"]?["inline_keyboard"]?[0]?[0]?["text"]?.string == "Claim")
            #expect(calls[2].body?["message_id"]?.int == 77)
            #expect(calls[2].body?["reply_markup"] == nil)
            #expect(calls[3].body?["disable_notification"]?.bool == true)
            #expect(calls[4].body?["message_id"]?.int == 76)
            #expect(calls[5].body?["message_id"]?.int == 75)
        }
    }

    struct FailureCase: Sendable, CustomTestStringConvertible {
        let name: String
        let intent: OutboundIntent
        let method: String
        let replies: [FakeBotAPI.Reply]
        let expected: IntentResult.Outcome
        let calls: Int
        var testDescription: String { name }
    }

    static let kicked = "Forbidden: bot was kicked from the supergroup chat"
    static let blocked = "Forbidden: bot was blocked by the user"
    static let notMember = "Forbidden: bot is not a member of the supergroup chat"
    static let tooLong = "Bad Request: message is too long"
    static let badHTML = "Bad Request: can't parse entities: Unsupported start tag \"foo\" at byte offset 0"
    static let chatNotFound = "Bad Request: chat not found"

    static let failures: [FailureCase] = [
        FailureCase(
            name: "not modified is success", intent: editIntent(1, chat: 3, target: .message(id: 5)), method: "editMessageText",
            replies: [.failure(400, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")],
            expected: .notModified, calls: 1),
        FailureCase(
            name: "message to edit not found", intent: editIntent(1, chat: 3, target: .message(id: 5)), method: "editMessageText",
            replies: [.failure(400, "Bad Request: message to edit not found")], expected: .messageNotFound, calls: 1),
        FailureCase(
            name: "message to pin not found", intent: pinIntent(1, chat: 3, target: .message(id: 5)), method: "pinChatMessage",
            replies: [.failure(400, "Bad Request: message to pin not found")], expected: .messageNotFound, calls: 1),
        FailureCase(
            name: "message to unpin not found is done", intent: unpinIntent(1, chat: 3, target: .message(id: 5)),
            method: "unpinChatMessage", replies: [.failure(400, "Bad Request: message to unpin not found")],
            expected: .delivered(messageID: nil), calls: 1),
        FailureCase(
            name: "no pin right", intent: pinIntent(1, chat: -3, target: .message(id: 5)), method: "pinChatMessage",
            replies: [.failure(400, "Bad Request: not enough rights to manage pinned messages in the chat")],
            expected: .notEnoughRights, calls: 1),
        FailureCase(
            name: "kicked", intent: sendIntent(1, chat: -1_001_000_000_003), method: "sendMessage",
            replies: [.failure(403, kicked)], expected: .forbidden(description: kicked), calls: 1),
        FailureCase(
            name: "not a member", intent: sendIntent(1, chat: -1_001_000_000_003), method: "sendMessage",
            replies: [.failure(403, notMember)], expected: .forbidden(description: notMember), calls: 1),
        FailureCase(
            name: "blocked by the user", intent: sendIntent(1, chat: 3), method: "sendMessage",
            replies: [.failure(403, blocked)], expected: .forbidden(description: blocked), calls: 1),
        FailureCase(
            name: "query too old", intent: callbackIntent(1, chat: 3, query: "q1"), method: "answerCallbackQuery",
            replies: [.failure(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")],
            expected: .queryTooOld, calls: 1),
        FailureCase(
            name: "too long is our bug", intent: sendIntent(1, chat: 3), method: "sendMessage",
            replies: [.failure(400, tooLong)], expected: .rejected(description: tooLong), calls: 1),
        FailureCase(
            name: "bad HTML is our bug", intent: sendIntent(1, chat: 3), method: "sendMessage",
            replies: [.failure(400, badHTML)], expected: .rejected(description: badHTML), calls: 1),
        FailureCase(
            name: "chat not found is our bug", intent: sendIntent(1, chat: 3), method: "sendMessage",
            replies: [.failure(400, chatNotFound)], expected: .rejected(description: chatNotFound), calls: 1),
        FailureCase(
            name: "a 500 once is retried", intent: sendIntent(1, chat: 3), method: "sendMessage",
            replies: [.failure(500, "Internal Server Error: restart")], expected: .delivered(messageID: 1000), calls: 2),
        FailureCase(
            name: "502 HTML pages until the attempts run out", intent: sendIntent(1, chat: 3), method: "sendMessage",
            replies: [.badGatewayHTML, .badGatewayHTML, .badGatewayHTML, .badGatewayHTML],
            expected: .gaveUp(description: "3 attempts, last: server HTTP 502: 502 Bad Gateway"), calls: 3),
    ]

    @Test("each Telegram failure is classified and reported", arguments: failures)
    func failure(_ failure: FailureCase) async throws {
        let fake = FakeBotAPI()
        for reply in failure.replies { fake.script(failure.method, reply) }
        try await withSender(configuration: quickConfiguration(maxAttempts: 3), fake: fake) { harness in
            try await harness.incidents.send(failure.intent)
            let results = try await harness.incidents.waitForResults(of: [1])
            #expect(results == [IntentResult(intentID: 1, chatID: failure.intent.chatID, outcome: failure.expected)])
            // Nothing more is called afterwards.
            try await Task.sleep(for: .milliseconds(300))
            #expect(harness.fake.calls(failure.method).count == failure.calls)
            #expect(harness.incidents.results.count == 1)
        }
    }

    @Test("retries of a failing call back off: each pause is at least half of a doubling step")
    func retriesBackOff() async throws {
        let fake = FakeBotAPI()
        for _ in 0..<4 { fake.script("sendMessage", .failure(500, "Internal Server Error: restart")) }
        let configuration = SenderConfiguration(
            chatPerSecond: 100, chatBurst: 10, maxAttempts: 5, retryInitial: .milliseconds(100), retryMaximum: .seconds(2),
            heartbeatInterval: .milliseconds(200), requestTimeout: .seconds(5))
        try await withSender(configuration: configuration, fake: fake) { harness in
            try await harness.incidents.send(sendIntent(1, chat: 3))
            let results = try await harness.incidents.waitForResults(of: [1])
            #expect(results.first?.outcome == .delivered(messageID: 1000))
            let calls = harness.fake.calls("sendMessage")
            #expect(calls.count == 5)
            for (index, pair) in zip(calls, calls.dropFirst()).enumerated() {
                let gap = pair.1.arrived - (pair.0.answered ?? pair.0.arrived)
                let minimum = Duration.milliseconds(100) * (1 << index) / 2
                #expect(gap >= minimum, "retry \(index + 1) came after \(gap), expected at least \(minimum)")
            }
        }
    }

    @Test("a 401 stops the sender with one clear line, reports nothing and never logs the token")
    func unauthorizedStops() async throws {
        let fake = FakeBotAPI()
        fake.script("sendMessage", .failure(401, "Unauthorized"))
        try await withSender(fake: fake) { harness in
            try await harness.incidents.send(sendIntent(1, chat: 3))
            let end = try await harness.waitForEnd()
            guard case .failed(let message) = end else {
                Issue.record("the role did not fail: \(end)")
                return
            }
            #expect(message.contains("401"))
            #expect(harness.logs.contains("Telegram refused the bot token (401 Unauthorized)"))
            #expect(harness.incidents.results.isEmpty)
        }
    }

    @Test("without a client the sender stays idle: ready, one warning, no credit announced")
    func idleWithoutToken() async throws {
        try await withSender(withClient: false, waitForReady: false) { harness in
            try await waitUntil("ready") { harness.logs.contains("info ready") }
            #expect(harness.logs.all.contains { $0.hasPrefix("warning") && $0.contains("stays idle") })
            try await Task.sleep(for: .milliseconds(500))
            #expect(harness.incidents.readies.isEmpty)
            await harness.shutdown()
            #expect(try await harness.waitForEnd(timeout: .seconds(10)) == .finished)
        }
    }

    @Test("bad frames on the intents socket are dropped and the next intent is carried out")
    func badFrames() async throws {
        try await withSender { harness in
            try await harness.incidents.sendRaw([Data("garbage".utf8)])
            try await harness.incidents.sendRaw([Data("{}".utf8), Data("{}".utf8)])
            let ack = Envelope(type: .acknowledgement, sender: .incidents, time: Date(), payload: Acknowledgement(updateID: 1, outcome: .applied))
            try await harness.incidents.sendRaw(try WireFormat.encode(ack))
            try await harness.incidents.send(sendIntent(1, chat: 3))
            try await harness.incidents.waitForResults(of: [1])
            #expect(harness.logs.contains("frame.error=wrong_frame_count"))
            #expect(harness.logs.contains("frame.error=malformed"))
            #expect(harness.logs.contains("frame.error=unexpected_type"))
        }
    }
}

@Suite("Sender: built from settings")
struct SenderSettingsTests {
    @Test("a TELEGRAM_BOT_TOKEN that is not a bot token stops the sender with one line that does not show it")
    func invalidToken() async throws {
        let values = ["TELEGRAM_BOT_TOKEN": "not-a-number:SECRET-part", "RAISEDASH_INTENTS_ENDPOINT": "tcp://127.0.0.1:5999"]
        let logs = LogCapture()
        let role = SenderRole(
            settings: try Settings(lookup: { values[$0] }), logger: logs.logger(),
            readiness: Readiness(parts: SenderRole.readinessParts))
        await #expect(throws: SenderError.self) { try await role.run() }
        #expect(logs.all.count == 1)
        #expect(logs.all.first?.contains("TELEGRAM_BOT_TOKEN is not a bot token") == true)
        #expect(!logs.contains("SECRET-part"))
    }
}
