import Foundation
import Testing
@testable import TelegramSimulator

/// Messages sent on behalf of a chat (anonymous administrators, channels) and messages with a
/// photo, document or location, as Telegram delivers them, checked against the Bot API spec.
@Suite("Messages on behalf of a chat, and media")
struct SenderChatAndMediaTests {
    private func checkUpdates(_ updates: [JSONValue], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let spec = try BotAPISpec.bundled()
        let problems = spec.problems(.array(updates), as: ["Array of Update"], path: "getUpdates", strictness: .answer)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))", sourceLocation: sourceLocation)
    }

    @Test("an anonymous administrator: from GroupAnonymousBot, sender_chat the group; a channel: from Channel_Bot")
    func onBehalfOfAChat() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            let ben = try await sim.user("Ben")
            let chat = try await sim.group("Yard", type: .supergroup, members: [ana, ben])
            try await sim.drainUpdates()

            let anonymous = try await sim.control("POST", "chats/\(chat)/commands", [
                "from": .int(ana), "command": "new_issue", "anonymous": true,
            ])
            let channel = try await sim.control("POST", "chats/\(chat)/messages", [
                "from": .int(ben), "text": "Road closed at gate 2",
                "sender_chat": ["id": -1_001_234_000_001, "title": "Acme News", "username": "acme_news"],
            ])
            let updates = try await sim.drainUpdates()
            try checkUpdates(updates)
            #expect(updates.count == 2)
            let first = try #require(updates.first?["message"])
            #expect(first["message_id"] == anonymous["message_id"])
            #expect(first["from"]?["id"] == 1_087_968_824)
            #expect(first["from"]?["username"] == "GroupAnonymousBot")
            #expect(first["from"]?["is_bot"] == true)
            #expect(first["sender_chat"]?["id"] == .int(chat))
            #expect(first["sender_chat"]?["type"] == "supergroup")
            #expect(first["sender_chat"]?["title"] == "Yard")
            #expect(first["text"] == "/new_issue")
            let second = try #require(updates.last?["message"])
            #expect(second["message_id"] == channel["message_id"])
            #expect(second["from"]?["id"] == 136_817_688)
            #expect(second["from"]?["username"] == "Channel_Bot")
            #expect(second["sender_chat"]?["type"] == "channel")
            #expect(second["sender_chat"]?["username"] == "acme_news")

            // The transcript shows the same.
            let shown = try await sim.message(chat, try #require(anonymous["message_id"]?.intValue))
            #expect(shown["sender_chat"]?["id"] == .int(chat))

            // Only administrators post anonymously; bad identities are refused and change nothing.
            #expect(try await sim.controlReply("POST", "chats/\(chat)/messages", ["from": .int(ben), "text": "x", "anonymous": true]).status == 400)
            #expect(try await sim.controlReply("POST", "chats/\(chat)/messages", ["from": .int(ana), "text": "x", "sender_chat": ["id": 5, "title": "x"]]).status == 400)
            #expect(try await sim.controlReply("POST", "chats/\(chat)/messages", ["from": .int(ana), "text": "x", "sender_chat": ["id": -1_001_234_000_001]]).status == 400)
            #expect(try await sim.controlReply("POST", "chats/\(chat)/messages", [
                "from": .int(ana), "text": "x", "anonymous": true, "sender_chat": ["id": -1_001_234_000_001, "title": "x"],
            ]).status == 400)
            #expect(try await sim.drainUpdates().isEmpty)
        }
    }

    @Test("photo with caption, document, location: the fields Telegram sends, file ids unique")
    func media() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            let chat = try await sim.group("Yard", type: .supergroup, members: [ana])
            try await sim.drainUpdates()

            let photo = try await sim.control("POST", "chats/\(chat)/messages", [
                "from": .int(ana), "text": "Dent on trailer 12", "photo": ["width": 1280, "height": 960],
            ])
            _ = try await sim.control("POST", "chats/\(chat)/messages", [
                "from": .int(ana), "document": ["file_name": "damage report.pdf", "mime_type": "application/pdf"],
            ])
            _ = try await sim.control("POST", "chats/\(chat)/messages", [
                "from": .int(ana), "location": ["latitude": .double(52.3702), "longitude": .double(4.8952)],
            ])
            _ = try await sim.control("POST", "chats/\(chat)/messages", ["from": .int(ana), "text": "second", "photo": true])
            let updates = try await sim.drainUpdates()
            try checkUpdates(updates)
            let messages = updates.compactMap { $0["message"] }
            #expect(messages.count == 4)
            let sizes = messages[0]["photo"]?.arrayValue ?? []
            #expect(sizes.count == 2)
            #expect(sizes.last?["width"] == 1280)
            #expect(sizes.last?["height"] == 960)
            #expect(messages[0]["caption"] == "Dent on trailer 12")
            #expect(messages[0]["text"] == nil)
            #expect(messages[0]["message_id"] == photo["message_id"])
            #expect(messages[1]["document"]?["file_name"] == "damage report.pdf")
            #expect(messages[1]["document"]?["mime_type"] == "application/pdf")
            #expect(messages[1]["caption"] == nil)
            #expect(messages[2]["location"]?["latitude"]?.doubleValue == 52.3702)
            #expect(messages[2]["location"]?["longitude"]?.doubleValue == 4.8952)
            let fileIDs = [sizes.last?["file_id"], messages[1]["document"]?["file_id"], messages[3]["photo"]?.arrayValue?.last?["file_id"]]
                .compactMap { $0?.stringValue }
            #expect(Set(fileIDs).count == 3)

            // Bad media is refused and changes nothing.
            #expect(try await sim.controlReply("POST", "chats/\(chat)/messages", ["from": .int(ana), "text": "x", "location": ["latitude": 1, "longitude": 2]]).status == 400)
            #expect(try await sim.controlReply("POST", "chats/\(chat)/messages", ["from": .int(ana), "location": ["latitude": 91, "longitude": 2]]).status == 400)
            #expect(try await sim.controlReply("POST", "chats/\(chat)/messages", ["from": .int(ana), "photo": true, "document": true]).status == 400)
            #expect(try await sim.controlReply("POST", "chats/\(chat)/messages", ["from": .int(ana), "photo": ["width": 0]]).status == 400)
            #expect(try await sim.drainUpdates().isEmpty)
        }
    }
}
