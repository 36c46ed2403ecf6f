import Foundation
import SimulatorClient
import Testing

extension EndToEnd {
    /// A group upgraded to a supergroup gets a fresh, pinned card for every open incident as soon
    /// as the bot learns of the migration, once; the old chat is not used again.
    @Suite("End to end: open incidents pinned in the supergroup at once", .serialized)
    struct MigrationRepostTests {
        @Test("migration: open incidents posted and pinned in the supergroup at once, once; finished ones not")
        func openCardsFollowTheGroup() async throws {
            try await RunningSystem.with { system in
                let world = try await World.build(on: system)
                let basic: Int64 = -4_001_777
                try await system.simulator.createChat(NewChat(
                    title: "Drivers South", type: .group, id: basic,
                    members: [World.driver, World.dispatcher, World.secondDispatcher, World.manager, World.stranger],
                    creator: World.manager, bot: World.botAdministrator))
                try await system.admin("PUT", "groups/\(basic)", ["company_id": world.companyID, "manager_user_ids": [World.manager]])
                try await system.command("/register_driver", in: basic, as: World.driver)
                try await system.waitFor(basic, "the registration") { $0.contains { $0.fromBot && $0.text.contains("registered as a driver") } }

                // #0001 waits for a department; #0002 is in progress; #0003 is resolved.
                _ = try await system.report("Mirror broken on truck 3", number: "0001", in: basic)
                let second = try await system.report("Pallet spill at dock 2", number: "0002", in: basic).id
                try await system.press("Dispatch", on: second, in: basic, as: World.driver)
                try await system.waitForCard("0002", in: basic, "offers Claim") { $0.has("Claim") }
                try await system.press("Claim", on: second, in: basic, as: World.dispatcher)
                try await system.waitForCard("0002", in: basic, "Dave on it") { $0.text.contains("On it: Dave") }
                let third = try await system.report("Gate 1 sensor", number: "0003", in: basic).id
                try await system.press("Dispatch", on: third, in: basic, as: World.driver)
                try await system.waitForCard("0003", in: basic, "offers Claim") { $0.has("Claim") }
                try await system.press("Claim", on: third, in: basic, as: World.secondDispatcher)
                try await system.waitForCard("0003", in: basic, "Dina on it") { $0.text.contains("On it: Dina") }
                try await system.press("Resolve", on: third, in: basic, as: World.secondDispatcher)
                let promptIDs = try await system.waitFor(basic, "the prompt") { $0.contains { $0.fromBot && $0.forceReply != nil } }
                    .filter { $0.fromBot && $0.forceReply != nil }.map(\.id)
                let promptID = try #require(promptIDs.last)
                try await system.say("Sensor cleaned", in: basic, as: World.secondDispatcher, replyTo: promptID)
                try await system.waitForCard("0003", in: basic, "resolved") { $0.has("Reopen") && !$0.pinned }
                try await system.barrier(basic)
                let callsBefore = try await system.calls().map(\.sequence).max() ?? 0

                // The upgrade. Nobody presses anything.
                let supergroup = try await system.simulator.migrate(basic, by: World.manager).id
                let first = try await system.waitForCard("0001", in: supergroup, "posted and pinned in the supergroup") { $0.pinned }
                #expect(first.has("Dispatch"))
                #expect(first.text.contains("Mirror broken on truck 3"))
                let moved = try await system.waitForCard("0002", in: supergroup, "posted and pinned in the supergroup") { $0.pinned }
                #expect(moved.text.contains("On it: Dave"))
                #expect(Set(moved.buttons) == ["Join", "Leave", "Resolve", "Change department"])
                let cardIDs: Set<Int> = [first.id, moved.id]
                let movedID = moved.id
                try await system.barrier(supergroup)

                // Once each; the resolved one stays where it was.
                let cards = try await system.transcript(supergroup).filter { $0.fromBot && $0.text.hasPrefix("#") }.map(\.text)
                #expect(cards.filter { $0.hasPrefix("#0001 · ") }.count == 1)
                #expect(cards.filter { $0.hasPrefix("#0002 · ") }.count == 1)
                #expect(cards.filter { $0.hasPrefix("#0003 · ") }.isEmpty)

                // The new card works in place.
                let joined = try await system.press("Join", on: movedID, in: supergroup, as: World.secondDispatcher)
                #expect(joined.showAlert == false)
                try await system.waitForCard("0002", in: supergroup, "Dina joined") { $0.text.contains("Dina") }
                try await system.barrier(supergroup)
                let after = try await system.transcript(supergroup).filter { $0.isCard("0002") }.count
                #expect(after == 1)
                let pinned = Set(try await system.simulator.transcript(supergroup).chat.pinnedMessageIDs)
                #expect(pinned == cardIDs)

                // Nothing was sent to the old group after the upgrade.
                let old = try await system.calls().filter { $0.sequence > callsBefore && $0.chatID == basic && $0.ok }
                #expect(old.isEmpty, "\(old.map(\.method))")
            }
        }
    }
}
