import Testing
@testable import TelegramSimulator

@Suite("Callback queries")
struct CallbackQueryTests {
    @Test("pressing a button sends a callback_query the bot can answer, and the answer is readable")
    func pressAndAnswer() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana", username: "ana_dispatch")
            let chat = try await sim.group(members: [ana])
            let card = try await sim.sendCard(chat, text: "<b>Incident 7</b>", buttons: [("Claim", "claim:7"), ("Resolve", "resolve:7")])
            try await sim.drainUpdates()
            let pressed = try await sim.control("POST", "chats/\(chat)/messages/\(card)/press", ["from": .int(ana), "button_text": "Claim"])
            let queryID = try #require(pressed["id"]?.stringValue)
            #expect(pressed["answered"] == false)

            let updates = try await sim.botOK("getUpdates").arrayValue ?? []
            let query = try #require(updates.first?["callback_query"])
            #expect(query["id"] == .string(queryID))
            #expect(query["data"] == "claim:7")
            #expect(query["from"]?["id"] == .int(ana))
            #expect(query["from"]?["username"] == "ana_dispatch")
            #expect(query["message"]?["message_id"] == .int(card))
            #expect(query["message"]?["reply_markup"]?["inline_keyboard"]?.arrayValue?.first?.arrayValue?.count == 2)
            #expect(query["chat_instance"]?.stringValue?.isEmpty == false)

            #expect(try await sim.botOK("answerCallbackQuery", ["callback_query_id": .string(queryID), "text": "Claimed by Ana"]) == true)
            let answered = try await sim.control("GET", "callbacks/\(queryID)")
            #expect(answered["answered"] == true)
            #expect(answered["answer"]?["text"] == "Claimed by Ana")
            #expect(answered["answer"]?["show_alert"] == false)
            let transcriptQueries = try await sim.message(chat, card)["callback_queries"]?.arrayValue ?? []
            #expect(transcriptQueries.map { $0["id"] } == [.string(queryID)])
            #expect(transcriptQueries.first?["answer"]?["text"] == "Claimed by Ana")
        }
    }

    @Test("a query is answerable for 150 seconds, then it is too old")
    func expiry() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            let chat = try await sim.group(members: [ana])
            let card = try await sim.sendCard(chat, text: "Card", buttons: [("Claim", "claim:1")])
            let tooOld = "Bad Request: query is too old and response timeout expired or query ID is invalid"

            let early = try #require(try await sim.control("POST", "chats/\(chat)/messages/\(card)/press", ["from": .int(ana), "button_text": "Claim"])["id"]?.stringValue)
            sim.clock.advance(by: 149)
            #expect(try await sim.bot("answerCallbackQuery", ["callback_query_id": .string(early)]).ok)

            let late = try #require(try await sim.control("POST", "chats/\(chat)/messages/\(card)/press", ["from": .int(ana), "button_text": "Claim"])["id"]?.stringValue)
            sim.clock.advance(by: 151)
            expectFailure(try await sim.bot("answerCallbackQuery", ["callback_query_id": .string(late), "text": "Too late"]), 400, tooOld)
            #expect(try await sim.control("GET", "callbacks/\(late)")["answered"] == false)

            // The control API's clock moves the simulated time too.
            let third = try #require(try await sim.control("POST", "chats/\(chat)/messages/\(card)/press", ["from": .int(ana), "button_text": "Claim"])["id"]?.stringValue)
            try await sim.control("POST", "clock/advance", ["seconds": 200])
            expectFailure(try await sim.bot("answerCallbackQuery", ["callback_query_id": .string(third)]), 400, tooOld)
        }
    }

    @Test("an unknown or already answered query id is refused as too old")
    func unknownOrAnsweredTwice() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            let chat = try await sim.group(members: [ana])
            let card = try await sim.sendCard(chat, text: "Card", buttons: [("Claim", "claim:1")])
            let tooOld = "Bad Request: query is too old and response timeout expired or query ID is invalid"
            expectFailure(try await sim.bot("answerCallbackQuery", ["callback_query_id": "12345"]), 400, tooOld)
            let id = try #require(try await sim.control("POST", "chats/\(chat)/messages/\(card)/press", ["from": .int(ana), "button_text": "Claim"])["id"]?.stringValue)
            #expect(try await sim.bot("answerCallbackQuery", ["callback_query_id": .string(id)]).ok)
            expectFailure(try await sim.bot("answerCallbackQuery", ["callback_query_id": .string(id)]), 400, tooOld)
        }
    }

    @Test("answer text is limited to 200 characters")
    func answerTextLimit() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            let chat = try await sim.group(members: [ana])
            let card = try await sim.sendCard(chat, text: "Card", buttons: [("Claim", "claim:1")])
            let id = try #require(try await sim.control("POST", "chats/\(chat)/messages/\(card)/press", ["from": .int(ana), "button_text": "Claim"])["id"]?.stringValue)
            expectFailure(try await sim.bot("answerCallbackQuery", ["callback_query_id": .string(id), "text": .string(String(repeating: "é", count: 201))]),
                          400, "Bad Request: MESSAGE_TOO_LONG")
            #expect(try await sim.bot("answerCallbackQuery", ["callback_query_id": .string(id), "text": .string(String(repeating: "é", count: 200)), "show_alert": true]).ok)
            #expect(try await sim.control("GET", "callbacks/\(id)")["answer"]?["show_alert"] == true)
        }
    }

    @Test("raw callback data reaches the bot unchanged, even for a message without that button")
    func forgedData() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            let chat = try await sim.group(members: [ana])
            let card = try await sim.sendCard(chat, text: "Card", buttons: [("Claim", "claim:1")])
            try await sim.drainUpdates()
            let forged = "resolve:1'; DROP TABLE incidents;--"
            try await sim.control("POST", "chats/\(chat)/messages/\(card)/press", ["from": .int(ana), "callback_data": .string(forged)])
            let updates = try await sim.botOK("getUpdates").arrayValue ?? []
            #expect(updates.first?["callback_query"]?["data"] == .string(forged))
        }
    }

    @Test("pressing is refused for a missing button, a URL button, a stranger or a deleted message")
    func pressRefusals() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            let stranger = try await sim.user("Sam")
            let chat = try await sim.group(members: [ana])
            let card = try await sim.botOK("sendMessage", [
                "chat_id": .int(chat), "text": "Card",
                "reply_markup": ["inline_keyboard": [[["text": "Docs", "url": "https://example.com"]], [["text": "Claim", "callback_data": "c"]]]],
            ])["message_id"]?.intValue ?? 0
            #expect(try await sim.controlReply("POST", "chats/\(chat)/messages/\(card)/press", ["from": .int(ana), "button_text": "Nope"]).status == 404)
            #expect(try await sim.controlReply("POST", "chats/\(chat)/messages/\(card)/press", ["from": .int(ana), "button_text": "Docs"]).status == 400)
            #expect(try await sim.controlReply("POST", "chats/\(chat)/messages/\(card)/press", ["from": .int(stranger), "button_text": "Claim"]).status == 400)
            #expect(try await sim.controlReply("POST", "chats/\(chat)/messages/\(card)/press", ["from": .int(ana)]).status == 400)
            try await sim.botOK("deleteMessage", ["chat_id": .int(chat), "message_id": .int(card)])
            #expect(try await sim.controlReply("POST", "chats/\(chat)/messages/\(card)/press", ["from": .int(ana), "button_text": "Claim"]).status == 404)
        }
    }
}
