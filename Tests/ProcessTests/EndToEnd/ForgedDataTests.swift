import Foundation
import SimulatorClient
import Testing

extension EndToEnd {
    /// A client can send any callback data with a press. Each one gets an answer (no endless
    /// spinner), an alert with the reason, and changes nothing.
    @Suite("End to end: forged and garbled callback data", .serialized)
    struct ForgedDataTests {
        @Test("garbled data, an unknown incident, another chat's incident, a button that is not on the card")
        func forgedData() async throws {
            try await RunningSystem.with { system in
                let world = try await World.build(on: system)
                let chat = World.chat

                // A second activated group of the same company with its own incident.
                let other: Int64 = -1_009_000_000_055
                try await system.simulator.createChat(NewChat(
                    title: "Yard", type: .supergroup, id: other, members: [World.driver, World.manager, World.dispatcher],
                    creator: World.manager, bot: World.botAdministrator))
                try await system.admin("PUT", "groups/\(other)", ["company_id": world.companyID, "manager_user_ids": [World.manager]])
                let otherCard = try await system.report("Yard light out", number: "0001", in: other, as: World.manager)
                let otherData = try #require(otherCard.buttonData["Dispatch"])

                let card = try await system.report("Seal broken on container 7", number: "0001")
                try await system.press("Dispatch", on: card.id, as: World.driver)
                let before = try await system.waitForCard("0001", in: chat, "offers Claim") { $0.has("Claim") }
                let claim = try #require(before.buttonData["Claim"])
                // The card's version as its buttons carry it: code:incident:version.
                let parts = claim.split(separator: ":")
                try #require(parts.count == 3)
                let incident = parts[1], version = parts[2]
                let maintenance = String(world.departments["Maintenance"]!, radix: 36)

                let cases: [(data: String, reason: String)] = [
                    ("", "This button is not recognised."),
                    ("garbage", "This button is not recognised."),
                    ("c:\(incident)", "This button is not recognised."),
                    ("C:\(incident):\(version)", "This button is not recognised."),
                    ("c:\(incident):\(version):extra:parts", "This button is not recognised."),
                    ("c:0\(incident):\(version)", "This button is not recognised."),
                    ("c:-1:\(version)", "This button is not recognised."),
                    ("c:\(incident):\(version)💥", "This button is not recognised."),
                    (String(repeating: "z", count: 64), "This button is not recognised."),
                    ("c:zzzzzzzzzzzz:1", "This incident no longer exists."),
                    (otherData, "This button does not belong to this chat."),
                    // Real codes that are not on the current card.
                    ("r:\(incident):\(version)", "#0001 is awaiting claim; that button no longer applies."),
                    ("x:\(incident):\(version)", "#0001 is awaiting claim; that button no longer applies."),
                    ("o:\(incident):\(version)", "#0001 is awaiting claim; that button no longer applies."),
                    ("d:\(incident):\(version):\(maintenance)", "#0001 is awaiting claim; that button no longer applies."),
                    ("t:\(incident):\(version):\(maintenance)", "#0001 is awaiting claim; that button no longer applies."),
                ]
                for (data, reason) in cases {
                    let answer = try await system.press(data: data, on: card.id, as: World.dispatcher)
                    #expect(answer.showAlert, "\(data) is answered with an alert")
                    #expect(answer.text == reason, "\(data)")
                }

                try await system.barrier()
                let after = try #require(try await system.card("0001", in: chat))
                #expect(after.text == before.text)
                #expect(after.buttons == before.buttons)
                #expect(try await system.status("0001") == "awaiting_claim")
                #expect(try await system.status("0001", in: other) == "awaiting_department")
                #expect(try await system.timeline("0001") == ["created", "department_assigned"])
                // Every press the simulator saw was answered.
                let unanswered = try await system.messages(chat).flatMap(\.callbackQueries).filter { !$0.answered }
                #expect(unanswered.isEmpty)
                // And the system still works with the real button.
                #expect(try await system.press("Claim", on: card.id, as: World.dispatcher).showAlert == false)
                try await system.waitForCard("0001", in: chat, "Dave on it") { $0.text.contains("On it: Dave") }
            }
        }
    }
}
