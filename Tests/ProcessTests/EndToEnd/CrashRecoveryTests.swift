import Foundation
import SimulatorClient
import Testing

extension EndToEnd {
    /// kill -9 of one role right after each step of a lifecycle, while that step is being
    /// carried out (Telegram answers slowly, so calls are in flight): nothing is lost (the lifecycle completes, every press is answered) and
    /// nothing is sent twice, except a call the sender had in flight to Telegram at the instant
    /// of its kill (its answer never arrived, so it is made again).
    @Suite("End to end: kill -9 of a role in the middle of a lifecycle", .serialized)
    struct CrashRecoveryTests {
        @Test("kill -9 after every step", arguments: ["gateway", "incidents", "sender", "scheduler"])
        func killAfterEveryStep(role: String) async throws {
            try await RunningSystem.with { system in
                _ = try await World.build(on: system)
                let chat = World.chat
                // Every call that changes the group takes 400 ms at Telegram, so each kill lands while
                // the step it follows is still being carried out.
                for method in ["sendMessage", "editMessageText", "pinChatMessage", "unpinChatMessage", "answerCallbackQuery"] {
                    try await system.simulator.addFault(.latency(400, on: method, count: 1000))
                }
                try await system.simulator.clearCalls()
                var kills = 0
                func kill() async throws {
                    // The gateway dies while it holds the update; the others once the update was
                    // applied, while its calls are on their way to Telegram.
                    if role != "gateway" { try await GroupMembershipTests.drained(system) }
                    try await system.restart(role)
                    kills += 1
                }

                // Report, and kill while the card is being decided and posted.
                let reported = try await system.say("Refrigeration failed on trailer 19", in: chat, as: World.driver)
                try await system.command("/new_issue", in: chat, as: World.driver, replyTo: reported)
                try await kill()
                let card = try await system.waitForCard("0001", in: chat, "posted and pinned", timeout: .seconds(45)) { $0.pinned }

                // Each press: make it, kill at once, then see its outcome.
                let choose = try await system.press(chat, message: card.id, button: "Dispatch", as: World.driver)
                try await kill()
                #expect(try await system.answer(choose, timeout: .seconds(45)).showAlert == false)
                try await system.waitForCard("0001", in: chat, "offers Claim", timeout: .seconds(45)) { $0.has("Claim") }

                let claim = try await system.press(chat, message: card.id, button: "Claim", as: World.dispatcher)
                try await kill()
                #expect(try await system.answer(claim, timeout: .seconds(45)).showAlert == false)
                try await system.waitForCard("0001", in: chat, "offers Resolve", timeout: .seconds(45)) { $0.has("Resolve") }

                let resolve = try await system.press(chat, message: card.id, button: "Resolve", as: World.dispatcher)
                try await kill()
                #expect(try await system.answer(resolve, timeout: .seconds(45)).showAlert == false)
                let prompt = try #require(try await system.waitFor(chat, "the prompt", timeout: .seconds(45)) { $0.contains { $0.fromBot && $0.forceReply != nil } }
                    .first { $0.fromBot && $0.forceReply != nil })

                try await system.say("Compressor restarted, temperature back to -18", in: chat, as: World.dispatcher, replyTo: prompt.id)
                try await kill()
                let resolved = try await system.waitForCard("0001", in: chat, "resolved and unpinned", timeout: .seconds(45)) {
                    $0.text.contains("Compressor restarted") && !$0.pinned
                }
                #expect(resolved.buttons == ["Reopen"])
                try await system.barrier()

                // Nothing lost.
                #expect(try await system.status("0001") == "resolved")
                #expect(try await system.timeline("0001") == ["created", "department_assigned", "claimed", "resolution_requested", "resolved"])
                let messages = try await system.transcript(chat)
                let unanswered = try await system.messages(chat).flatMap(\.callbackQueries).filter { !$0.answered }
                #expect(unanswered.isEmpty, "every press answered")

                // Nothing sent twice (the sender may repeat what it had in flight when it was killed).
                let allowance = role == "sender" ? kills : 0
                let cards = messages.filter { $0.isCard("0001") }
                let departmentCalls = messages.filter { $0.fromBot && $0.text.contains("#0001 waits for Dispatch") }
                let prompts = messages.filter { $0.fromBot && $0.forceReply != nil }
                let sends = try await system.calls("sendMessage").filter { $0.chatID == chat && $0.ok }.count
                let pins = try await system.calls("pinChatMessage").filter { $0.chatID == chat && $0.ok }.count
                let unpins = try await system.calls("unpinChatMessage").filter { $0.chatID == chat && $0.ok }.count
                let report = "cards \(cards.count), calls \(departmentCalls.count), prompts \(prompts.count), sendMessage \(sends), pins \(pins), unpins \(unpins)"
                // Sent: card, department call, prompt, answer to /help.
                #expect(sends - 4 <= allowance, "\(report)")
                #expect(sends >= 4, "\(report)")
                #expect(cards.count == 1 || (allowance > 0 && cards.count <= 2), "\(report)")
                #expect(departmentCalls.count == 1 || (allowance > 0 && departmentCalls.count <= 2), "\(report)")
                #expect(prompts.count == 1 || (allowance > 0 && prompts.count <= 2), "\(report)")
                #expect(pins == 1 || (allowance > 0 && pins <= 2), "\(report)")
                #expect(unpins == 1 || (allowance > 0 && unpins <= 2), "\(report)")
                #expect(messages.filter(\.pinned).isEmpty, "nothing left pinned")
            }
        }
    }
}
