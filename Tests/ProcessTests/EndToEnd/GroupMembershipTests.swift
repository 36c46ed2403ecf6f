import Foundation
import ProcessTestSupport
import SimulatorClient
import Testing

extension EndToEnd {
    /// The bot's place in the group changes: it is kicked (the group becomes inactive and nothing
    /// more is sent there) or the group becomes a supergroup (its incidents follow the new chat id).
    @Suite("End to end: the bot kicked, the group migrated", .serialized)
    struct GroupMembershipTests {
        /// Waits until the simulator holds no update the gateway has not confirmed: everything
        /// that happened in Telegram so far has been applied durably by the incident service.
        static func drained(_ system: RunningSystem) async throws {
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                if try await system.simulator.unconfirmedUpdates().isEmpty { return }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw TestFailure("the gateway never confirmed every update; logs:\n\(system.logs)")
        }

        @Test("kicked: the group is inactive; no reminders, no card edits, nothing sent there; added back, it works again")
        func kicked() async throws {
            try await RunningSystem.with(extra: ReminderTests.fast) { system in
                _ = try await World.build(on: system)
                let chat = World.chat

                // #0001 waits for a claim (reminders every 3 s); #0002 is in progress.
                let first = try await system.report("Pump leaking at bay 2", number: "0001")
                try await system.press("Dispatch", on: first.id, as: World.driver)
                let second = try await system.report("Broken mirror on truck 7", number: "0002")
                try await system.press("Dispatch", on: second.id, as: World.driver)
                try await system.waitForCard("0002", in: chat, "offers Claim") { $0.has("Claim") }
                try await system.press("Claim", on: second.id, as: World.dispatcher)
                try await system.waitForCard("0002", in: chat, "offers Resolve") { $0.has("Resolve") }
                try await system.waitFor(chat, "a reminder for #0001") { ReminderTests.reminders($0, "0001").count >= 1 }
                // Resolve #0002 (it closes 3 s later), see the prompt, and kick the bot at once.
                try await system.press("Resolve", on: second.id, as: World.dispatcher)
                try await system.waitFor(chat, "the prompt") { $0.contains { $0.fromBot && $0.forceReply != nil } }
                let lastCall = try await system.calls().last?.sequence ?? 0
                try await system.simulator.setBot(BotRights(status: .kicked), in: chat, by: World.manager)
                try await Self.drained(system)
                let messagesAtKick = try await system.transcript(chat)
                let nudgesAtKick = try await system.timeline("0001").filter { $0 == "nudged" }.count

                // Past the summary timeout and three reminder periods.
                try await Task.sleep(for: .seconds(3 * ReminderTests.period + 2))
                #expect(try await system.status("0002") == "closed", "the clock still closes it")
                #expect(try await system.status("0001") == "awaiting_claim")
                // A reminder decided in the instant between the kick and the bot learning of it may
                // still be tried (Telegram refuses it); nothing else is.
                let after = try await system.calls().filter { $0.sequence > lastCall && $0.chatID == chat }
                #expect(after.count <= 1, "nothing sent to the chat after the kick: \(after.map { "\($0.method) ok=\($0.ok)" })")
                #expect(after.allSatisfy { !$0.ok && $0.method == "sendMessage" })
                let messages = try await system.transcript(chat)
                #expect(messages.count == messagesAtKick.count, "nothing appeared in the group")
                let nudges = try await system.timeline("0001").filter { $0 == "nudged" }.count
                #expect(nudges <= nudgesAtKick + 1, "no reminders are decided for an inactive group")
                let closedCard = try #require(messages.last { $0.isCard("0002") })
                #expect(closedCard.has("Cancel resolve"), "the card in the group was not touched")

                // Added back: the bot says it is back, and the group works again.
                try await system.simulator.setBot(World.botAdministrator, in: chat, by: World.manager)
                try await system.waitFor(chat, "the welcome back") { $0.contains { $0.fromBot && $0.text.hasPrefix("I'm back.") } }
                _ = try await system.report("And a new one after the return", number: "0003")
            }
        }

        @Test("migrated to a supergroup: incidents move to the new chat id and the buttons keep working")
        func migrated() async throws {
            try await RunningSystem.with { system in
                let world = try await World.build(on: system)

                // A basic group (only those can be upgraded), activated, with an incident.
                let basic: Int64 = -4_001_234
                try await system.simulator.createChat(NewChat(
                    title: "Drivers North", type: .group, id: basic,
                    members: [World.driver, World.dispatcher, World.secondDispatcher, World.manager],
                    creator: World.manager, bot: World.botAdministrator))
                try await system.admin("PUT", "groups/\(basic)", ["company_id": world.companyID, "manager_user_ids": [World.manager]])
                try await system.command("/register_driver", in: basic, as: World.driver)
                try await system.waitFor(basic, "the registration") { $0.contains { $0.fromBot && $0.text.contains("registered as a driver") } }
                let card = try await system.report("Flat tyre on the A7", number: "0001", in: basic)
                try await system.press("Dispatch", on: card.id, in: basic, as: World.driver)
                try await system.waitForCard("0001", in: basic, "offers Claim") { $0.has("Claim") }

                let supergroup = try await system.simulator.migrate(basic, by: World.manager).id
                try await Self.drained(system)
                let moved = try await system.admin("GET", "incidents?chat_id=\(supergroup)") as? [String: Any]
                #expect((moved?["incidents"] as? [[String: Any]])?.map { $0["number"] as? String } == ["0001"])
                let left = try await system.admin("GET", "incidents?chat_id=\(basic)") as? [String: Any]
                #expect((left?["incidents"] as? [Any])?.isEmpty == true)

                // The card on screen (in the old group's history) still works.
                let claimed = try await system.press("Claim", on: card.id, in: basic, as: World.dispatcher)
                #expect(claimed.showAlert == false, "answered: \(claimed.text ?? "-")")
                #expect(try await system.status("0001", in: supergroup) == "in_progress")
                // The bot now speaks in the supergroup: the card is there, current and pinned.
                let newCard = try await system.waitForCard("0001", in: supergroup, "in the supergroup, pinned") {
                    $0.text.contains("On it: Dave") && $0.pinned
                }
                // And it keeps working there, to the end.
                try await system.press("Resolve", on: newCard.id, in: supergroup, as: World.dispatcher)
                let prompt = try #require(try await system.waitFor(supergroup, "the prompt") { $0.contains { $0.fromBot && $0.forceReply != nil } }
                    .first { $0.fromBot && $0.forceReply != nil })
                try await system.say("Tyre changed at the roadside", in: supergroup, as: World.dispatcher, replyTo: prompt.id)
                try await system.waitForCard("0001", in: supergroup, "resolved, unpinned") {
                    $0.text.contains("Tyre changed at the roadside") && !$0.pinned
                }
                #expect(try await system.status("0001", in: supergroup) == "resolved")
                // New incidents in the supergroup continue the numbering.
                _ = try await system.report("Second one after the upgrade", number: "0002", in: supergroup)
                // Nothing was sent to the old group after the migration failed there.
                let old = try await system.calls().filter { $0.chatID == basic && $0.ok == false }
                #expect(old.count <= 1, "at most one call learns of the migration: \(old.map(\.method))")
            }
        }
    }
}
