import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

extension EndToEnd {
    /// Two members press Claim on the same card before the bot has seen either press: one
    /// transition, one card change, one refusal.
    @Suite("End to end: two claims at once", .serialized)
    struct ConcurrentClaimTests {
        @Test("both presses reach the bot in one poll; one wins, the other is told it is in progress now; one card change")
        func twoClaims() async throws {
            // Debug logs: the gateway says how many updates each poll fetched.
            try await RunningSystem.with(extra: ["LOG_LEVEL": "debug"]) { system in
                _ = try await World.build(on: system)
                let chat = World.chat

                let card = try await system.report("Customs papers missing for load 1188", number: "0001")
                try await system.press("Dispatch", on: card.id, as: World.driver)
                try await system.waitForCard("0001", in: chat, "offers Claim") { $0.has("Claim") }
                try await system.barrier()
                let editsBefore = try await system.calls("editMessageText").filter { $0.chatID == chat }.count
                let messagesBefore = try await system.transcript(chat).count

                // Stop the gateway, and end its waiting long poll the way Telegram does when
                // another poll comes (409), so that no poll is open when the presses arrive:
                // both wait at Telegram and the gateway fetches them in one poll.
                let cardID = card.id
                let gateway = try system.process("gateway")
                gateway.signal(SIGSTOP)
                let logBefore = gateway.text.count
                _ = try await system.request(
                    "POST", "http://127.0.0.1:\(system.simulatorPort)/bot\(RunningSystem.token)/getUpdates",
                    ["timeout": 0, "limit": 1], token: nil, expect: [200])
                let first: String
                let second: String
                do {
                    async let a = system.press(chat, message: cardID, button: "Claim", as: World.dispatcher)
                    async let b = system.press(chat, message: cardID, button: "Claim", as: World.secondDispatcher)
                    (first, second) = try await (a, b)
                } catch {
                    gateway.signal(SIGCONT)
                    throw error
                }
                gateway.signal(SIGCONT)
                let answers = [try await system.answer(first), try await system.answer(second)]
                let fetched = gateway.text.dropFirst(logBefore).split(separator: "\n").filter { $0.contains("fetched updates") }
                #expect(fetched.first?.contains("updates.count=2") == true, "both presses in one poll: \(fetched)")

                #expect(answers.filter { !$0.showAlert }.count == 1, "exactly one claim wins: \(answers)")
                let refusal = try #require(answers.first { $0.showAlert })
                #expect(refusal.text == "#0001 is in progress; that button no longer applies.")
                let winner = answers[0].showAlert ? "Dina" : "Dave"
                let loser = answers[0].showAlert ? "Dave" : "Dina"

                try await system.waitForCard("0001", in: chat, "\(winner) on it") { $0.text.contains("On it: \(winner)") }
                try await system.barrier()
                let after = try #require(try await system.card("0001", in: chat))
                #expect(!after.text.contains(loser))
                #expect(try await system.timeline("0001") == ["created", "department_assigned", "claimed"])
                let incident = try await system.incident("0001")
                #expect((incident["claimer_ids"] as? [Int])?.count == 1)
                let edits = try await system.calls("editMessageText").filter { $0.chatID == chat }.count
                #expect(edits - editsBefore == 1, "one card change")
                // No other message than the answer to /help was sent for the two presses.
                let newBotMessages = try await system.transcript(chat).dropFirst(messagesBefore).filter { $0.fromBot }
                #expect(newBotMessages.allSatisfy { $0.text.hasPrefix("I run incidents") }, "\(newBotMessages)")
            }
        }
    }
}
