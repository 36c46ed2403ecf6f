import Foundation
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
                    let sent = try await system.control("POST", "chats/\(chat)/commands", ["from": World.stranger, "command": "/help"]) as? [String: Any]
                    if let id = sent?["message_id"] as? Int { stanCommands.insert(id) }
                    if index == 50 {
                        let report = try await system.control("POST", "chats/\(chat)/messages", [
                            "from": World.driver, "text": "Reefer unit failing on trailer 7",
                        ]) as? [String: Any]
                        try await system.control("POST", "chats/\(chat)/commands", [
                            "from": World.driver, "command": "/new_issue", "reply_to_message_id": report?["message_id"] as? Int ?? 0,
                        ])
                    }
                }
                #expect(stanCommands.count == 300)
                // Somebody else's command in the middle of the flood is answered.
                try await system.control("POST", "chats/\(chat)/commands", ["from": World.dispatcher, "command": "/register_driver"])

                let withCard = try await system.waitForMessages(chat, "the incident card") { messages in
                    messages.map(ChatMessage.init).contains { $0.isCard("0001") }
                }.map(ChatMessage.init).dropFirst(before)
                let cardIndex = try #require(withCard.firstIndex { $0.isCard("0001") })
                let botBeforeCard = withCard[..<cardIndex].filter(\.fromBot)
                // However fast the system keeps up with Stan, the card never waits behind his
                // flood: before it go at most his per-person allowance and one notice (how many of
                // those come before the card depends only on timing).
                #expect(botBeforeCard.count <= Self.repliesPerPerson + 1, "bot messages before the card:\n\(botBeforeCard.map(\.description).joined(separator: "\n"))")

                try await system.waitForMessages(chat, "the dispatcher's answer") { messages in
                    messages.map(ChatMessage.init).contains { $0.fromBot && $0.text.contains("Dave") && $0.text.localizedCaseInsensitiveContains("driver") }
                }
                // Identical /help answers collapse per chat anyway; different commands do not.
                // Stan goes on with a mix whose answers differ (a refused report, his driver
                // registration, help): only the per-person limit bounds those.
                for index in 0..<30 {
                    let command = ["/new_issue", "/register_driver", "/help"][index % 3]
                    let sent = try await system.control("POST", "chats/\(chat)/commands", ["from": World.stranger, "command": command]) as? [String: Any]
                    if let id = sent?["message_id"] as? Int { stanCommands.insert(id) }
                    try await Task.sleep(for: .milliseconds(150))
                }
                // Give the sender time to send anything else still queued (20 a minute).
                try await Task.sleep(for: .seconds(15))
                let all = try await system.messages(chat).map(ChatMessage.init).dropFirst(before)
                let toStan = all.filter { $0.fromBot && $0.replyTo.map(stanCommands.contains) == true }
                #expect(toStan.count <= Self.repliesPerPerson + 1, "answers to the spammer:\n\(toStan.map(\.description).joined(separator: "\n"))")
                #expect(toStan.contains { $0.text.contains("a lot of commands") }, "the spammer is told once: \(toStan.map(\.description))")
                #expect(toStan.filter { $0.text.contains("a lot of commands") }.count == 1)
            }
        }
    }
}
