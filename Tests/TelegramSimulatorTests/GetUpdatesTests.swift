import Foundation
import Testing
@testable import TelegramSimulator

@Suite("getUpdates")
struct GetUpdatesTests {
    private func updateIDs(_ result: JSONValue) -> [Int] {
        (result.arrayValue ?? []).compactMap { $0["update_id"]?.intValue }
    }

    @Test("unconfirmed updates are delivered again; a higher offset confirms them for good")
    func offsetConfirmationAndRedelivery() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            let chat = try await sim.group(members: [ana])
            try await sim.drainUpdates()
            for text in ["/new_issue one", "/new_issue two", "/new_issue three"] {
                try await sim.control("POST", "chats/\(chat)/messages", ["from": .int(ana), "text": .string(text)])
            }
            let first = updateIDs(try await sim.botOK("getUpdates"))
            #expect(first.count == 3)
            #expect(first == first.sorted())
            // Not confirmed yet: a poller that crashed here gets the same updates again.
            #expect(updateIDs(try await sim.botOK("getUpdates")) == first)
            // Confirm the first one only.
            #expect(updateIDs(try await sim.botOK("getUpdates", ["offset": .int(first[0] + 1)])) == Array(first.dropFirst()))
            // A poll without offset after confirming still never sees the confirmed one.
            #expect(updateIDs(try await sim.botOK("getUpdates")) == Array(first.dropFirst()))
            #expect(updateIDs(try await sim.botOK("getUpdates", ["offset": .int(first[2] + 1)])) == [])
            #expect(updateIDs(try await sim.botOK("getUpdates")) == [])
            let pending = try await sim.control("GET", "updates")
            #expect(pending.arrayValue?.isEmpty == true)
        }
    }

    @Test("limit caps the batch and a negative offset keeps only the newest")
    func limitAndNegativeOffset() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            let chat = try await sim.group(members: [ana])
            try await sim.drainUpdates()
            for number in 1...5 {
                try await sim.control("POST", "chats/\(chat)/messages", ["from": .int(ana), "text": .string("/status \(number)")])
            }
            let all = updateIDs(try await sim.botOK("getUpdates"))
            #expect(all.count == 5)
            #expect(updateIDs(try await sim.botOK("getUpdates", ["limit": 2])) == Array(all.prefix(2)))
            #expect(updateIDs(try await sim.botOK("getUpdates", ["offset": -2])) == Array(all.suffix(2)))
            #expect(updateIDs(try await sim.botOK("getUpdates")) == Array(all.suffix(2)))
            // Extreme values are clamped, not trusted.
            #expect(updateIDs(try await sim.botOK("getUpdates", ["offset": .int(Int.min), "limit": 1000, "timeout": -5])) == Array(all.suffix(2)))
        }
    }

    @Test("a long poll waits, and wakes as soon as an update arrives")
    func longPollWakesOnUpdate() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            let chat = try await sim.group(members: [ana])
            let offset = (try await sim.drainUpdates().last?["update_id"]?.intValue ?? 0) + 1
            let started = ContinuousClock.now
            async let poll = sim.bot("getUpdates", ["offset": .int(offset), "timeout": 50])
            // Post only once the poll is really waiting, so the wake-up is what returns it.
            try await waitUntilPollIsPending(sim)
            try await sim.control("POST", "chats/\(chat)/messages", ["from": .int(ana), "text": "/new_issue forklift down"])
            let reply = try await poll
            #expect(reply.ok)
            let updates = reply.result?.arrayValue ?? []
            #expect(updates.count == 1)
            #expect(updates.first?["message"]?["text"] == "/new_issue forklift down")
            // Woken by the update, not by the 50 s timeout (a generous bound for a loaded machine).
            #expect(ContinuousClock.now - started < .seconds(40))
        }
    }

    @Test("a long poll with nothing to deliver returns an empty list after its timeout")
    func longPollTimesOut() async throws {
        try await withSimulator { sim in
            let started = ContinuousClock.now
            let reply = try await sim.bot("getUpdates", ["timeout": 1])
            #expect(reply.ok)
            #expect(reply.result == .array([]))
            #expect(ContinuousClock.now - started >= .milliseconds(900))
        }
    }

    @Test("a second poll ends the pending one with 409 Conflict and gets the updates itself")
    func overlappingPollsConflict() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            let chat = try await sim.group(members: [ana])
            try await sim.drainUpdates()
            async let first = sim.bot("getUpdates", ["timeout": 50])
            try await waitUntilPollIsPending(sim)
            async let second = sim.bot("getUpdates", ["timeout": 50])
            let firstReply = try await first
            #expect(firstReply.status == 409)
            #expect(firstReply.errorCode == 409)
            #expect(firstReply.errorDescription == "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running")
            #expect(firstReply.parameters == nil)
            try await sim.control("POST", "chats/\(chat)/messages", ["from": .int(ana), "text": "/help"])
            let secondReply = try await second
            #expect(secondReply.ok)
            #expect(secondReply.result?.arrayValue?.count == 1)
        }
    }

    @Test("allowed_updates filters kinds from then on and is remembered between calls")
    func allowedUpdates() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            let chat = try await sim.group(members: [ana])
            try await sim.drainUpdates()
            try await sim.botOK("getUpdates", ["allowed_updates": ["callback_query"]])
            let card = try await sim.sendCard(chat, text: "Card", buttons: [("Claim", "claim:1")])
            try await sim.control("POST", "chats/\(chat)/messages", ["from": .int(ana), "text": "/help"])
            try await sim.control("POST", "chats/\(chat)/messages/\(card)/press", ["from": .int(ana), "button_text": "Claim"])
            let kinds = (try await sim.botOK("getUpdates")).arrayValue?.map { Set($0.objectValue?.keys.filter { $0 != "update_id" } ?? []) }
            #expect(kinds == [["callback_query"]])
            // Sent as a JSON string in a form field, and an empty list restores the default.
            let reply = try await sim.botForm("getUpdates", [("allowed_updates", "[]"), ("offset", "-1")])
            #expect(reply.ok)
            try await sim.control("POST", "chats/\(chat)/messages", ["from": .int(ana), "text": "/help"])
            let after = (try await sim.botOK("getUpdates")).arrayValue ?? []
            #expect(after.contains { $0["message"] != nil })
        }
    }

    @Test("unconfirmed updates are kept for 24 hours, then forgotten")
    func updatesExpire() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            let chat = try await sim.group(members: [ana])
            sim.clock.advance(by: 12 * 3600)
            try await sim.control("POST", "chats/\(chat)/messages", ["from": .int(ana), "text": "/later"])
            sim.clock.advance(by: 12 * 3600 + 1)
            let left = (try await sim.botOK("getUpdates")).arrayValue ?? []
            #expect(left.compactMap { $0["message"]?["text"]?.stringValue } == ["/later"])
            sim.clock.advance(by: 12 * 3600)
            #expect(try await sim.botOK("getUpdates") == .array([]))
        }
    }

    @Test("deleteWebhook with drop_pending_updates forgets the queue")
    func deleteWebhookDrops() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            _ = try await sim.group(members: [ana])
            #expect(!(try await sim.botOK("getUpdates")).arrayValue!.isEmpty)
            #expect(try await sim.botOK("deleteWebhook", ["drop_pending_updates": true]) == true)
            #expect(try await sim.botOK("getUpdates") == .array([]))
            let info = try await sim.botOK("getWebhookInfo")
            #expect(info["url"] == "")
            #expect(info["pending_update_count"] == 0)
        }
    }
}

/// Waits until the simulator has a getUpdates call suspended, read from its state (the HTTP
/// side cannot tell a waiting poll from one still on its way).
func waitUntilPollIsPending(_ sim: RunningSimulator, sourceLocation: SourceLocation = #_sourceLocation) async throws {
    let deadline = ContinuousClock.now + .seconds(30)
    while ContinuousClock.now < deadline {
        if sim.server.simulation.withState({ state, _ in state.currentPollID != nil }) { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    Issue.record("getUpdates never started waiting", sourceLocation: sourceLocation)
}
