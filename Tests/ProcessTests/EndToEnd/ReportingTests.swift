import Foundation
import SimulatorClient
import Testing

extension EndToEnd {
    /// How a report becomes a card: the command's spellings, and text that must be shown
    /// literally (HTML in what people write, in their names, in the summary) or shortened.
    @Suite("End to end: reporting and what the card shows", .serialized)
    struct ReportingTests {
        @Test("HTML in the reported text, in a name and in the summary is shown literally; /ticket@Bot works; a long report is shortened")
        func literalTextAndSpellings() async throws {
            try await RunningSystem.with { system in
                _ = try await World.build(on: system)
                let chat = World.chat

                let hostile = "<b>Brakes</b> & <i>lights</i> <a href=\"https://evil.example\">fail</a> </blockquote> &amp; <script>x()</script>"
                let card = try await system.report(hostile, number: "0001")
                #expect(card.text.contains(hostile), "the text people see is exactly what was reported")
                #expect(card.html.contains("&lt;b&gt;Brakes&lt;/b&gt; &amp; &lt;i&gt;lights&lt;/i&gt;"))
                #expect(!card.html.contains("evil.example\">"), "no link was made from the reported text")
                #expect(card.text.contains("Reported by: Ann (@ann_driver)"))

                // A reporter whose name looks like HTML, reporting with /ticket@Bot.
                try await system.simulator.addUser(NewUser(id: 601, firstName: "<u>Eve</u> & Co"))
                try await system.simulator.addMember(601, to: chat)
                try await system.command("/register_driver", in: chat, as: 601)
                try await system.waitFor(chat, "Eve's registration") { $0.contains { $0.fromBot && $0.text.contains("<u>Eve</u> & Co is registered as a driver") } }
                let reported = try await system.say("Mirror cracked", in: chat, as: 601)
                try await system.command("/ticket", in: chat, as: 601, replyTo: reported, mentionBot: true)
                let second = try await system.waitForCard("0002", in: chat, "posted by /ticket@Bot") { $0.pinned }
                #expect(second.text.contains("Reported by: <u>Eve</u> & Co"))
                #expect(second.html.contains("&lt;u&gt;Eve&lt;/u&gt; &amp; Co"))
                #expect(second.replyTo == reported, "the card replies to the reported message")

                // A summary with HTML is shown literally on the resolved card.
                try await system.press("Dispatch", on: card.id, as: World.driver)
                try await system.waitForCard("0001", in: chat, "offers Claim") { $0.has("Claim") }
                try await system.press("Claim", on: card.id, as: World.dispatcher)
                try await system.waitForCard("0001", in: chat, "offers Resolve") { $0.has("Resolve") }
                try await system.press("Resolve", on: card.id, as: World.dispatcher)
                let prompt = try #require(try await system.waitFor(chat, "the prompt") { $0.contains { $0.fromBot && $0.forceReply != nil } }
                    .first { $0.fromBot && $0.forceReply != nil })
                let summary = "Replaced <fuse> #3 & checked </b> wiring"
                try await system.say(summary, in: chat, as: World.dispatcher, replyTo: prompt.id)
                let resolved = try await system.waitForCard("0001", in: chat, "resolved") { $0.has("Reopen") }
                #expect(resolved.text.contains(summary))
                #expect(try await system.incident("0001")["summary"] as? String == summary)

                // A report at Telegram's length limit, full of characters that HTML escapes: the card
                // still fits, shortened with "...".
                let long = String(repeating: "<&> ", count: 1024)
                let third = try await system.report(long, number: "0003")
                #expect(third.text.utf16.count <= 4096)
                #expect(third.text.contains("<&> <&>"))
                #expect(third.text.contains("..."))
                #expect(third.has("Dispatch"))
            }
        }
    }
}
