import Foundation
import SimulatorClient
import Testing

extension EndToEnd {
    /// Messages sent on behalf of a chat (an anonymous administrator, a channel) carry Telegram's
    /// placeholder bot in `from`: they cannot report, register or summarise, and are told why.
    @Suite("End to end: anonymous administrators and channels", .serialized)
    struct AnonymousSenderTests {
        static let refusal = "I can't tell who sent this: it was sent anonymously or as a channel. Send it from your own account (an admin can turn off \"Remain anonymous\")."
        static let channel = PostedAs.channel(SenderChatSummary(id: -1_007_700_000_001, title: "Acme News"))

        @Test("/new_issue and /register_driver sent anonymously or as a channel are refused; nobody is registered")
        func refusedOnBehalfOfAChat() async throws {
            try await RunningSystem.with { system in
                _ = try await World.build(on: system)
                let chat = World.chat
                // Each command waits for its refusal before the next is sent: flood control sends
                // one copy of a notice that is still waiting for the same chat, so four identical
                // refusals queued at once would arrive as fewer.
                func refused(_ messageID: Int) async throws {
                    _ = try await system.waitFor(chat, "the refusal of message \(messageID)") { messages in
                        messages.contains { $0.fromBot && $0.text == Self.refusal && $0.replyTo == messageID }
                    }
                }

                // An anonymous administrator registers, then reports.
                let registerID = try await system.command("register_driver", in: chat, as: World.manager, identity: .anonymousAdministrator)
                try await refused(registerID)
                let reportedID = try await system.say(
                    "Trailer 9 door will not close", in: chat, as: World.manager, identity: .anonymousAdministrator)
                let reportID = try await system.command(
                    "new_issue", in: chat, as: World.manager, replyTo: reportedID, identity: .anonymousAdministrator)
                try await refused(reportID)
                // A channel does the same.
                let channelRegisterID = try await system.command("register_driver", in: chat, as: World.stranger, identity: Self.channel)
                try await refused(channelRegisterID)
                let channelReportID = try await system.command(
                    "ticket", in: chat, as: World.stranger, replyTo: reportedID, identity: Self.channel)

                let messages = try await system.waitFor(chat, "four refusals") { messages in
                    messages.filter { $0.fromBot && $0.text == Self.refusal }.count == 4
                }
                let answered = Set(messages.filter { $0.fromBot && $0.text == Self.refusal }.compactMap(\.replyTo))
                #expect(answered == [registerID, reportID, channelRegisterID, channelReportID])
                // Nothing was registered and no incident exists.
                // Only Ann's registration (when the world was built) was ever confirmed.
                #expect(messages.filter { $0.fromBot && $0.text.contains("registered as a driver") }.count == 1)
                let list = try await system.admin("GET", "incidents?chat_id=\(chat)") as? [String: Any]
                #expect((list?["incidents"] as? [Any])?.isEmpty == true)
                #expect(try await system.card("0001", in: chat) == nil)

                // The anonymous message really reached the bot as Telegram sends it.
                let anonymous = try await system.message(reportID, in: chat)
                #expect(anonymous?.from.username == "GroupAnonymousBot")
                #expect(anonymous?.senderChat?.id == chat)

                // The same people, as themselves: the manager can report.
                try await system.command("/new_issue", in: chat, as: World.manager, replyTo: reportedID)
                let card = try await system.waitForCard("0001", in: chat, "posted") { $0.pinned }
                #expect(card.text.contains("Trailer 9 door will not close"))
                #expect(card.text.contains("Olivia"))
            }
        }
    }
}
