import Foundation
import Testing

extension EndToEnd {
    @Suite("End to end: changing the department", .serialized)
    struct TransferTests {
        @Test("picker with Back, then a move: the new department is called, the old participants are off it")
        func transfer() async throws {
            try await RunningSystem.with { system in
                _ = try await World.build(on: system)
                let chat = World.chat

                let card = try await system.report("Reefer unit alarm on trailer 88", number: "0001")
                #expect(card.buttons == ["Dispatch", "Maintenance", "🔒 Safety"])
                #expect(try await system.press("Dispatch", on: card.id, as: World.driver).showAlert == false)
                try await system.waitForCard("0001", in: chat, "offers Claim") { $0.has("Claim") && $0.has("Change department") }
                // Dave and Dina have not written yet: the bot knows no username, so it links their ids.
                try await system.waitFor(chat, "Dispatch's members to be called") { messages in
                    messages.contains { $0.fromBot && $0.text.contains("#0001 waits for Dispatch") && $0.html.contains("tg://user?id=\(World.dispatcher)") && $0.html.contains("tg://user?id=\(World.secondDispatcher)") }
                }
                try await system.press("Claim", on: card.id, as: World.dispatcher)
                try await system.waitForCard("0001", in: chat, "in progress with Dave on it") {
                    $0.text.contains("On it: Dave") && $0.has("Resolve")
                }

                // Open the picker: the other departments and Back, nothing else.
                let opened = try await system.press("Change department", on: card.id, as: World.dispatcher)
                #expect(opened.showAlert == false)
                let picker = try await system.waitForCard("0001", in: chat, "shows the picker") { $0.text.contains("Move to which department?") }
                #expect(picker.buttons == ["Maintenance", "🔒 Safety", "« Back"])
                #expect(try await system.status("0001") == "in_progress")

                // Back: the usual buttons again, still Dispatch, still in progress.
                #expect(try await system.press("« Back", on: card.id, as: World.dispatcher).showAlert == false)
                let back = try await system.waitForCard("0001", in: chat, "back to the usual buttons") { !$0.text.contains("Move to which department?") }
                #expect(Set(back.buttons) == ["Join", "Leave", "Resolve", "Change department"])
                #expect(back.text.contains("Department: Dispatch"))
                #expect(back.text.contains("On it: Dave"))

                // Mia talks to the bot (privacy mode: it sees only commands and replies), so it knows
                // her username when it calls Maintenance.
                try await system.barrier(as: World.mechanic)
                // Open it again and move to Maintenance.
                try await system.press("Change department", on: card.id, as: World.dispatcher)
                try await system.waitForCard("0001", in: chat, "shows the picker again") { $0.has("Maintenance") && $0.has("« Back") }
                let moved = try await system.press("Maintenance", on: card.id, as: World.dispatcher)
                #expect(moved.showAlert == false)
                #expect(moved.text?.contains("#0001 moved to Maintenance") == true)
                let transferred = try await system.waitForCard("0001", in: chat, "with Maintenance, awaiting claim") {
                    $0.text.contains("Department: Maintenance") && $0.has("Claim")
                }
                #expect(transferred.text.contains("Awaiting claim"))
                #expect(!transferred.text.contains("On it:"))
                #expect(Set(transferred.buttons) == ["Claim", "Change department"])
                #expect(transferred.pinned)
                try await system.waitFor(chat, "Maintenance's members to be called") { messages in
                    messages.contains { $0.fromBot && $0.text.contains("#0001 waits for Maintenance") && $0.text.contains("@mia_mechanic") }
                }
                let calls = try await system.botMessages(chat, containing: "waits for Maintenance")
                #expect(!calls.contains { $0.text.contains("dave_dispatch") || $0.html.contains("tg://user?id=\(World.dispatcher)") })

                let incident = try await system.incident("0001")
                #expect(incident["status"] as? String == "awaiting_claim")
                #expect((incident["department"] as? [String: Any])?["name"] as? String == "Maintenance")
                let timeline = try await system.timeline("0001")
                #expect(timeline.filter { $0 == "department_assigned" }.count == 2)

                // Dave is no longer on it: he can neither claim for Maintenance nor act as a participant.
                let refused = try await system.press("Claim", on: card.id, as: World.dispatcher)
                #expect(refused.showAlert)
                #expect(refused.text == "Only members of Maintenance can do this.")
                #expect(try await system.status("0001") == "awaiting_claim")

                // Maintenance claims: Mia alone is on it.
                try await system.press("Claim", on: card.id, as: World.mechanic)
                let claimed = try await system.waitForCard("0001", in: chat, "Mia on it") { $0.text.contains("On it: Mia") }
                #expect(!claimed.text.contains("Dave"))
                // The old department's member can no longer move it; Maintenance's can.
                let notYours = try await system.press("Change department", on: card.id, as: World.dispatcher)
                #expect(notYours.showAlert)
                #expect(notYours.text?.contains("Maintenance") == true)
            }
        }

        @Test("a manager moves an unclaimed incident to a restricted department (a member may not); seven members are called five at a time")
        func managerMovesToRestricted() async throws {
            try await RunningSystem.with { system in
                let world = try await World.build(on: system)
                let chat = World.chat

                let card = try await system.report("Driver reports a near miss at the depot", number: "0001")
                try await system.press("Dispatch", on: card.id, as: World.driver)
                try await system.waitForCard("0001", in: chat, "offers Claim") { $0.has("Claim") }

                // A dispatcher may open the picker, but may not send it to the restricted department.
                try await system.press("Change department", on: card.id, as: World.dispatcher)
                try await system.waitForCard("0001", in: chat, "the picker") { $0.has("🔒 Safety") && $0.has("« Back") }
                let refused = try await system.press("🔒 Safety", on: card.id, as: World.dispatcher)
                #expect(refused.showAlert)
                #expect(refused.text == "Safety is restricted: only its members or a manager can send incidents there.")
                #expect((try await system.incident("0001")["department"] as? [String: Any])?["name"] as? String == "Dispatch")

                // Safety gets seven members the bot has never seen: the call mentions at most
                // five per message.
                for user in 701...707 {
                    try await system.admin("POST", "departments/\(world.departments["Safety"]!)/members", ["user_id": user])
                }
                // The manager can.
                let moved = try await system.press("🔒 Safety", on: card.id, as: World.manager)
                #expect(moved.showAlert == false)
                let card2 = try await system.waitForCard("0001", in: chat, "with Safety") { $0.text.contains("Department: Safety") }
                #expect(card2.has("Claim"))
                let messages = try await system.waitFor(chat, "Safety's call in two messages") { messages in
                    messages.contains { $0.fromBot && $0.text.contains("#0001 waits for Safety") }
                        && messages.contains { $0.fromBot && $0.text.contains("#0001 (Safety, continued)") }
                }
                let parts = messages.filter { $0.fromBot && ($0.text.contains("#0001 waits for Safety") || $0.text.contains("#0001 (Safety, continued)")) }
                #expect(parts.count == 2)
                let mentioned = parts.map { part in (701...707).filter { part.html.contains("tg://user?id=\($0)") }.count }
                #expect(mentioned == [5, 2])
            }
        }
    }
}
