import Foundation
import SimulatorClient
import Testing

extension EndToEnd {
    /// A driver photographs the damage or shares a location: the card says what was attached and
    /// links to the original message; the incident keeps the file id or the coordinates, and the
    /// admin API returns them.
    @Suite("End to end: photos, documents and locations", .serialized)
    struct AttachmentTests {
        @Test("a photo replied to and a location before a bare /new_issue: on the card, linked, in the admin API")
        func attachmentsReachTheCardAndTheAPI() async throws {
            try await RunningSystem.with { system in
                _ = try await World.build(on: system)
                let chat = World.chat

                // A photo with a caption, then /new_issue as a reply to it.
                let photoID = try await system.simulator.post(NewMessage(
                    from: World.driver, text: "Dent on the rear door of trailer 12", attachment: .photo(width: 1280, height: 960)
                ), in: chat).messageID
                try await system.command("/new_issue", in: chat, as: World.driver, replyTo: photoID)
                let card = try await system.waitForCard("0001", in: chat, "posted") { $0.pinned }
                #expect(card.text.contains("Dent on the rear door of trailer 12"))
                #expect(card.text.contains("📷 Photo attached"))
                #expect(card.html.contains("<a href=\"https://t.me/c/9000000001/\(photoID)\">Original message</a>"))
                #expect(card.replyTo == photoID)
                let sent = try #require(try await system.message(photoID, in: chat))
                let largest = try #require(sent.photo?.last?.fileID)
                let incident = try await system.incident("0001")
                let attachments = try #require(incident["attachments"] as? [[String: Any]])
                #expect(attachments.count == 1)
                #expect(attachments.first?["kind"] as? String == "photo")
                #expect(attachments.first?["file_id"] as? String == largest)
                #expect(incident["reported_message_link"] as? String == "https://t.me/c/9000000001/\(photoID)")

                // A location and a line of text, then a bare /ticket: both make the report.
                let locationID = try await system.simulator.post(NewMessage(
                    from: World.driver, text: nil, attachment: .location(latitude: 52.3702, longitude: 4.8952)
                ), in: chat).messageID
                try await system.say("Stuck at this spot, engine warning light", in: chat, as: World.driver)
                try await system.command("/ticket", in: chat, as: World.driver)
                let second = try await system.waitForCard("0002", in: chat, "posted") { $0.pinned }
                #expect(second.text.contains("Stuck at this spot, engine warning light"))
                #expect(second.text.contains("📍 Location: 52.37020, 4.89520"))
                let located = try await system.incident("0002")
                let points = try #require(located["attachments"] as? [[String: Any]])
                #expect(points.first?["kind"] as? String == "location")
                #expect(points.first?["latitude"] as? Double == 52.3702)
                #expect(points.first?["longitude"] as? Double == 4.8952)
                #expect(points.first?["file_id"] is NSNull)
                _ = locationID
            }
        }
    }
}
