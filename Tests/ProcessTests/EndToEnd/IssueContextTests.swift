import Foundation
import Testing

extension EndToEnd {
    /// `/ticket` or `/new_issue` without a reply takes the reporter's own last messages of the
    /// last few minutes as the description, or explains how to report when there are none.
    @Suite("End to end: /new_issue without a reply", .serialized)
    struct IssueContextTests {
        @Test("the reporter's last messages become the description; none: how to report")
        func recentMessagesAreTheDescription() async throws {
            try await RunningSystem.with { system in
                _ = try await World.build(on: system)
                let chat = World.chat

                // Nothing written yet: how to report.
                let bare = try await system.command("/ticket", in: chat, as: World.driver)
                try await system.waitFor(chat, "how to report") { messages in
                    messages.contains { $0.fromBot && $0.replyTo == bare && $0.text.hasPrefix("Describe the problem in a message") }
                }

                try await system.say("Trailer 7 at dock 3", in: chat, as: World.driver)
                try await system.say("unrelated chatter", in: chat, as: World.dispatcher)
                try await system.say("the rear door will not close", in: chat, as: World.driver)
                let last = try await system.say("and it is raining in", in: chat, as: World.driver)
                try await system.command("/new_issue", in: chat, as: World.driver)
                let card = try await system.waitForCard("0001", in: chat, "posted and pinned") { $0.pinned }
                #expect(card.text.contains("Trailer 7 at dock 3"))
                #expect(card.text.contains("the rear door will not close"))
                #expect(card.text.contains("and it is raining in"))
                #expect(!card.text.contains("unrelated chatter"))
                #expect(card.replyTo == last)
                let incident = try await system.incident("0001")
                #expect(incident["description"] as? String == "Trailer 7 at dock 3\nthe rear door will not close\nand it is raining in")

                // The same messages do not make a second incident.
                let again = try await system.command("/new_issue", in: chat, as: World.driver)
                try await system.waitFor(chat, "how to report, again") { messages in
                    messages.contains { $0.fromBot && $0.replyTo == again && $0.text.hasPrefix("Describe the problem in a message") }
                }
                #expect(try await system.card("0002", in: chat) == nil)
            }
        }
    }
}
