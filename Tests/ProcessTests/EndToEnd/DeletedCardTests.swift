import Foundation
import SimulatorClient
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension EndToEnd {
    /// Someone deletes the card: the bot learns it when its next edit finds no message, and posts
    /// the card again (pinned while the incident is open) with the current state.
    @Suite("End to end: a deleted card", .serialized)
    struct DeletedCardTests {
        /// Deletes a message as an administrator would, through the simulator's Bot API. (The
        /// call uses the bot's token; deletions are taken out of the simulator's flood limits
        /// first so that it spends none of the budget the sender paces itself by. The bot
        /// never deletes messages itself.)
        static func delete(_ message: Int, in chat: Int64, on system: RunningSystem) async throws {
            try await system.simulator.setLimits(RateLimitChange(methods: [
                "sendMessage", "editMessageText", "editMessageReplyMarkup", "pinChatMessage",
                "unpinChatMessage", "unpinAllChatMessages",
            ]))
            let answer = try await system.request(
                "POST", "http://127.0.0.1:\(system.simulatorPort)/bot\(RunningSystem.token)/deleteMessage",
                ["chat_id": chat, "message_id": message], token: nil, expect: [200]) as? [String: Any]
            #expect(answer?["ok"] as? Bool == true)
        }

        @Test("deleted while waiting for a claim: the claim posts it again, pinned, and later changes edit the new card")
        func repostedAndPinned() async throws {
            try await RunningSystem.with { system in
                _ = try await World.build(on: system)
                let chat = World.chat

                let card = try await system.report("Cargo strap snapped", number: "0001")
                try await system.press("Dispatch", on: card.id, as: World.driver)
                let waiting = try await system.waitForCard("0001", in: chat, "offers Claim") { $0.has("Claim") }
                let claim = try #require(waiting.buttonData["Claim"])
                try await Self.delete(card.id, in: chat, on: system)
                #expect(try await system.card("0001", in: chat) == nil)

                // A member's client still shows the card: the press carries its data. (The simulator
                // only presses live messages, so the press is made on the department's call.)
                let callMessage = try #require(try await system.waitFor(chat, "the department's call") { $0.contains { $0.fromBot && $0.text.contains("#0001 waits for Dispatch") } }
                    .first { $0.fromBot && $0.text.contains("#0001 waits for Dispatch") })
                let claimed = try await system.press(data: claim, on: callMessage.id, as: World.dispatcher)
                #expect(claimed.showAlert == false)
                let reposted = try await system.waitForCard("0001", in: chat, "posted again and pinned") {
                    $0.text.contains("On it: Dave") && $0.pinned
                }
                #expect(reposted.id != card.id)
                #expect(Set(reposted.buttons) == ["Join", "Leave", "Resolve", "Change department"])
                #expect(try await system.status("0001") == "in_progress")

                // The next change edits the new card; no third copy appears.
                try await system.press("Join", on: reposted.id, as: World.secondDispatcher)
                let edited = try await system.waitForCard("0001", in: chat, "Dina joined") { $0.text.contains("Dina") }
                #expect(edited.id == reposted.id)
                let cards = try await system.transcript(chat).filter { $0.isCard("0001") }
                #expect(cards.count == 2, "the deleted card and its one replacement")
                #expect(cards.filter(\.pinned).map(\.id) == [reposted.id])
            }
        }

        @Test("deleted while waiting for the summary: the summary posts it again, resolved and unpinned")
        func repostedResolved() async throws {
            try await RunningSystem.with { system in
                _ = try await World.build(on: system)
                let chat = World.chat

                let card = try await system.report("Wrong delivery address on order 5521", number: "0001")
                try await system.press("Dispatch", on: card.id, as: World.driver)
                try await system.waitForCard("0001", in: chat, "offers Claim") { $0.has("Claim") }
                try await system.press("Claim", on: card.id, as: World.dispatcher)
                try await system.waitForCard("0001", in: chat, "offers Resolve") { $0.has("Resolve") }
                try await system.press("Resolve", on: card.id, as: World.dispatcher)
                let prompt = try #require(try await system.waitFor(chat, "the prompt") { $0.contains { $0.fromBot && $0.forceReply != nil } }
                    .first { $0.fromBot && $0.forceReply != nil })
                try await system.waitForCard("0001", in: chat, "offers Cancel resolve") { $0.has("Cancel resolve") }
                try await Self.delete(card.id, in: chat, on: system)

                try await system.say("Address corrected with the customer", in: chat, as: World.dispatcher, replyTo: prompt.id)
                let reposted = try await system.waitForCard("0001", in: chat, "posted again, resolved") {
                    $0.text.contains("Address corrected with the customer")
                }
                #expect(reposted.id != card.id)
                #expect(reposted.buttons == ["Reopen"])
                #expect(try await system.status("0001") == "resolved")
                try await system.barrier()
                let after = try await system.transcript(chat)
                #expect(after.filter { $0.pinned }.isEmpty, "nothing is left pinned")
                #expect(after.filter { $0.isCard("0001") && !$0.deleted }.count == 1)
            }
        }
    }
}
