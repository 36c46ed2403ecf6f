import Foundation
import SimulatorClient
import Testing

/// Every route of the control API through the typed client against a real simulator: the
/// request and answer types are the wire format both sides must agree on.
@Suite("Simulator client")
struct SimulatorClientTests {
    @Test("people and chats: created, listed, joined, left, the bot's rights changed, a group migrated")
    func peopleAndChats() async throws {
        try await Simulated.run { simulated in
            let client = simulated.client
            let (chat, ann, bob) = try await simulated.group()
            #expect(ann == 501)
            #expect(try await client.users().map(\.firstName) == ["Ann", "Bob"])

            let summary = try #require(try await client.chats().first)
            #expect(summary.id == chat)
            #expect(summary.type == .supergroup)
            #expect(summary.title == "Dispatch")
            #expect(summary.bot == BotRights(status: .administrator, canPinMessages: true, canDeleteMessages: true))
            #expect(summary.members.map(\.status) == [.creator, .member])

            let carol = try await client.addUser(NewUser(firstName: "Carol", lastName: "Keys", username: "carol_k"))
            #expect(carol.lastName == "Keys")
            #expect(carol.isBot == false)
            let joined = try await client.addMember(carol.id, to: chat, status: .administrator)
            #expect(joined.members.last?.status == .administrator)
            let left = try await client.removeMember(bob, from: chat)
            #expect(left.members.first { $0.id == bob }?.status == .left)

            let demoted = try await client.setBot(BotRights(status: .administrator, canPinMessages: false), in: chat, by: ann)
            #expect(demoted.bot.canPinMessages == false)
            #expect(demoted.bot.canDeleteMessages == true)

            let basic = try await client.createChat(NewChat(title: "Night", members: [ann], bot: BotRights(status: .member)))
            #expect(basic.type == .group)
            let supergroup = try await client.migrate(basic.id, by: ann, to: -1_002_000_000_099)
            #expect(supergroup.id == -1_002_000_000_099)
            #expect(supergroup.migratedFromChatID == basic.id)
            let old = try await client.transcript(basic.id)
            #expect(old.chat.migratedToChatID == supergroup.id)
            #expect(old.messages.contains { $0.service?.kind == "migrate_to_chat_id" && $0.service?.chatID == supergroup.id })

            let state = try await client.state()
            #expect(state.bot.id == simulated.botID)
            #expect(state.bot.isBot == true)
            #expect(state.users.count == 3)
            #expect(state.chats.map(\.id).contains(chat))
            #expect(state.pendingUpdateCount > 0)
            #expect(try await client.unconfirmedUpdates().allSatisfy { !$0.kind.isEmpty })
        }
    }

