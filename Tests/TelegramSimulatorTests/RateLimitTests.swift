import Testing
@testable import TelegramSimulator

/// Limits are checked with the simulator's manual clock, so no test depends on how fast the
/// machine is.
@Suite("Rate limits")
struct RateLimitTests {
    private func send(_ sim: RunningSimulator, _ chat: Int, _ text: String = "x") async throws -> RunningSimulator.Reply {
        try await sim.bot("sendMessage", ["chat_id": .int(chat), "text": .string(text)])
    }

    @Test("a chat tolerates a short burst, then answers 429 with retry_after until time passes")
    func perChatBurst() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            try await sim.control("POST", "users/\(ana)/private", ["text": "/start"])
            try await sim.control("PUT", "limits", ["enabled": true])
            for _ in 1...3 { #expect(try await send(sim, ana).ok) }
            let refused = try await send(sim, ana)
            expectFailure(refused, 429, "Too Many Requests: retry after 1", parameters: ["retry_after": 1])
            // A refused call consumes nothing: after the second it asked for, one more goes through.
            sim.clock.advance(by: 1)
            #expect(try await send(sim, ana).ok)
            expectFailure(try await send(sim, ana), 429, "Too Many Requests: retry after 1", parameters: ["retry_after": 1])
            // The refused sends were not stored.
            let messages = try await sim.transcript(ana)["messages"]?.arrayValue ?? []
            #expect(messages.filter { $0["from"]?["is_bot"] == true }.count == 4)
        }
    }

    @Test("a group takes at most 20 messages a minute")
    func perGroupPerMinute() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            let chat = try await sim.group(members: [ana])
            try await sim.control("PUT", "limits", ["enabled": true])
            for _ in 1...20 {
                #expect(try await send(sim, chat).ok)
                sim.clock.advance(by: 1)  // stays within the per-chat rate
            }
            // The first of the 20 went out 20 s ago: the window frees up 40 s from now.
            let refused = try await send(sim, chat)
            expectFailure(refused, 429, "Too Many Requests: retry after 40", parameters: ["retry_after": 40])
            sim.clock.advance(by: 40)
            #expect(try await send(sim, chat).ok)
        }
    }

    @Test("a group spends its 20 a minute at once if it likes: no per-chat burst limit in groups")
    func groupBurstsItsMinute() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            let chat = try await sim.group(members: [ana])
            try await sim.control("PUT", "limits", ["enabled": true])
            for number in 1...20 { #expect(try await send(sim, chat, "m\(number)").ok, "message \(number)") }
            expectFailure(try await send(sim, chat), 429, "Too Many Requests: retry after 60", parameters: ["retry_after": 60])
            sim.clock.advance(by: 59)
            expectFailure(try await send(sim, chat), 429, "Too Many Requests: retry after 1", parameters: ["retry_after": 1])
            sim.clock.advance(by: 1)
            #expect(try await send(sim, chat).ok)
        }
    }

    @Test("the whole bot takes at most 30 messages a second across chats")
    func globalPerSecond() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            var chats: [Int] = []
            for number in 1...11 { chats.append(try await sim.group("G\(number)", members: [ana])) }
            try await sim.control("PUT", "limits", ["enabled": true])
            var accepted = 0
            for chat in chats {
                for _ in 1...3 where try await send(sim, chat).ok { accepted += 1 }
            }
            #expect(accepted == 30)
            let calls = try await sim.control("GET", "calls?method=sendMessage").arrayValue ?? []
            #expect(calls.filter { $0["error_code"] == 429 }.count == 3)
            sim.clock.advance(by: 1)
            #expect(try await send(sim, chats[10]).ok)
        }
    }

    @Test("answerCallbackQuery and reads do not count toward the limits")
    func callbackAnswersDoNotCount() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            let chat = try await sim.group(members: [ana])
            let card = try await sim.sendCard(chat, text: "Card", buttons: [("Claim", "claim:1")])
            try await sim.control("PUT", "limits", ["enabled": true, "per_group_per_minute": 1])
            sim.clock.advance(by: 5)
            for _ in 1...5 {
                let id = try #require(try await sim.control("POST", "chats/\(chat)/messages/\(card)/press", ["from": .int(ana), "button_text": "Claim"])["id"]?.stringValue)
                #expect(try await sim.bot("answerCallbackQuery", ["callback_query_id": .string(id)]).ok)
                #expect(try await sim.bot("getChat", ["chat_id": .int(chat)]).ok)
            }
            #expect(try await send(sim, chat).ok)
            #expect(try await send(sim, chat).status == 429)
        }
    }

    @Test("limits are off by default and can be switched off again")
    func offByDefault() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            let chat = try await sim.group(members: [ana])
            for _ in 1...25 { #expect(try await send(sim, chat).ok) }
            try await sim.control("PUT", "limits", ["enabled": true, "per_group_per_minute": 3])
            for _ in 1...3 { #expect(try await send(sim, chat).ok) }
            #expect(try await send(sim, chat).status == 429)
            let settings = try await sim.control("PUT", "limits", ["enabled": false])
            #expect(settings["enabled"] == false)
            #expect(try await send(sim, chat).ok)
            #expect(try await sim.controlReply("PUT", "limits", ["per_chat_burst": 0]).status == 400)
        }
    }
}
