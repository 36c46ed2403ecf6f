import Foundation
import SimulatorClient
import Testing

extension EndToEnd {
    @Suite("End to end: cancelling a resolve", .serialized)
    struct CancelResolveTests {
        @Test("Cancel returns to in progress; a reply to the cancelled prompt is not a summary; only the resolver's reply to the current prompt is")
        func cancelResolve() async throws {
            try await RunningSystem.with { system in
                _ = try await World.build(on: system)
                let chat = World.chat

                let card = try await system.report("Gate 2 barrier stuck open", number: "0001")
                try await system.press("Dispatch", on: card.id, as: World.driver)
                try await system.waitForCard("0001", in: chat, "offers Claim") { $0.has("Claim") }
                try await system.press("Claim", on: card.id, as: World.dispatcher)
                try await system.waitForCard("0001", in: chat, "offers Resolve") { $0.has("Resolve") }

                // Resolve: a selective ForceReply prompt that mentions Dave and names the incident.
                let resolving = try await system.press("Resolve", on: card.id, as: World.dispatcher)
                #expect(resolving.text == "Reply to the prompt with the summary of #0001.")
                let firstPrompt = try await prompt(system, count: 1)
                #expect(firstPrompt.text.contains("#0001"))
                #expect(firstPrompt.text.contains("@dave_dispatch"))
                #expect(firstPrompt.forceReply?.selective == true)
                #expect(firstPrompt.replyTo == card.id)
                let awaiting = try await system.waitForCard("0001", in: chat, "offers Cancel resolve") { $0.has("Cancel resolve") }
                #expect(awaiting.buttons == ["Cancel resolve"])
                #expect(awaiting.text.contains("Resolve requested by: Dave"))

                // Someone else cannot cancel.
                let notYours = try await system.press("Cancel resolve", on: card.id, as: World.secondDispatcher)
                #expect(notYours.showAlert)
                #expect(notYours.text == "Only Dave, who pressed Resolve, or a manager can cancel.")
                #expect(try await system.status("0001") == "awaiting_summary")

                // Dave cancels: in progress again.
                let cancelled = try await system.press("Cancel resolve", on: card.id, as: World.dispatcher)
                #expect(cancelled.showAlert == false)
                #expect(cancelled.text == "#0001 is in progress again.")
                let again = try await system.waitForCard("0001", in: chat, "in progress again") { $0.has("Resolve") }
                #expect(again.text.contains("In progress"))
                #expect(again.pinned)

                // A late reply to the cancelled prompt is not a summary.
                try await system.say("Barrier fixed (too late)", in: chat, as: World.dispatcher, replyTo: firstPrompt.id)
                try await system.barrier()
                #expect(try await system.status("0001") == "in_progress")
                let stillOpen = try #require(try await system.card("0001", in: chat))
                #expect(!stillOpen.text.contains("Barrier fixed"))
                #expect(stillOpen.pinned)

                // A manager may cancel someone else's resolve.
                try await system.press("Resolve", on: card.id, as: World.dispatcher)
                let secondPrompt = try await prompt(system, count: 2)
                try await system.waitForCard("0001", in: chat, "offers Cancel resolve again") { $0.has("Cancel resolve") }
                #expect(try await system.press("Cancel resolve", on: card.id, as: World.manager).showAlert == false)
                try await system.waitForCard("0001", in: chat, "in progress after the manager's cancel") { $0.has("Resolve") }
                #expect(try await system.status("0001") == "in_progress")

                // Third round: a reply by someone other than the resolver is refused with the reason;
                // replies to the two cancelled prompts change nothing; Dave's reply resolves it.
                try await system.press("Resolve", on: card.id, as: World.dispatcher)
                let thirdPrompt = try await prompt(system, count: 3)
                try await system.waitForCard("0001", in: chat, "offers Cancel resolve a third time") { $0.has("Cancel resolve") }
                try await system.say("Not my summary to give", in: chat, as: World.secondDispatcher, replyTo: thirdPrompt.id)
                try await system.waitFor(chat, "the refusal of Dina's summary") { messages in
                    messages.contains { $0.fromBot && $0.text == "Only Dave, who pressed Resolve, can submit the summary." }
                }
                try await system.say("Old prompt answer", in: chat, as: World.dispatcher, replyTo: secondPrompt.id)
                try await system.barrier()
                #expect(try await system.status("0001") == "awaiting_summary")
                try await system.say("Barrier motor replaced", in: chat, as: World.dispatcher, replyTo: thirdPrompt.id)
                let resolved = try await system.waitForCard("0001", in: chat, "resolved and unpinned") { $0.text.contains("Barrier motor replaced") && !$0.pinned }
                #expect(resolved.buttons == ["Reopen"])
                #expect(resolved.text.contains("Resolved by: Dave"))
                let incident = try await system.incident("0001")
                #expect(incident["summary"] as? String == "Barrier motor replaced")
                let timeline = try await system.timeline("0001")
                #expect(timeline.filter { $0 == "resolve_cancelled" }.count == 2)
                #expect(timeline.filter { $0 == "resolved" }.count == 1)
            }
        }

        /// Waits for the `count`th summary prompt and returns it.
        private func prompt(_ system: RunningSystem, count: Int) async throws -> ChatMessage {
            let messages = try await system.waitFor(World.chat, "summary prompt number \(count)") { messages in
                messages.filter { $0.fromBot && $0.forceReply != nil }.count >= count
            }
            let prompts = messages.filter { $0.fromBot && $0.forceReply != nil }
            #expect(prompts.count == count, "one prompt per Resolve")
            return prompts[count - 1]
        }
    }
}
