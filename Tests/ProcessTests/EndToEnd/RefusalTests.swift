import Foundation
import SimulatorClient
import Testing

extension EndToEnd {
    /// Every refusal is answered with the reason (an alert for a press, a reply for a command or a
    /// summary) and changes nothing: same card, same status, no incident created.
    @Suite("End to end: refusals", .serialized)
    struct RefusalTests {
        @Test("presses by people not entitled, a restricted department and a stale card: alerts, nothing changed")
        func refusedPresses() async throws {
            try await RunningSystem.with { system in
                _ = try await World.build(on: system)
                let chat = World.chat

                let card = try await system.report("Forklift battery will not charge", number: "0001")
                let fresh = try #require(try await system.card("0001", in: chat))

                // A stranger chooses a department.
                try await expectRefusal(system, "Dispatch", on: card.id, as: World.stranger,
                                        "Only the reporter or a manager can choose the department.", status: "awaiting_department")
                // A department member who is not the reporter chooses one.
                try await expectRefusal(system, "Maintenance", on: card.id, as: World.mechanic,
                                        "Only the reporter or a manager can choose the department.", status: "awaiting_department")
                // The reporter picks a restricted department.
                try await expectRefusal(system, "🔒 Safety", on: card.id, as: World.driver,
                                        "Safety is restricted: only its members or a manager can send incidents there.", status: "awaiting_department")
                try await system.barrier()
                let untouched = try #require(try await system.card("0001", in: chat))
                #expect(untouched.text == fresh.text)
                #expect(untouched.buttons == fresh.buttons)
                #expect(try await system.timeline("0001") == ["created"])

                // The Dispatch button's data as it was on the first card version.
                let oldDispatch = try #require(fresh.buttonData["Dispatch"])
                try await system.press("Dispatch", on: card.id, as: World.driver)
                let waiting = try await system.waitForCard("0001", in: chat, "offers Claim") { $0.has("Claim") }

                // Someone outside Dispatch claims.
                try await expectRefusal(system, "Claim", on: card.id, as: World.stranger,
                                        "Only members of Dispatch can do this.", status: "awaiting_claim")
                try await expectRefusal(system, "Claim", on: card.id, as: World.mechanic,
                                        "Only members of Dispatch can do this.", status: "awaiting_claim")
                // A stranger opens the department picker.
                try await expectRefusal(system, "Change department", on: card.id, as: World.stranger,
                                        "Only members of Dispatch or a manager can do this.", status: "awaiting_claim")
                // A press from the old card version (the card was edited since): judged on the
                // current state, where choosing a department no longer applies.
                let stale = try await system.press(data: oldDispatch, on: card.id, as: World.driver)
                #expect(stale.showAlert)
                #expect(stale.text == "#0001 is awaiting claim; that button no longer applies.")
                // The Claim button of the earlier card, pressed after someone claimed: no longer applies.
                let claimData = try #require(waiting.buttonData["Claim"])
                try await system.press("Claim", on: card.id, as: World.dispatcher)
                try await system.waitForCard("0001", in: chat, "Dave on it") { $0.text.contains("On it: Dave") }
                let late = try await system.press(data: claimData, on: card.id, as: World.secondDispatcher)
                #expect(late.showAlert)
                #expect(late.text == "#0001 is in progress; that button no longer applies.")

                // Resolve by someone not on it and not a manager.
                try await expectRefusal(system, "Resolve", on: card.id, as: World.secondDispatcher,
                                        "Only someone working on it or a manager can resolve it.", status: "in_progress")
                try await system.barrier()
                let inProgress = try #require(try await system.card("0001", in: chat))
                #expect(inProgress.text.contains("On it: Dave"))
                #expect(!inProgress.text.contains("Dina"))
                #expect(try await system.timeline("0001") == ["created", "department_assigned", "claimed"])
                #expect(try await system.transcript(chat).filter { $0.fromBot && $0.forceReply != nil }.isEmpty)
            }
        }

