import SimulatorClient
import Testing
@testable import TelegramSimulator

/// Every error description of shared/telegram/README.md, produced the way Telegram produces it.
@Suite("Error answers")
struct ErrorAnswerTests {
    @Test("a wrong token is 401 Unauthorized and the answer does not echo the token")
    func wrongToken() async throws {
        try await withSimulator { sim in
            let reply = try await sim.bot("getMe", token: "123456:WRONG")
            expectFailure(reply, 401, "Unauthorized")
            #expect(!reply.rawBody.contains("WRONG"))
        }
    }

    @Test("an unknown method is 404; method names match case-insensitively")
    func unknownMethod() async throws {
        try await withSimulator { sim in
            expectFailure(try await sim.bot("sendMesage", ["chat_id": 1, "text": "x"]), 404, "Not Found: method not found")
            #expect(try await sim.bot("getme").ok)
        }
    }

    @Test("a method of the spec the simulator does not carry out says so with 501")
    func notSimulated() async throws {
        try await withSimulator { sim in
            expectFailure(try await sim.bot("sendPhoto", ["chat_id": 1, "photo": "x"]), 501,
                          "Not Implemented: the simulator does not implement sendPhoto")
        }
    }

    @Test("missing required parameters are 400", arguments: [
        ("sendMessage", ["text": "x"] as JSONValue, "Bad Request: chat_id is empty"),
        ("sendMessage", ["chat_id": 1] as JSONValue, "Bad Request: message text is empty"),
        ("sendMessage", ["chat_id": 1, "text": ""] as JSONValue, "Bad Request: message text is empty"),
        ("answerCallbackQuery", [:] as JSONValue, "Bad Request: parameter \"callback_query_id\" is required"),
        ("pinChatMessage", ["chat_id": 1] as JSONValue, "Bad Request: message identifier is not specified"),
        ("getChatMember", ["chat_id": 1] as JSONValue, "Bad Request: parameter \"user_id\" is required"),
        ("setMyCommands", [:] as JSONValue, "Bad Request: parameter \"commands\" is required"),
    ])
    func missingParameters(method: String, parameters: JSONValue, description: String) async throws {
        try await withSimulator { sim in
            expectFailure(try await sim.bot(method, parameters), 400, description)
        }
    }

