import Testing
@testable import TelegramSimulator

/// The simulator's answers checked against the Bot API spec: every required field present,
/// every field of the declared JSON type, no field the type does not have.
@Suite("Answers conform to the Bot API spec")
struct SpecConformanceTests {
    private func check(_ result: JSONValue?, as types: [String], _ what: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let spec = try BotAPISpec.bundled()
        let value = try #require(result, "\(what): no result", sourceLocation: sourceLocation)
        let problems = spec.problems(value, as: types, path: what, strictness: .answer)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))", sourceLocation: sourceLocation)
    }

    private func checkMethod(_ sim: RunningSimulator, _ method: String, _ parameters: JSONValue = [:],
                             sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let spec = try BotAPISpec.bundled()
        let returns = try #require(spec.method(named: method)?.returns)
        let reply = try await sim.bot(method, parameters)
        #expect(reply.ok, "\(reply)", sourceLocation: sourceLocation)
        try check(reply.result, as: returns, method, sourceLocation: sourceLocation)
    }

    @Test("the checker itself finds missing, mistyped and unknown fields")
    func checkerFindsProblems() throws {
        let spec = try BotAPISpec.bundled()
        let problems = spec.problems(["id": "7", "first_name": "A", "colour": "red"], as: ["User"], path: "user", strictness: .answer)
        #expect(Set(problems) == ["user.id: expected Integer", "user.is_bot: required field is missing", "user.colour: not a field of User"])
        #expect(spec.problems(["id": 7, "is_bot": false, "first_name": "A"], as: ["User"], path: "user", strictness: .answer).isEmpty)
    }

    @Test("method results")
    func methodResults() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana", username: "ana_ops")
            let ben = try await sim.user("Ben")
            let chat = try await sim.group(members: [ana, ben])
            try await sim.control("POST", "users/\(ben)/private", ["text": "/start"])
            try await checkMethod(sim, "getMe")
            let report = try await sim.control("POST", "chats/\(chat)/messages", ["from": .int(ana), "text": "/new_issue gate 4"])
            try await checkMethod(sim, "sendMessage", [
                "chat_id": .int(chat), "parse_mode": "HTML",
                "text": .string("<b>Incident</b> for <a href=\"tg://user?id=\(ana)\">Ana</a> <a href=\"https://x.test\">link</a> <pre><code class=\"language-swift\">x</code></pre>"),
                "reply_parameters": ["message_id": report["message_id"] ?? 0],
                "reply_markup": ["inline_keyboard": [[["text": "Claim", "callback_data": "claim:1"], ["text": "Docs", "url": "https://x.test"]]]],
            ])
            try await checkMethod(sim, "sendMessage", ["chat_id": .int(ben), "text": "private", "reply_markup": ["force_reply": true]])
            try await checkMethod(sim, "editMessageText", ["chat_id": .int(chat), "message_id": 3, "text": "edited"])
            try await checkMethod(sim, "getChat", ["chat_id": .int(chat)])
            try await checkMethod(sim, "getChat", ["chat_id": .int(ben)])
            try await checkMethod(sim, "getChatMember", ["chat_id": .int(chat), "user_id": .int(ana)])
            try await checkMethod(sim, "getChatMember", ["chat_id": .int(chat), "user_id": .int(ben)])
            try await checkMethod(sim, "getChatMember", ["chat_id": .int(chat), "user_id": .int(sim.botID)])
            try await checkMethod(sim, "getChatAdministrators", ["chat_id": .int(chat)])
            try await checkMethod(sim, "getChatMemberCount", ["chat_id": .int(chat)])
            try await checkMethod(sim, "setMyCommands", ["commands": [["command": "help", "description": "Help"]]])
            try await checkMethod(sim, "getMyCommands")
            try await checkMethod(sim, "getWebhookInfo")
            try await checkMethod(sim, "deleteWebhook")
            try await checkMethod(sim, "pinChatMessage", ["chat_id": .int(chat), "message_id": 3])
            try await checkMethod(sim, "getChat", ["chat_id": .int(chat)])
        }
    }

    @Test("every kind of update")
    func updates() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana", username: "ana_ops")
            let ben = try await sim.user("Ben")
            let chat = try await sim.group(members: [ana])
            let card = try await sim.sendCard(chat, text: "<b>Card</b>", buttons: [("Claim", "claim:1")])
            try await sim.botOK("pinChatMessage", ["chat_id": .int(chat), "message_id": .int(card)])
            try await sim.control("POST", "chats/\(chat)/messages", ["from": .int(ana), "text": "/new_issue@RaiseDashBot", "reply_to_message_id": .int(card)])
            try await sim.control("POST", "chats/\(chat)/messages/\(card)/press", ["from": .int(ana), "button_text": "Claim"])
            try await sim.control("POST", "chats/\(chat)/members", ["user_id": .int(ben)])
            try await sim.control("DELETE", "chats/\(chat)/members/\(ben)")
            try await sim.control("POST", "chats/\(chat)/bot", ["status": "member"])
            try await sim.control("POST", "chats/\(chat)/migrate", [:])
            try await sim.control("POST", "users/\(ben)/private", ["text": "/start"])
            try await sim.control("POST", "users/\(ben)/block", ["blocked": true])
            let reply = try await sim.bot("getUpdates")
            let kinds = Set((reply.result?.arrayValue ?? []).compactMap { $0.objectValue?.keys.first { $0 != "update_id" } })
            #expect(kinds == ["message", "callback_query", "my_chat_member"])
            #expect((reply.result?.arrayValue?.count ?? 0) >= 10)
            try check(reply.result, as: ["Array of Update"], "getUpdates")
        }
    }
}