    @Test("posting: text, commands, attachments and identities, as the transcript shows them")
    func posting() async throws {
        try await Simulated.run { simulated in
            let client = simulated.client
            let (chat, ann, bob) = try await simulated.group()

            let said = try await client.say("Truck 12 <flat>", in: chat, from: bob)
            #expect(said.chatID == chat)
            #expect(said.text == "Truck 12 <flat>")
            #expect(said.deliveredToBot)
            // Privacy mode: a plain message does not reach a bot that is no administrator.
            let quiet = try await client.createChat(NewChat(title: "Quiet", members: [bob], bot: BotRights(status: .member))).id
            let unseen = try await client.say("Just chatting", in: quiet, from: bob)
            #expect(unseen.deliveredToBot == false)
            #expect(unseen.updateID == nil)
            let command = try await client.send(
                NewCommand(from: bob, command: "new_issue", args: "gate 4", mentionBot: true, replyTo: said.messageID), in: chat)
            #expect(command.text == "/new_issue@RaiseDashBot gate 4")
            #expect(command.deliveredToBot)
            #expect(command.updateID != nil)

            let photo = try await client.post(
                NewMessage(from: bob, text: "Dent", attachment: .photo(width: 640, height: 480)), in: chat)
            let document = try await client.post(
                NewMessage(from: bob, text: nil, attachment: .document(fileName: "damage.pdf", mimeType: "application/pdf")), in: chat)
            let location = try await client.post(
                NewMessage(from: bob, text: nil, attachment: .location(latitude: 52.37, longitude: 4.89)), in: chat)
            let anonymous = try await client.post(
                NewMessage(from: ann, text: "From the office", identity: .anonymousAdministrator), in: chat)
            let channel = try await client.post(NewMessage(
                from: bob, text: "News", identity: .channel(SenderChatSummary(id: -1_007_700_000_001, title: "Acme News", username: "acme"))
            ), in: chat)

            let transcript = try await client.transcript(chat)
            #expect(transcript.version > 0)
            func message(_ id: Int) throws -> TranscriptMessage { try #require(transcript.messages.first { $0.messageID == id }) }
            #expect(try message(said.messageID).html == "Truck 12 &lt;flat&gt;")
            #expect(try message(said.messageID).from.id == bob)
            #expect(try message(command.messageID).replyToMessageID == said.messageID)
            #expect(try message(command.messageID).entities.first?.type == "bot_command")
            #expect(try message(photo.messageID).photo?.last?.width == 640)
            #expect(try message(photo.messageID).text == "Dent")
            #expect(try message(document.messageID).document?.fileName == "damage.pdf")
            #expect(try message(location.messageID).location == Location(latitude: 52.37, longitude: 4.89))
            #expect(try message(anonymous.messageID).from.username == "GroupAnonymousBot")
            #expect(try message(anonymous.messageID).senderChat?.id == chat)
            #expect(try message(channel.messageID).senderChat?.title == "Acme News")
            #expect(transcript.messages.first?.service?.kind != nil)

            let opened = try await client.sendPrivately(from: bob)
            #expect(opened.chatID == bob)
            #expect(opened.text == "/start")
            try await client.setBlocked(true, by: bob)
            #expect(try await client.transcript(bob).chat.blockedByUser == true)
        }
    }

    @Test("buttons: pressed by label and by raw data, the bot's answer read back; edits and prompts in the transcript")
    func buttons() async throws {
        try await Simulated.run { simulated in
            let client = simulated.client
            let (chat, _, bob) = try await simulated.group()
            let card = try await simulated.bot("sendMessage", [
                "chat_id": chat, "text": "#0001 Flat tyre",
                "reply_markup": ["inline_keyboard": [[["text": "Claim", "callback_data": "claim:1"]]]],
            ])["message_id"] as? Int ?? 0

            let pressed = try await client.press(.labelled("Claim"), on: card, in: chat, by: bob)
            #expect(pressed.data == "claim:1")
            #expect(pressed.from.id == bob)
            #expect(pressed.answered == false)
            #expect(pressed.answer == nil)
            try await simulated.bot("answerCallbackQuery", ["callback_query_id": pressed.id, "text": "You are on #0001.", "show_alert": true])
            let answered = try await client.callbackQuery(pressed.id)
            #expect(answered.answered)
            #expect(answered.answer?.text == "You are on #0001.")
            #expect(answered.answer?.showAlert == true)
            let forged = try await client.press(.data("resolve:999"), on: card, in: chat, by: bob)
            #expect(forged.data == "resolve:999")

            try await simulated.bot("editMessageText", ["chat_id": chat, "message_id": card, "text": "#0001 Flat tyre, claimed"])
            try await simulated.bot("sendMessage", [
                "chat_id": chat, "text": "Summary?", "reply_markup": ["force_reply": true, "selective": true],
            ])
            let messages = try await client.transcript(chat).messages
            let edited = try #require(messages.first { $0.messageID == card })
            #expect(edited.revisions?.map(\.text) == ["#0001 Flat tyre", "#0001 Flat tyre, claimed"])
            #expect(edited.editDate != nil)
            #expect(edited.callbackQueries.map(\.id) == [pressed.id, forged.id])
            #expect(try #require(messages.last).forceReply == ForceReplyMarkup(forceReply: true, selective: true))
            #expect(try #require(messages.last).fromBot)
        }
    }

    @Test("calls, faults, limits, privacy, clock, commands, reset")
    func steering() async throws {
        try await Simulated.run { simulated in
            let client = simulated.client
            let (chat, _, _) = try await simulated.group()

            let fault = try await client.addFault(.error(429, on: "sendMessage", count: 2, retryAfter: 5))
            #expect(fault.fault.kind == .error)
            #expect(fault.remaining == 2)
            #expect(fault.fault.description == "Too Many Requests: retry after 5")
            try await client.addFault(.latency(5, on: "getMe"))
            #expect(try await client.faults().map(\.fault.method) == ["sendMessage", "getMe"])
            try await client.clearFaults()
            #expect(try await client.faults().isEmpty)
            try await client.addFault(.error(429, on: "sendMessage", retryAfter: 5))
            let refused = try await simulated.botCall("sendMessage", ["chat_id": chat, "text": "Hello"])
            #expect(refused["error_code"] as? Int == 429)
            try await simulated.bot("sendMessage", ["chat_id": chat, "text": "Hello"])

            let calls = try await client.calls(method: "sendMessage")
            #expect(calls.map(\.ok) == [false, true])
            #expect(calls.first?.errorCode == 429)
            #expect(calls.first?.chatID == chat)
            #expect(try await client.calls(since: calls[0].sequence).map(\.sequence) == [calls[1].sequence])
            try await client.clearCalls()
            #expect(try await client.calls().isEmpty)

            let limits = try await client.setLimits(RateLimitChange(enabled: true, perGroupPerMinute: 7, methods: ["sendMessage"]))
            #expect(limits.enabled)
            #expect(limits.perGroupPerMinute == 7)
            #expect(limits.methods == ["sendMessage"])
            #expect(try await client.limits() == limits)

            #expect(try await client.privacyMode())
            try await client.setPrivacyMode(false)
            #expect(try await client.privacyMode() == false)

            let before = try await client.clock()
            let after = try await client.advanceClock(by: 151)
            #expect(after.now == before.now + 151)
            #expect(after.offsetSeconds == 151)

            try await simulated.bot("setMyCommands", ["commands": [["command": "new_issue", "description": "Report a problem"]]])
            #expect(try await client.commands().values.first == [RegisteredCommand(command: "new_issue", description: "Report a problem")])

            let version = try await client.state().version
            #expect(try await client.waitForChange(after: version - 1, timeout: 1) == version)
            try await client.reset()
            #expect(try await client.state().users.isEmpty)
        }
    }

    @Test("a refusal carries the HTTP status and the simulator's reason; nothing listening is unreachable")
    func errors() async throws {
        try await Simulated.run { simulated in
            let client = simulated.client
            try await client.addUser(NewUser(id: 777, firstName: "Ana"))
            let duplicate = await #expect(throws: SimulatorClientError.self) {
                try await client.addUser(NewUser(id: 777, firstName: "Ana"))
            }
            #expect(duplicate?.status == 409)
            #expect(duplicate?.route == "POST /control/users")
            #expect(duplicate?.message.contains("777") == true)
            #expect(duplicate?.description.hasPrefix("POST /control/users answered 409: ") == true)

            let missing = await #expect(throws: SimulatorClientError.self) { try await client.transcript(-42) }
            #expect(missing?.status == 404)
            #expect(missing?.message == "chat -42 not found")

            let invalid = await #expect(throws: SimulatorClientError.self) { try await client.advanceClock(by: -1) }
            #expect(invalid?.status == 400)
        }
        // A port nobody listens on (the simulator above has stopped).
        let closed = SimulatorClient(port: 9, requestTimeout: 5)
        let unreachable = await #expect(throws: SimulatorClientError.self) { try await closed.state() }
        #expect(unreachable?.isUnreachable == true)
        #expect(unreachable?.status == nil)
    }
}