        @Test("/new_issue refused: not a reply, not registered, in a private chat, in a group not activated, a company without departments")
        func refusedReports() async throws {
            try await RunningSystem.with { system in
                _ = try await World.build(on: system)
                let chat = World.chat

                // /start explains the bot, like /help.
                try await system.command("/start", in: chat, as: World.stranger)
                try await system.waitFor(chat, "the answer to /start") { $0.contains { $0.fromBot && $0.text.hasPrefix("I run incidents in this group.") } }

                // Not a reply: how to use it.
                let bare = try await system.command("/new_issue", in: chat, as: World.driver)
                try await expectReply(system, in: chat, to: bare, "Describe the problem in a message, then reply /new_issue to it (or send /new_issue within a few minutes of writing it).")

                // Not registered (a stranger who is neither driver, member nor manager): how to register.
                let text = try await system.say("Something is wrong", in: chat, as: World.stranger)
                let unregistered = try await system.command("/new_issue", in: chat, as: World.stranger, replyTo: text)
                try await expectReply(system, in: chat, to: unregistered,
                                      "Only registered drivers, department members and managers can report here. Drivers: send /register_driver in this group first.")

                // In a private chat: groups only.
                try await system.simulator.sendPrivately("/new_issue", from: World.driver)
                try await system.waitFor(World.driver, "the answer in the private chat") { messages in
                    messages.contains { $0.fromBot && $0.text == "I work in groups only. Add me to your team's group." }
                }

                // A group the bot was added to but nobody activated: it greets with the chat id, and
                // /new_issue says how to activate it.
                let pending: Int64 = -1_009_000_000_077
                try await system.simulator.createChat(NewChat(
                    title: "Night shift", type: .supergroup, id: pending, members: [World.driver, World.manager, World.dispatcher],
                    creator: World.manager, bot: World.botAdministrator))
                try await system.waitFor(pending, "the greeting with the chat id") { messages in
                    messages.contains { $0.fromBot && $0.text.contains("\(pending)") && $0.text.contains("activates") }
                }
                let problem = try await system.say("Truck 4 late", in: pending, as: World.dispatcher)
                let notActive = try await system.command("/new_issue", in: pending, as: World.dispatcher, replyTo: problem)
                try await expectReply(system, in: pending, to: notActive,
                                      "This group is not activated yet. A group administrator activates it with /activate CODE (a code from the dashboard); chat id \(pending).")

                // A group of a company without departments.
                let bare2: Int64 = -1_009_000_000_078
                try await system.simulator.createChat(NewChat(
                    title: "Empty Co", type: .supergroup, id: bare2, members: [World.manager], creator: World.manager,
                    bot: World.botAdministrator))
                let company = try await system.admin("POST", "companies", ["name": "Empty Co"]) as? [String: Any]
                try await system.admin("PUT", "groups/\(bare2)", ["company_id": company?["id"] as? Int ?? 0, "manager_user_ids": [World.manager]])
                let emptyProblem = try await system.say("Nobody to call", in: bare2, as: World.manager)
                let noDepartments = try await system.command("/new_issue", in: bare2, as: World.manager, replyTo: emptyProblem)
                try await expectReply(system, in: bare2, to: noDepartments,
                                      "This company has no departments yet. An administrator must add them first.")

                // Nothing was created anywhere.
                try await system.barrier()
                for group in [chat, pending, bare2] {
                    let list = try await system.admin("GET", "incidents?chat_id=\(group)") as? [String: Any]
                    #expect((list?["incidents"] as? [Any])?.isEmpty == true, "no incident in \(group)")
                    #expect(try await system.transcript(group).filter { $0.fromBot && $0.text.hasPrefix("#0001") }.isEmpty)
                }
                #expect(try await system.calls("pinChatMessage").isEmpty)

                // The refused attempts used no number: the first real report is #0001.
                let card = try await system.report("Now a real one", number: "0001")
                #expect(card.text.contains("Now a real one"))
            }
        }

        // MARK: Helpers

        private func expectRefusal(
            _ system: RunningSystem, _ button: String, on message: Int, as user: Int64, _ reason: String, status: String,
            sourceLocation: SourceLocation = #_sourceLocation
        ) async throws {
            let answer = try await system.press(button, on: message, as: user)
            #expect(answer.showAlert, "a refusal is an alert", sourceLocation: sourceLocation)
            #expect(answer.text == reason, sourceLocation: sourceLocation)
            #expect(try await system.status("0001") == status, sourceLocation: sourceLocation)
        }

        private func expectReply(
            _ system: RunningSystem, in chat: Int64, to command: Int, _ text: String,
            sourceLocation: SourceLocation = #_sourceLocation
        ) async throws {
            let messages = try await system.waitFor(chat, "the answer \"\(text)\"") { messages in
                messages.contains { $0.fromBot && $0.text == text }
            }
            let answer = messages.first { $0.fromBot && $0.text == text }
            #expect(answer?.replyTo == command, "the answer replies to the command", sourceLocation: sourceLocation)
        }
    }
}
