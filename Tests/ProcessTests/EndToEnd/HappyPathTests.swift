import Foundation
import SimulatorClient
import Testing

extension EndToEnd {
    @Suite("End to end: the incident workflow across the four processes and the simulator", .serialized)
    struct HappyPathTests {
        @Test("report, choose, claim, resolve with a summary: the card follows, is pinned, then unpinned")
        func happyPath() async throws {
            try await RunningSystem.with { system in
                _ = try await World.build(on: system)
                let chat = World.chat

                let report = try await system.simulator.say("Truck 12 <flat tyre> & stuck at gate 4", in: chat, from: World.driver)
                try await system.simulator.send(NewCommand(from: World.driver, command: "/new_issue", replyTo: report.messageID), in: chat)
                let card = try await system.waitFor(chat, "the card, pinned") { messages in
                    messages.contains { $0.fromBot && $0.text.contains("#0001") && $0.pinned }
                }.first { $0.fromBot && $0.text.contains("#0001") }!
                #expect(card.text.contains("Truck 12 <flat tyre> & stuck at gate 4"))
                let cardID = card.id

                let choose = try await system.press(chat, message: cardID, button: "Dispatch", as: World.driver)
                _ = try await system.answer(choose)
                try await system.waitFor(chat, "the card to show Claim") { messages in
                    messages.first { $0.id == cardID }?.buttons.contains { $0.contains("Claim") } == true
                }
                let claim = try await system.press(chat, message: cardID, button: "Claim", as: World.dispatcher)
                _ = try await system.answer(claim)
                try await system.waitFor(chat, "the card to show Resolve") { messages in
                    messages.first { $0.id == cardID }?.buttons.contains { $0.contains("Resolve") } == true
                }
                let resolve = try await system.press(chat, message: cardID, button: "Resolve", as: World.dispatcher)
                _ = try await system.answer(resolve)
                let prompt = try await system.waitFor(chat, "the summary prompt") { messages in
                    messages.contains { $0.fromBot && $0.forceReply != nil }
                }.first { $0.fromBot && $0.forceReply != nil }!
                #expect(prompt.text.contains("#0001"))
                try await system.simulator.say("Tyre replaced, truck moving", in: chat, from: World.dispatcher, replyTo: prompt.id)
                let final = try await system.waitFor(chat, "the resolved card, unpinned") { messages in
                    guard let card = messages.first(where: { $0.id == cardID }) else { return false }
                    return card.text.contains("Tyre replaced, truck moving") && !card.pinned
                }
                let resolvedCard = final.first { $0.id == cardID }!
                #expect(resolvedCard.buttons.contains { $0.contains("Reopen") })

                let incidents = try await system.admin("GET", "incidents?chat_id=\(chat)") as? [String: Any]
                let first = (incidents?["incidents"] as? [[String: Any]])?.first
                #expect(first?["status"] as? String == "resolved")
                #expect(first?["number"] as? String == "0001")
                #expect(first?["summary"] as? String == "Tyre replaced, truck moving")
            }
        }
    }
}
