import Foundation
import SimulatorClient
import Testing

extension EndToEnd {
    @Suite("End to end: one person flooding a group with commands", .serialized)
    struct FloodControlTests {
        static let repliesPerPerson = 3

        @Test("300 /help from one person while another reports: the card goes out first, the spammer gets a bounded number of answers")
        func threeHundredHelps() async throws {
            try await RunningSystem.with(extra: ["FLOOD_REPLIES_PER_PERSON": "\(Self.repliesPerPerson)"]) { system in
                _ = try await World.build(on: system)
                let chat = World.chat
                let before = try await system.messages(chat).count

                // Stan sends 300 /help; after the first 50 the driver reports an incident.
                var stanCommands: Set<Int> = []
                for index in 0..<300 {
                    stanCommands.insert(try await system.command("/help", in: chat, as: World.stranger))
                    if index == 50 {
                        let report = try await system.say("Reefer unit failing on trailer 7", in: chat, as: World.driver)
                        try await system.command("/new_issue", in: chat, as: World.driver, replyTo: report)
                    }
                }
                #expect(stanCommands.count == 300)
                // Somebody else's command in the middle of the flood is answered.
                try await system.command("/register_driver", in: chat, as: World.dispatcher)

                let withCard = try await system.waitFor(chat, "the incident card") { messages in
                    messages.contains { $0.isCard("0001") }
                }.dropFirst(before)
                let cardIndex = try #require(withCard.firstIndex { $0.isCard("0001") })
                let botBeforeCard = withCard[..<cardIndex].filter(\.fromBot)
                // However fast the system keeps up with Stan, the card never waits behind his
                // flood: before it go at most his per-person allowance and one notice (how many of
                // those come before the card depends only on timing).
                #expect(botBeforeCard.count <= Self.repliesPerPerson + 1, "bot messages before the card:\n\(botBeforeCard.map(\.description).joined(separator: "\n"))")

                try await system.waitFor(chat, "the dispatcher's answer") { messages in
                    messages.contains { $0.fromBot && $0.text.contains("Dave") && $0.text.localizedCaseInsensitiveContains("driver") }
                }
                // Identical /help answers collapse per chat anyway; different commands do not.
                // Stan goes on with a mix whose answers differ (a refused report, his driver
                // registration, help): only the per-person limit bounds those.
                for index in 0..<30 {
                    let command = ["/new_issue", "/register_driver", "/help"][index % 3]
                    stanCommands.insert(try await system.command(command, in: chat, as: World.stranger))
                    try await Task.sleep(for: .milliseconds(150))
                }
                // Give the sender time to send anything else still queued (20 a minute).
                try await Task.sleep(for: .seconds(15))
                let all = try await system.transcript(chat).dropFirst(before)
                let toStan = all.filter { $0.fromBot && $0.replyTo.map(stanCommands.contains) == true }
                #expect(toStan.count <= Self.repliesPerPerson + 1, "answers to the spammer:\n\(toStan.map(\.description).joined(separator: "\n"))")
                #expect(toStan.contains { $0.text.contains("a lot of commands") }, "the spammer is told once: \(toStan.map(\.description))")
                #expect(toStan.filter { $0.text.contains("a lot of commands") }.count == 1)
            }
        }
    }
}
