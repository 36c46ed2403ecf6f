import Foundation
import Testing

extension EndToEnd {
    /// The card on screen lags behind the incident while its edit waits (here: every
    /// editMessageText held back by the simulator). Presses are judged against the incident's
    /// current state and the presser's rights; only a picker of an earlier transfer and a button
    /// of an earlier episode (before a reopen) are refused as stale.
    @Suite("End to end: presses on a lagging card", .serialized)
    struct LaggingCardTests {
        @Test("every button of the next state pressed while the card edit is held back: all carried out; old picker and earlier episode refused")
        func pressesOnALaggingCard() async throws {
            try await RunningSystem.with { system in
                _ = try await World.build(on: system)
                let chat = World.chat

                let card = try await system.report("Reefer unit alarm on trailer 88", number: "0001")
                try await system.press("Dispatch", on: card.id, as: World.driver)
                let waiting = try await system.waitForCard("0001", in: chat, "offers Claim") { $0.has("Claim") }
                let claimData = try #require(waiting.buttonData["Claim"])
                // The same card version with another button: what a person would press on the
                // card of the next state, drawn while the card is still the one on screen.
                let parts = claimData.split(separator: ":").map(String.init)
                func onShownCard(_ code: String) -> String { ([code] + parts.dropFirst()).joined(separator: ":") }

                // Hold every card edit back for a while.
                try await system.control("POST", "faults", ["method": "editMessageText", "latency_ms": 1500, "count": 50])

                let claimed = try await system.press("Claim", on: card.id, as: World.dispatcher)
                #expect(claimed.alert == false)
                #expect(claimed.text == "You are on #0001.")
                // The card on screen is still the one offering Claim: its edit is held back.
                let behind = try #require(try await system.card("0001", in: chat))
                #expect(behind.has("Claim") && !behind.has("Leave"), "the card edit was not held back: \(behind)")
                let steps: [(code: String, user: Int64, answer: String)] = [
                    ("j", World.secondDispatcher, "You joined #0001."),
                    ("l", World.secondDispatcher, "You left #0001."),
                    ("r", World.dispatcher, ""),
                    ("x", World.dispatcher, ""),
                    ("r", World.dispatcher, ""),
                    ("x", World.dispatcher, ""),
                    ("j", World.secondDispatcher, "You joined #0001."),
                ]
                for step in steps {
                    let answer = try await system.press(data: onShownCard(step.code), on: card.id, as: step.user)
                    #expect(answer.alert == false, "\(step.code) by \(step.user): \(answer)")
                    if !step.answer.isEmpty { #expect(answer.text == step.answer) }
                }
                // The card on screen was still behind for at least part of it (edits wait 1.5 s each).
                #expect(try await system.status("0001") == "in_progress")
                #expect(try await system.timeline("0001") == [
                    "created", "department_assigned", "claimed", "joined", "left", "resolution_requested",
                    "resolve_cancelled", "resolution_requested", "resolve_cancelled", "joined",
                ])
                let incident = try await system.incident("0001")
                #expect(Set(incident["claimer_ids"] as? [Int] ?? []) == [Int(World.dispatcher), Int(World.secondDispatcher)])

                try await system.control("DELETE", "faults")
                let settled = try await system.waitForCard("0001", in: chat, "Dave and Dina on it, Resolve offered") {
                    $0.text.contains("On it: Dave") && $0.text.contains("Dina") && $0.has("Resolve")
                }

                // An old picker: opened in Dispatch, then the incident moves to Maintenance.
                try await system.press("Change department", on: settled.id, as: World.dispatcher)
                let picker = try await system.waitForCard("0001", in: chat, "the picker") { $0.has("Maintenance") }
                let oldSafety = try #require(picker.buttonData["🔒 Safety"])
                let moved = try await system.press("Maintenance", on: card.id, as: World.dispatcher)
                #expect(moved.alert == false)
                try await system.waitForCard("0001", in: chat, "with Maintenance") { $0.text.contains("Maintenance") && $0.has("Claim") }
                let stalePick = try await system.press(data: oldSafety, on: card.id, as: World.manager)
                #expect(stalePick.alert)
                #expect(stalePick.text == "This card has changed, use the current one.")

                // An earlier episode: resolved, reopened; the first episode's Claim is refused.
                try await system.press("Claim", on: card.id, as: World.mechanic)
                try await system.waitForCard("0001", in: chat, "Mia on it") { $0.text.contains("On it: Mia") }
                let promptsBefore = try await system.transcript(chat).filter { $0.fromBot && $0.forceReply != nil }.count
                try await system.press("Resolve", on: card.id, as: World.mechanic)
                let prompt = try #require(try await system.waitFor(chat, "Mia's prompt") {
                    $0.filter { $0.fromBot && $0.forceReply != nil }.count > promptsBefore
                }.last { $0.fromBot && $0.forceReply != nil })
                try await system.say("Compressor reset", in: chat, as: World.mechanic, replyTo: prompt.id)
                try await system.waitForCard("0001", in: chat, "resolved") { $0.has("Reopen") }
                let reopened = try await system.press("Reopen", on: card.id, as: World.mechanic)
                #expect(reopened.alert == false)
                try await system.waitForCard("0001", in: chat, "awaiting claim again") { $0.has("Claim") }
                let earlier = try await system.press(data: claimData, on: card.id, as: World.dispatcher)
                #expect(earlier.alert)
                #expect(earlier.text == "This card has changed, use the current one.")
                let earlierMechanic = try await system.press(data: onShownCard("c"), on: card.id, as: World.mechanic)
                #expect(earlierMechanic.alert)
                #expect(try await system.status("0001") == "awaiting_claim")
                #expect(try await system.timeline("0001").suffix(2) == ["resolved", "reopened"])
            }
        }
    }
}
