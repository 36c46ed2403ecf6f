import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SimulatorClient
import Testing
@testable import TelegramSimulator

@Suite("Control API")
struct ControlAPITests {
    private func kinds(_ updates: [JSONValue]) -> [String] {
        updates.compactMap { $0.objectValue?.keys.first { $0 != "update_id" } }
    }

    @Test("users: created, listed, and bad or duplicate ones refused")
    func users() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana", username: "ana_ops", id: 777)
            #expect(ana == 777)
            let auto = try await sim.user("Ben")
            #expect(auto != ana)
            #expect(try await sim.controlReply("POST", "users", ["id": 777, "first_name": "Copy"]).status == 409)
            #expect(try await sim.controlReply("POST", "users", ["first_name": "X", "username": "ana_ops"]).status == 409)
            #expect(try await sim.controlReply("POST", "users", ["first_name": "X", "username": "a b"]).status == 400)
            #expect(try await sim.controlReply("POST", "users", ["first_name": ""]).status == 400)
            #expect(try await sim.controlReply("POST", "users", ["first_name": "X", "id": "seven"]).status == 400)
            let list = try await sim.control("GET", "users").arrayValue ?? []
            #expect(list.compactMap { $0["first_name"]?.stringValue } == ["Ana", "Ben"])
            #expect(list.first?["username"] == "ana_ops")
        }
    }

    @Test("a group with the bot as administrator: creation message, my_chat_member, members and rights")
    func createGroup() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            let ben = try await sim.user("Ben")
            let chat = try await sim.group("Night shift", members: [ana, ben])
            #expect(chat < 0)
            let updates = try await sim.botOK("getUpdates").arrayValue ?? []
            #expect(Set(kinds(updates)) == ["my_chat_member", "message"])
            let member = try #require(updates.first { $0["my_chat_member"] != nil }?["my_chat_member"])
            #expect(member["old_chat_member"]?["status"] == "left")
            #expect(member["new_chat_member"]?["status"] == "administrator")
            #expect(member["new_chat_member"]?["can_pin_messages"] == true)
            #expect(member["from"]?["id"] == .int(ana))
            #expect(updates.first { $0["message"] != nil }?["message"]?["group_chat_created"] == true)

            let transcript = try await sim.transcript(chat)
            #expect(transcript["title"] == "Night shift")
            #expect(transcript["type"] == "group")
            #expect(transcript["bot"]?["status"] == "administrator")
            #expect(transcript["members"]?.arrayValue?.compactMap { $0["status"]?.stringValue } == ["creator", "member"])
            let admins = try await sim.botOK("getChatAdministrators", ["chat_id": .int(chat)]).arrayValue ?? []
            #expect(admins.compactMap { $0["user"]?["id"]?.intValue } == [ana, sim.botID])
            #expect(try await sim.botOK("getChatMember", ["chat_id": .int(chat), "user_id": .int(ben)])["status"] == "member")
            #expect(try await sim.botOK("getChatMemberCount", ["chat_id": .int(chat)]) == 3)
            expectFailure(try await sim.bot("getChatMember", ["chat_id": .int(chat), "user_id": 5]), 400, "Bad Request: user not found")

            #expect(try await sim.controlReply("POST", "chats", ["type": "channel", "title": "x"]).status == 400)
            #expect(try await sim.controlReply("POST", "chats", ["title": "x", "members": [424242]]).status == 404)
        }
    }

    @Test("the transcript shows text, formatting, buttons, reply-to, edits, pins and deletions")
    func transcript() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            let chat = try await sim.group(members: [ana])
            let report = try await sim.control("POST", "chats/\(chat)/messages", ["from": .int(ana), "text": "Truck 12 stuck at gate <3>"])
            let reportID = try #require(report["message_id"]?.intValue)
            let card = try await sim.botOK("sendMessage", [
                "chat_id": .int(chat), "parse_mode": "HTML", "text": "<b>Incident</b> &amp; more",
                "reply_parameters": ["message_id": .int(reportID)],
                "reply_markup": ["inline_keyboard": [[["text": "Claim", "callback_data": "claim:1"]]]],
            ])
            let cardID = try #require(card["message_id"]?.intValue)
            #expect(card["reply_to_message"]?["message_id"] == .int(reportID))
            try await sim.botOK("editMessageText", [
                "chat_id": .int(chat), "message_id": .int(cardID), "parse_mode": "HTML", "text": "<b>Incident</b> claimed",
                "reply_markup": ["inline_keyboard": [[["text": "Resolve", "callback_data": "resolve:1"]]]],
            ])
            try await sim.botOK("pinChatMessage", ["chat_id": .int(chat), "message_id": .int(cardID)])
            let note = try await sim.botOK("sendMessage", ["chat_id": .int(chat), "text": "temporary"])
            try await sim.botOK("deleteMessage", ["chat_id": .int(chat), "message_id": note["message_id"] ?? 0])

            let transcript = try await sim.transcript(chat)
            #expect(transcript["pinned_message_id"] == .int(cardID))
            let entry = try await sim.message(chat, cardID)
            #expect(entry["text"] == "Incident claimed")
            #expect(entry["html"] == "<b>Incident</b> claimed")
            #expect(entry["reply_to_message_id"] == .int(reportID))
            #expect(entry["buttons"] == [[["text": "Resolve", "callback_data": "resolve:1"]]])
            #expect(entry["pinned"] == true)
            let revisions = entry["revisions"]?.arrayValue ?? []
            #expect(revisions.compactMap { $0["html"]?.stringValue } == ["<b>Incident</b> &amp; more", "<b>Incident</b> claimed"])
            #expect(revisions.first?["buttons"] == [[["text": "Claim", "callback_data": "claim:1"]]])
            // A person's text is shown literally, never as markup.
            #expect(try await sim.message(chat, reportID)["html"] == "Truck 12 stuck at gate &lt;3&gt;")
            let deleted = try await sim.message(chat, note["message_id"]?.intValue ?? 0)
            #expect(deleted["deleted"] == true)
            let service = (transcript["messages"]?.arrayValue ?? []).compactMap { $0["service"]?["kind"]?.stringValue }
            #expect(service == ["group_chat_created", "pinned_message"])
        }
    }

    @Test("privacy mode: a non-admin bot gets commands, replies to it and mentions, not chatter")
    func privacyMode() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            let chat = try await sim.group(members: [ana], bot: BotRights(status: .member))
            let card = try await sim.botOK("sendMessage", [
                "chat_id": .int(chat), "text": "What happened?",
                "reply_markup": ["force_reply": true, "selective": true, "input_field_placeholder": "Summary"],
            ])
            try await sim.drainUpdates()
            func post(_ text: String, replyTo: Int? = nil) async throws -> Bool {
                var body: [String: JSONValue] = ["from": .int(ana), "text": .string(text)]
                if let replyTo { body["reply_to_message_id"] = .int(replyTo) }
                return try await sim.control("POST", "chats/\(chat)/messages", .object(body))["delivered_to_bot"] == true
            }
            #expect(try await post("just chatting") == false)
            #expect(try await post("/new_issue") == true)
            #expect(try await post("/new_issue@RaiseDashBot door") == true)
            #expect(try await post("/new_issue@OtherBot") == false)
            #expect(try await post("hey @RaiseDashBot look") == true)
            #expect(try await post("Pallet fell", replyTo: card["message_id"]?.intValue) == true)
            #expect(try await sim.message(chat, card["message_id"]?.intValue ?? 0)["force_reply"]?["input_field_placeholder"] == "Summary")

            let updates = try await sim.botOK("getUpdates").arrayValue ?? []
            let texts = updates.compactMap { $0["message"]?["text"]?.stringValue }
            #expect(texts == ["/new_issue", "/new_issue@RaiseDashBot door", "hey @RaiseDashBot look", "Pallet fell"])
            let command = updates[1]["message"]?["entities"]?.arrayValue?.first
            #expect(command?["type"] == "bot_command")
            #expect(command?["length"] == 23)
            #expect(updates[3]["message"]?["reply_to_message"]?["message_id"] == card["message_id"])

            // Privacy off (or the bot an administrator): everything arrives.
            try await sim.control("PUT", "privacy", ["enabled": false])
            #expect(try await post("just chatting") == true)
        }
    }

    @Test("the command endpoint writes /command, optionally @bot, with arguments and reply")
    func commandEndpoint() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            let ben = try await sim.user("Ben")
            let chat = try await sim.group(members: [ana, ben])
            let report = try await sim.control("POST", "chats/\(chat)/messages", ["from": .int(ben), "text": "Forklift 3 is leaking oil"])
            try await sim.drainUpdates()
            let posted = try await sim.control("POST", "chats/\(chat)/commands", [
                "from": .int(ana), "command": "new_issue", "mention_bot": true, "reply_to_message_id": report["message_id"] ?? 0,
            ])
            #expect(posted["text"] == "/new_issue@RaiseDashBot")
            let message = try #require(try await sim.botOK("getUpdates").arrayValue?.first?["message"])
            #expect(message["text"] == "/new_issue@RaiseDashBot")
            #expect(message["reply_to_message"]?["text"] == "Forklift 3 is leaking oil")
            #expect(message["reply_to_message"]?["from"]?["id"] == .int(ben))
            #expect(try await sim.controlReply("POST", "chats/\(chat)/commands", ["from": .int(ana), "command": "bad command"]).status == 400)
        }
    }

    @Test("adding, promoting and removing the bot each send my_chat_member")
    func botMembership() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            let chat = try await sim.group(type: .supergroup, members: [ana], bot: BotRights(status: .left))
            #expect(try await sim.botOK("getUpdates") == .array([]))
            try await sim.control("POST", "chats/\(chat)/bot", ["status": "member", "by": .int(ana)])
            try await sim.control("POST", "chats/\(chat)/bot", ["status": "administrator", "can_pin_messages": true])
            try await sim.control("POST", "chats/\(chat)/bot", ["status": "kicked"])
            let updates = try await sim.botOK("getUpdates").arrayValue ?? []
            let changes = updates.compactMap { $0["my_chat_member"] }.map {
                "\($0["old_chat_member"]?["status"]?.stringValue ?? "?")->\($0["new_chat_member"]?["status"]?.stringValue ?? "?")"
            }
            #expect(changes == ["left->member", "member->administrator", "administrator->kicked"])
            #expect(updates.contains { $0["message"]?["new_chat_members"]?.arrayValue?.first?["id"] == .int(sim.botID) })
            expectFailure(try await sim.bot("getChat", ["chat_id": .int(chat)]), 403, "Forbidden: bot was kicked from the supergroup chat")
            #expect(try await sim.controlReply("POST", "chats/\(chat)/bot", ["status": "owner"]).status == 400)
        }
    }

    @Test("people joining and leaving are service messages the bot receives")
    func members() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            let ben = try await sim.user("Ben")
            let chat = try await sim.group(members: [ana], bot: BotRights(status: .member))
            try await sim.drainUpdates()
            try await sim.control("POST", "chats/\(chat)/members", ["user_id": .int(ben)])
            #expect(try await sim.control("DELETE", "chats/\(chat)/members/\(ben)")["members"]?.arrayValue?.last?["status"] == "left")
            let messages = (try await sim.botOK("getUpdates").arrayValue ?? []).compactMap { $0["message"] }
            #expect(messages.first?["new_chat_members"]?.arrayValue?.first?["id"] == .int(ben))
            #expect(messages.last?["left_chat_member"]?["id"] == .int(ben))
            #expect(try await sim.controlReply("POST", "chats/\(chat)/messages", ["from": .int(ben), "text": "hi"]).status == 400)
        }
    }

    @Test("migration: a new supergroup id and the two service messages, as Telegram sends them")
    func migration() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            let chat = try await sim.group("Yard", members: [ana])
            try await sim.drainUpdates()
            let supergroup = try await sim.control("POST", "chats/\(chat)/migrate", ["by": .int(ana)])
            let newID = try #require(supergroup["id"]?.intValue)
            #expect(supergroup["type"] == "supergroup")
            #expect(supergroup["migrated_from_chat_id"] == .int(chat))
            #expect(newID < -1_000_000_000_000)
            let messages = (try await sim.botOK("getUpdates").arrayValue ?? []).compactMap { $0["message"] }
            #expect(messages.count == 2)
            #expect(messages.first?["chat"]?["id"] == .int(chat))
            #expect(messages.first?["migrate_to_chat_id"] == .int(newID))
            #expect(messages.last?["chat"]?["id"] == .int(newID))
            #expect(messages.last?["chat"]?["type"] == "supergroup")
            #expect(messages.last?["migrate_from_chat_id"] == .int(chat))
            #expect(try await sim.transcript(chat)["migrated_to_chat_id"] == .int(newID))
            // The bot keeps its rights in the supergroup; the old group takes nothing more.
            #expect(try await sim.transcript(newID)["bot"]?["status"] == "administrator")
            #expect(try await sim.controlReply("POST", "chats/\(chat)/messages", ["from": .int(ana), "text": "hi"]).status == 400)
            #expect(try await sim.controlReply("POST", "chats/\(chat)/migrate", [:]).status == 409)
            #expect(try await sim.controlReply("POST", "chats/\(newID)/migrate", [:]).status == 400)
        }
    }

    @Test("the call log records every Bot API call with its simulated time and outcome")
    func callLog() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            let chat = try await sim.group(members: [ana])
            let start = sim.clock.now().timeIntervalSince1970
            try await sim.botOK("sendMessage", ["chat_id": .int(chat), "text": "one"])
            sim.clock.advance(by: 2.5)
            _ = try await sim.bot("sendMessage", ["chat_id": 1, "text": "two"])
            _ = try await sim.bot("noSuchMethod")
            let calls = try await sim.control("GET", "calls").arrayValue ?? []
            #expect(calls.compactMap { $0["method"]?.stringValue } == ["sendMessage", "sendMessage", "noSuchMethod"])
            #expect(calls.map { $0["ok"] } == [true, false, false])
            #expect(calls[0]["chat_id"] == .int(chat))
            #expect(calls[0]["at"]?.doubleValue == start)
            #expect(calls[1]["at"]?.doubleValue == start + 2.5)
            #expect(calls[1]["description"] == "Bad Request: chat not found")
            let since = calls[0]["sequence"]?.intValue ?? 0
            #expect(try await sim.control("GET", "calls?since=\(since)").arrayValue?.count == 2)
            #expect(try await sim.control("GET", "calls?method=noSuchMethod").arrayValue?.count == 1)
            try await sim.control("DELETE", "calls")
            #expect(try await sim.control("GET", "calls") == .array([]))
        }
    }

    @Test("reset forgets everything but keeps update ids growing")
    func reset() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            _ = try await sim.group(members: [ana])
            let before = try #require(try await sim.drainUpdates().last?["update_id"]?.intValue)
            try await sim.control("POST", "faults", ["method": "getMe", "error_code": 500])
            try await sim.control("POST", "reset")
            let state = try await sim.control("GET", "state")
            #expect(state["users"] == .array([]))
            #expect(state["chats"] == .array([]))
            #expect(try await sim.control("GET", "faults") == .array([]))
            #expect(try await sim.bot("getMe").ok)
            let ben = try await sim.user("Ben")
            _ = try await sim.group(members: [ben])
            let after = try #require(try await sim.botOK("getUpdates").arrayValue?.first?["update_id"]?.intValue)
            #expect(after > before)
        }
    }

    @Test("the wait endpoint returns as soon as something changes")
    func waitForChange() async throws {
        try await withSimulator { sim in
            let version = try #require(try await sim.control("GET", "state")["version"]?.intValue)
            async let waited = sim.control("GET", "wait?version=\(version)&timeout=30")
            try await Task.sleep(for: .milliseconds(100))
            _ = try await sim.user("Ana")
            let changed = try #require(try await waited["version"]?.intValue)
            #expect(changed > version)
            // With a stale version it answers at once.
            #expect(try await sim.control("GET", "wait?version=\(version)&timeout=30")["version"]?.intValue ?? 0 > version)
        }
    }

    @Test("setMyCommands is stored and visible through getMyCommands and the control API")
    func commands() async throws {
        try await withSimulator { sim in
            let commands: JSONValue = [["command": "new_issue", "description": "Report a problem"], ["command": "help", "description": "How it works"]]
            #expect(try await sim.botOK("setMyCommands", ["commands": commands]) == true)
            #expect(try await sim.botOK("getMyCommands") == commands)
            #expect(try await sim.control("GET", "commands").objectValue?.values.first == commands)
            expectFailure(try await sim.bot("setMyCommands", ["commands": [["command": "New Issue", "description": "x"]]]),
                          400, "Bad Request: BOT_COMMAND_INVALID")
        }
    }

    @Test("unknown endpoints, wrong methods and bodies that are not JSON objects are refused")
    func badControlRequests() async throws {
        try await withSimulator { sim in
            #expect(try await sim.controlReply("GET", "nothing").status == 404)
            #expect(try await sim.controlReply("DELETE", "users").status == 405)
            #expect(try await sim.controlReply("GET", "chats/abc").status == 400)
            #expect(try await sim.controlReply("GET", "chats/-5").status == 404)
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(sim.port)/control/users")!)
            request.httpMethod = "POST"
            request.httpBody = Data("[1, 2".utf8)
            let reply = try await sim.send(request)
            #expect(reply.status == 400)
            #expect(reply.body["ok"] == false)
            #expect(try await sim.control("GET", "users") == .array([]))
        }
    }
}
