import Foundation
import Testing

extension EndToEnd {
    /// Messages sent on behalf of a chat (an anonymous administrator, a channel) carry Telegram's
    /// placeholder bot in `from`: they cannot report, register or summarise, and are told why.
    @Suite("End to end: anonymous administrators and channels", .serialized)
    struct AnonymousSenderTests {
        static let refusal = "I can't tell who sent this: it was sent anonymously or as a channel. Send it from your own account (an admin can turn off \"Remain anonymous\")."

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
                let channel: [String: Any] = ["id": -1_007_700_000_001, "title": "Acme News"]

                // An anonymous administrator registers, then reports.
                let register = try await system.control("POST", "chats/\(chat)/commands", [
                    "from": World.manager, "command": "register_driver", "anonymous": true,
                ]) as? [String: Any]
                let registerID = try #require(register?["message_id"] as? Int)
                try await refused(registerID)
                let reported = try await system.control("POST", "chats/\(chat)/messages", [
                    "from": World.manager, "text": "Trailer 9 door will not close", "anonymous": true,
                ]) as? [String: Any]
                let reportedID = try #require(reported?["message_id"] as? Int)
                let report = try await system.control("POST", "chats/\(chat)/commands", [
                    "from": World.manager, "command": "new_issue", "anonymous": true, "reply_to_message_id": reportedID,
                ]) as? [String: Any]
                let reportID = try #require(report?["message_id"] as? Int)
                try await refused(reportID)
                // A channel does the same.
                let channelRegister = try await system.control("POST", "chats/\(chat)/commands", [
                    "from": World.stranger, "command": "register_driver", "sender_chat": channel,
                ]) as? [String: Any]
                let channelRegisterID = try #require(channelRegister?["message_id"] as? Int)
                try await refused(channelRegisterID)
                let channelReport = try await system.control("POST", "chats/\(chat)/commands", [
                    "from": World.stranger, "command": "ticket", "sender_chat": channel, "reply_to_message_id": reportedID,
                ]) as? [String: Any]
                let channelReportID = try #require(channelReport?["message_id"] as? Int)

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
                let transcript = try await system.messages(chat)
                let anonymous = try #require(transcript.first { $0["message_id"] as? Int == reportID })
                #expect((anonymous["from"] as? [String: Any])?["username"] as? String == "GroupAnonymousBot")
                #expect((anonymous["sender_chat"] as? [String: Any])?["id"] as? Int == Int(chat))

                // The same people, as themselves: the manager can report.
                try await system.command("/new_issue", in: chat, as: World.manager, replyTo: reportedID)
                let card = try await system.waitForCard("0001", in: chat, "posted") { $0.pinned }
                #expect(card.text.contains("Trailer 9 door will not close"))
                #expect(card.text.contains("Olivia"))
            }
        }
    }
}
