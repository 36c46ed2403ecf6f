import Foundation
import Testing

extension EndToEnd {
    @Suite("End to end: joining and leaving", .serialized)
    struct ParticipationTests {
        @Test("join, refusals to join or leave, and the last one leaving returns it to awaiting claim")
        func joinAndLeave() async throws {
            try await RunningSystem.with { system in
                _ = try await World.build(on: system)
                let chat = World.chat

                let card = try await system.report("Pallet jack broken in bay 3", number: "0001")
                try await system.press("Dispatch", on: card.id, as: World.driver)
                try await system.waitForCard("0001", in: chat, "offers Claim") { $0.has("Claim") }
                let claimed = try await system.press("Claim", on: card.id, as: World.dispatcher)
                #expect(claimed.text == "You are on #0001.")
                try await system.waitForCard("0001", in: chat, "Dave on it") { $0.text.contains("On it: Dave") }

                let joined = try await system.press("Join", on: card.id, as: World.secondDispatcher)
                #expect(joined.showAlert == false)
                #expect(joined.text == "You joined #0001.")
                let both = try await system.waitForCard("0001", in: chat, "Dave and Dina on it") { $0.text.contains("On it: Dave") && $0.text.contains("Dina") }
                #expect(Set(both.buttons) == ["Join", "Leave", "Resolve", "Change department"])

                // Refusals: joining twice, joining from another department, leaving without being on it.
                let again = try await system.press("Join", on: card.id, as: World.secondDispatcher)
                #expect(again.showAlert)
                #expect(again.text == "You are already on it.")
                let mechanic = try await system.press("Join", on: card.id, as: World.mechanic)
                #expect(mechanic.showAlert)
                #expect(mechanic.text == "Only members of Dispatch can do this.")
                let notOn = try await system.press("Leave", on: card.id, as: World.stranger)
                #expect(notOn.showAlert)
                #expect(notOn.text == "You are not on it.")
                try await system.barrier()
                let unchanged = try #require(try await system.card("0001", in: chat))
                #expect(unchanged.text == both.text)
                #expect(!unchanged.text.contains("Mia"))

                // Dave leaves: Dina stays, still in progress.
                let left = try await system.press("Leave", on: card.id, as: World.dispatcher)
                #expect(left.text == "You left #0001.")
                let dinaOnly = try await system.waitForCard("0001", in: chat, "only Dina on it") { $0.text.contains("On it: Dina") && !$0.text.contains("Dave") }
                #expect(dinaOnly.text.contains("In progress"))
                #expect(try await system.status("0001") == "in_progress")

                // Dina leaves last: back to awaiting claim, Claim offered again, nobody listed.
                try await system.press("Leave", on: card.id, as: World.secondDispatcher)
                let waiting = try await system.waitForCard("0001", in: chat, "awaiting claim again") { $0.has("Claim") }
                #expect(waiting.text.contains("Awaiting claim"))
                #expect(!waiting.text.contains("On it:"))
                #expect(Set(waiting.buttons) == ["Claim", "Change department"])
                #expect(waiting.pinned)
                #expect(try await system.status("0001") == "awaiting_claim")
                #expect(try await system.timeline("0001") == ["created", "department_assigned", "claimed", "joined", "left", "left"])

                // And it can be claimed again.
                try await system.press("Claim", on: card.id, as: World.secondDispatcher)
                try await system.waitForCard("0001", in: chat, "Dina on it again") { $0.text.contains("On it: Dina") }
                #expect(try await system.status("0001") == "in_progress")
            }
        }
    }
}
