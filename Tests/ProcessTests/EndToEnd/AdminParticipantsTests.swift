import Foundation
import Testing

extension EndToEnd {
    /// The admin API's incident: `claimer_ids` are the people on it now, `participants` the
    /// history of claims and joins, `description` the reported text.
    @Suite("End to end: who is on it, in the admin API", .serialized)
    struct AdminParticipantsTests {
        @Test("after Dave leaves only Dina is a claimer; participants keep both, with roles and times")
        func claimersAreThePeopleOnItNow() async throws {
            try await RunningSystem.with { system in
                _ = try await World.build(on: system)
                let chat = World.chat
                let card = try await system.report("Dock door 7 stuck <half open> & blocking", number: "0001")
                try await system.press("Dispatch", on: card.id, as: World.driver)
                try await system.waitForCard("0001", in: chat, "offers Claim") { $0.has("Claim") }
                try await system.press("Claim", on: card.id, as: World.dispatcher)
                try await system.waitForCard("0001", in: chat, "Dave on it") { $0.text.contains("On it: Dave") }
                try await system.press("Join", on: card.id, as: World.secondDispatcher)
                try await system.waitForCard("0001", in: chat, "Dina joined") { $0.text.contains("Dina") }

                var incident = try await system.incident("0001")
                #expect(incident["claimer_ids"] as? [Int] == [Int(World.dispatcher), Int(World.secondDispatcher)])
                #expect(incident["description"] as? String == "Dock door 7 stuck <half open> & blocking")

                try await system.press("Leave", on: card.id, as: World.dispatcher)
                try await system.waitForCard("0001", in: chat, "only Dina") { $0.text.contains("On it: Dina") && !$0.text.contains("Dave") }
                incident = try await system.incident("0001")
                #expect(incident["claimer_ids"] as? [Int] == [Int(World.secondDispatcher)])
                let participants = try #require(incident["participants"] as? [[String: Any]])
                #expect(participants.count == 2)
                #expect(participants.map { $0["user_id"] as? Int } == [Int(World.dispatcher), Int(World.secondDispatcher)])
                #expect(participants.map { $0["role"] as? String } == ["claimed", "joined"])
                #expect(participants[0]["left_at"] is String)
                #expect(participants[1]["left_at"] is NSNull)
                let joined = participants.compactMap { $0["joined_at"] as? String }
                #expect(joined.count == 2 && joined.allSatisfy { $0.hasSuffix("Z") } && joined[0] <= joined[1])
                if let left = participants[0]["left_at"] as? String { #expect(left >= joined[1]) }

                // The list endpoint carries the same fields.
                let list = try await system.admin("GET", "incidents?chat_id=\(chat)") as? [String: Any]
                let listed = try #require((list?["incidents"] as? [[String: Any]])?.first)
                #expect(listed["claimer_ids"] as? [Int] == [Int(World.secondDispatcher)])
                #expect((listed["participants"] as? [Any])?.count == 2)
                #expect(listed["description"] as? String == "Dock door 7 stuck <half open> & blocking")
            }
        }
    }
}
