import Foundation
import SimulatorClient
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
                let world = try await World.build(on: system)
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
                try await system.simulator.addFault(.latency(1500, on: "editMessageText", count: 50))

                let claimed = try await system.press("Claim", on: card.id, as: World.dispatcher)
                #expect(claimed.showAlert == false)
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
                    #expect(answer.showAlert == false, "\(step.code) by \(step.user): \(answer)")
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

                try await system.simulator.clearFaults()
                let settled = try await system.waitForCard("0001", in: chat, "Dave and Dina on it, Resolve offered") {
                    $0.text.contains("On it: Dave") && $0.text.contains("Dina") && $0.has("Resolve")
                }

                // An old picker: opened in Dispatch, then the incident moves to Maintenance.
                try await system.press("Change department", on: settled.id, as: World.dispatcher)
                let picker = try await system.waitForCard("0001", in: chat, "the picker") { $0.has("Maintenance") }
                let oldSafety = try #require(picker.buttonData["🔒 Safety"])
                let moved = try await system.press("Maintenance", on: card.id, as: World.dispatcher)
                #expect(moved.showAlert == false)
                try await system.waitForCard("0001", in: chat, "with Maintenance") { $0.text.contains("Maintenance") && $0.has("Claim") }
                let stalePick = try await system.press(data: oldSafety, on: card.id, as: World.manager)
                #expect(stalePick.showAlert)
                #expect(stalePick.text == "This card has changed, use the current one.")

                // An earlier episode, in a second group (Telegram lets a bot send 20 messages a
                // minute to one group): resolved, reopened; the first episode's Claim is refused.
                let other: Int64 = -1_009_000_000_002
                try await world.addGroup(other, title: "Night shift", on: system)
                let second = try await system.report("Fridge door seal torn", number: "0001", in: other).id
                try await system.press("Dispatch", on: second, in: other, as: World.driver)
                let claimable = try await system.waitForCard("0001", in: other, "offers Claim") { $0.has("Claim") }.buttonData
                let firstClaim = try #require(claimable["Claim"])
                try await system.press("Claim", on: second, in: other, as: World.dispatcher)
                try await system.waitForCard("0001", in: other, "Dave on it") { $0.text.contains("On it: Dave") }
                try await system.press("Resolve", on: second, in: other, as: World.dispatcher)
                let promptIDs = try await system.waitFor(other, "the prompt") { $0.contains { $0.fromBot && $0.forceReply != nil } }
                    .filter { $0.fromBot && $0.forceReply != nil }.map(\.id)
                try await system.say("Seal replaced", in: other, as: World.dispatcher, replyTo: try #require(promptIDs.last))
                try await system.waitForCard("0001", in: other, "resolved") { $0.has("Reopen") }
                let reopened = try await system.press("Reopen", on: second, in: other, as: World.dispatcher)
                #expect(reopened.showAlert == false)
                try await system.waitForCard("0001", in: other, "awaiting claim again") { $0.has("Claim") }
                let earlier = try await system.press(data: firstClaim, on: second, in: other, as: World.secondDispatcher)
                #expect(earlier.showAlert)
                #expect(earlier.text == "This card has changed, use the current one.")
                #expect(try await system.status("0001", in: other) == "awaiting_claim")
                #expect(try await system.timeline("0001", in: other).suffix(2) == ["resolved", "reopened"])
            }
        }
    }
}