    @Test("parameters of the wrong type are 400")
    func wrongTypes() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            let chat = try await sim.group(members: [ana])
            expectFailure(try await sim.bot("sendMessage", ["chat_id": .int(chat), "text": "x", "reply_markup": ["inline_keyboard": "nope"]]),
                          400, "Bad Request: can't parse reply keyboard markup JSON object")
            expectFailure(try await sim.bot("sendMessage", ["chat_id": .int(chat), "text": "x", "disable_notification": "maybe"]),
                          400, "Bad Request: field \"disable_notification\" must be of type Boolean")
            expectFailure(try await sim.bot("getUpdates", ["offset": "soon"]), 400, "Bad Request: field \"offset\" must be of type Integer")
            expectFailure(try await sim.bot("sendMessage", ["chat_id": .int(chat), "text": "x",
                                                            "reply_markup": ["inline_keyboard": [[["text": "A", "callback_data": .string(String(repeating: "x", count: 65))]]]]]),
                          400, "Bad Request: BUTTON_DATA_INVALID")
        }
    }

    @Test("an unknown chat is 400 chat not found, by id and by @username")
    func chatNotFound() async throws {
        try await withSimulator { sim in
            expectFailure(try await sim.bot("sendMessage", ["chat_id": -100999, "text": "x"]), 400, "Bad Request: chat not found")
            expectFailure(try await sim.bot("sendMessage", ["chat_id": "@nowhere", "text": "x"]), 400, "Bad Request: chat not found")
            expectFailure(try await sim.bot("getChat", ["chat_id": 42]), 400, "Bad Request: chat not found")
        }
    }

    @Test("text over 4096 characters after parsing is too long; markup does not count")
    func messageTooLong() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            let chat = try await sim.group(members: [ana])
            let limit = String(repeating: "x", count: 4096)
            #expect(try await sim.bot("sendMessage", ["chat_id": .int(chat), "text": .string("<b>\(limit)</b>"), "parse_mode": "HTML"]).ok)
            expectFailure(try await sim.bot("sendMessage", ["chat_id": .int(chat), "text": .string(limit + "y")]),
                          400, "Bad Request: message is too long")
            // 4096 "&amp;" are 4096 characters after parsing: still fine.
            let entities = String(repeating: "&amp;", count: 4096)
            #expect(try await sim.bot("sendMessage", ["chat_id": .int(chat), "text": .string(entities), "parse_mode": "HTML"]).ok)
        }
    }

    @Test("HTML Telegram refuses is 400 can't parse entities and nothing is sent", arguments: [
        ("<blink>x</blink>", "Bad Request: can't parse entities: Unsupported start tag \"blink\" at byte offset 0"),
        ("<b>open", "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\""),
        ("<b><i>x</b></i>", "Bad Request: can't parse entities: Unmatched end tag at byte offset 7, expected \"</i>\", found \"</b>\""),
        ("Tom & Jerry", "Bad Request: can't parse entities: Unescaped \"&\"; use &amp; at byte offset 4"),
        ("a <3 b", "Bad Request: can't parse entities: Unescaped \"<\" at byte offset 2; use &lt;"),
    ])
    func cantParseEntities(html: String, description: String) async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            let chat = try await sim.group(members: [ana])
            let before = try await sim.transcript(chat)["messages"]?.arrayValue?.count
            expectFailure(try await sim.bot("sendMessage", ["chat_id": .int(chat), "text": .string(html), "parse_mode": "HTML"]), 400, description)
            #expect(try await sim.transcript(chat)["messages"]?.arrayValue?.count == before)
        }
    }

    @Test("valid nested HTML is accepted and comes back as entities")
    func validHTML() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            let chat = try await sim.group(members: [ana])
            let message = try await sim.botOK("sendMessage", [
                "chat_id": .int(chat), "parse_mode": "HTML",
                "text": .string("<b>Incident <i>#12</i></b>: dock &lt;3&gt; &amp; <a href=\"tg://user?id=\(ana)\">Ana</a>"),
            ])
            #expect(message["text"] == "Incident #12: dock <3> & Ana")
            let types = message["entities"]?.arrayValue?.compactMap { $0["type"]?.stringValue }
            #expect(types == ["bold", "italic", "text_mention"])
            #expect(message["entities"]?.arrayValue?.last?["user"]?["id"] == .int(ana))
        }
    }

    @Test("editing to the same content is 'message is not modified'")
    func notModified() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            let chat = try await sim.group(members: [ana])
            let card = try await sim.sendCard(chat, text: "<b>Card</b>", buttons: [("Claim", "claim:1")])
            let keyboard: JSONValue = ["inline_keyboard": [[["text": "Claim", "callback_data": "claim:1"]]]]
            let notModified = "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"
            expectFailure(try await sim.bot("editMessageText", [
                "chat_id": .int(chat), "message_id": .int(card), "text": "<b>Card</b>", "parse_mode": "HTML", "reply_markup": keyboard,
            ]), 400, notModified)
            expectFailure(try await sim.bot("editMessageReplyMarkup", ["chat_id": .int(chat), "message_id": .int(card), "reply_markup": keyboard]),
                          400, notModified)
            // Same text without the keyboard is a change: the keyboard goes.
            let edited = try await sim.botOK("editMessageText", ["chat_id": .int(chat), "message_id": .int(card), "text": "<b>Card</b>", "parse_mode": "HTML"])
            #expect(edited["reply_markup"] == nil)
            #expect(edited["edit_date"] != nil)
        }
    }

    @Test("editing a message that is not there is 'message to edit not found'")
    func messageToEditNotFound() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            let chat = try await sim.group(members: [ana])
            expectFailure(try await sim.bot("editMessageText", ["chat_id": .int(chat), "message_id": 999, "text": "x"]),
                          400, "Bad Request: message to edit not found")
            let card = try await sim.sendCard(chat, text: "Card", buttons: [("Claim", "claim:1")])
            try await sim.botOK("deleteMessage", ["chat_id": .int(chat), "message_id": .int(card)])
            expectFailure(try await sim.bot("editMessageText", ["chat_id": .int(chat), "message_id": .int(card), "text": "x"]),
                          400, "Bad Request: message to edit not found")
            expectFailure(try await sim.bot("editMessageReplyMarkup", ["chat_id": .int(chat), "message_id": .int(card)]),
                          400, "Bad Request: message to edit not found")
            expectFailure(try await sim.bot("deleteMessage", ["chat_id": .int(chat), "message_id": .int(card)]),
                          400, "Bad Request: message to delete not found")
        }
    }

    @Test("pinning needs the pin right; missing messages are 'to pin/unpin not found'")
    func pinning() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            let chat = try await sim.group(members: [ana], bot: BotRights(status: .member))
            let card = try await sim.sendCard(chat, text: "Card", buttons: [("Claim", "claim:1")])
            expectFailure(try await sim.bot("pinChatMessage", ["chat_id": .int(chat), "message_id": .int(card)]),
                          400, "Bad Request: not enough rights to manage pinned messages in the chat")
            // An administrator without the pin right is refused too.
            try await sim.control("POST", "chats/\(chat)/bot", ["status": "administrator", "can_pin_messages": false])
            expectFailure(try await sim.bot("pinChatMessage", ["chat_id": .int(chat), "message_id": .int(card)]),
                          400, "Bad Request: not enough rights to manage pinned messages in the chat")
            try await sim.control("POST", "chats/\(chat)/bot", ["status": "administrator", "can_pin_messages": true])
            expectFailure(try await sim.bot("pinChatMessage", ["chat_id": .int(chat), "message_id": 999]), 400, "Bad Request: message to pin not found")
            expectFailure(try await sim.bot("unpinChatMessage", ["chat_id": .int(chat), "message_id": .int(card)]),
                          400, "Bad Request: message to unpin not found")
            #expect(try await sim.botOK("pinChatMessage", ["chat_id": .int(chat), "message_id": .int(card), "disable_notification": true]) == true)
            #expect(try await sim.message(chat, card)["pinned"] == true)
            #expect(try await sim.botOK("getChat", ["chat_id": .int(chat)])["pinned_message"]?["message_id"] == .int(card))
            #expect(try await sim.botOK("unpinChatMessage", ["chat_id": .int(chat), "message_id": .int(card)]) == true)
            #expect(try await sim.message(chat, card)["pinned"] == false)
        }
    }

    @Test("a migrated group answers 400 with migrate_to_chat_id")
    func upgradedGroup() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            let chat = try await sim.group(members: [ana])
            let supergroup = try await sim.control("POST", "chats/\(chat)/migrate", [:])
            let newID = try #require(supergroup["id"]?.intValue)
            expectFailure(try await sim.bot("sendMessage", ["chat_id": .int(chat), "text": "x"]), 400,
                          "Bad Request: group chat was upgraded to a supergroup chat", parameters: ["migrate_to_chat_id": .int(newID)])
            #expect(try await sim.bot("sendMessage", ["chat_id": .int(newID), "text": "x"]).ok)
        }
    }

    @Test("a bot removed from a group is refused with 403", arguments: [
        (ChatType.supergroup, "kicked", "Forbidden: bot was kicked from the supergroup chat"),
        (ChatType.group, "kicked", "Forbidden: bot was kicked from the group chat"),
        (ChatType.supergroup, "left", "Forbidden: bot is not a member of the supergroup chat"),
        (ChatType.group, "left", "Forbidden: bot is not a member of the group chat"),
    ])
    func removedBot(type: ChatType, status: String, description: String) async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            let chat = try await sim.group(type: type, members: [ana])
            try await sim.control("POST", "chats/\(chat)/bot", ["status": .string(status)])
            expectFailure(try await sim.bot("sendMessage", ["chat_id": .int(chat), "text": "x"]), 403, description)
            expectFailure(try await sim.bot("editMessageText", ["chat_id": .int(chat), "message_id": 1, "text": "x"]), 403, description)
        }
    }

    @Test("private messages the bot cannot send are 403")
    func privateChats() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            expectFailure(try await sim.bot("sendMessage", ["chat_id": .int(ana), "text": "hi"]), 403,
                          "Forbidden: bot can't initiate conversation with a user")
            try await sim.control("POST", "users/\(ana)/private", ["text": "/start"])
            #expect(try await sim.bot("sendMessage", ["chat_id": .int(ana), "text": "hi"]).ok)
            try await sim.control("POST", "users/\(ana)/block", ["blocked": true])
            expectFailure(try await sim.bot("sendMessage", ["chat_id": .int(ana), "text": "hi"]), 403, "Forbidden: bot was blocked by the user")
        }
    }

    @Test("a reply to a message that is not there is refused unless allowed")
    func replyNotFound() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            let chat = try await sim.group(members: [ana])
            expectFailure(try await sim.bot("sendMessage", ["chat_id": .int(chat), "text": "x", "reply_parameters": ["message_id": 999]]),
                          400, "Bad Request: message to be replied not found")
            let sent = try await sim.botOK("sendMessage", [
                "chat_id": .int(chat), "text": "x", "reply_parameters": ["message_id": 999, "allow_sending_without_reply": true],
            ])
            #expect(sent["reply_to_message"] == nil)
        }
    }

    @Test("an injected 500 carries Telegram's restart description")
    func internalServerError() async throws {
        try await withSimulator { sim in
            try await sim.control("POST", "faults", ["method": "getMe", "error_code": 500])
            expectFailure(try await sim.bot("getMe"), 500, "Internal Server Error: restart")
            #expect(try await sim.bot("getMe").ok)
        }
    }
}
