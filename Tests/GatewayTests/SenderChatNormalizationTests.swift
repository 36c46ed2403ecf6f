import Foundation
import Gateway
import TelegramBotAPI
import Testing
import WireProtocol

/// Messages sent on behalf of a chat keep their `sender_chat`, so the incident service never
/// takes Telegram's placeholder bot in `from` for a person.
@Suite("Gateway: messages on behalf of a chat")
struct SenderChatNormalizationTests {
    static let anonymousBot = #"{"id":1087968824,"is_bot":true,"first_name":"Group","username":"GroupAnonymousBot"}"#
    static let channelBot = #"{"id":136817688,"is_bot":true,"first_name":"Channel","username":"Channel_Bot"}"#
    static let channel = #"{"id":-1001234000001,"type":"channel","title":"Acme News"}"#

    static func normalize(_ json: String) throws -> UpdateNormalizer.Normalized {
        let update = try JSONDecoder().decode(Update.self, from: Data(json.utf8))
        return UpdateNormalizer(botID: Fixture.botID, botUsername: Fixture.botUsername).normalize(update)
    }

    @Test func anonymousAdministratorCommand() throws {
        let json = Fixture.update(1, "message", Fixture.message(
            10, chat: Fixture.supergroup, from: Self.anonymousBot, text: "/register_driver",
            extra: #","sender_chat":\#(Fixture.supergroup)"#))
        guard case .event(let event) = try Self.normalize(json) else { Issue.record("not forwarded"); return }
        #expect(event.senderChat == WireChat(id: Fixture.supergroupID, kind: .supergroup, title: "Dispatch North"))
        #expect(event.from?.id == 1_087_968_824)
        #expect(event.kind == .command(name: "register_driver", arguments: "", messageID: 10, replyTo: nil))
    }

    @Test func channelReplyToTheBot() throws {
        let prompt = #","reply_to_message":\#(Fixture.message(30, from: Fixture.bot, text: "Reply with the summary"))"#
        let json = Fixture.update(2, "message", Fixture.message(
            11, from: Self.channelBot, text: "done", extra: #","sender_chat":\#(Self.channel)"# + prompt))
        guard case .event(let event) = try Self.normalize(json) else { Issue.record("not forwarded"); return }
        #expect(event.senderChat?.kind == .channel)
        #expect(event.senderChat?.id == -1_001_234_000_001)
    }

    @Test func personHasNoSenderChat() throws {
        guard case .event(let event) = try Self.normalize(Fixture.command(3, "/new_issue")) else { Issue.record("not forwarded"); return }
        #expect(event.senderChat == nil)
    }

    /// The field travels on the bus and is absent (not null) when not set, so an older incident
    /// service reads the event unchanged.
    @Test func onTheBus() throws {
        let event = InboundEvent(
            updateID: 4, chat: WireChat(id: -5, kind: .group), from: UserRef(id: 1_087_968_824, firstName: "Group"),
            kind: .command(name: "new_issue", arguments: "", messageID: 3, replyTo: nil),
            senderChat: WireChat(id: -5, kind: .group, title: "Yard"))
        let data = try JSONEncoder().encode(event)
        #expect(try JSONDecoder().decode(InboundEvent.self, from: data) == event)
        var plain = event
        plain.senderChat = nil
        #expect(!String(decoding: try JSONEncoder().encode(plain), as: UTF8.self).contains("sender_chat"))
    }
}

/// Photos, documents and locations travel with the message and with what a command replies to.
@Suite("Gateway: attachments")
struct AttachmentNormalizationTests {
    @Test func replyToAPhotoCarriesItsLargestSize() throws {
        let photo = #","reply_to_message":\#(Fixture.message(6, from: Fixture.bob, caption: "Broken mirror", extra: #","photo":[{"file_id":"small","file_unique_id":"s","width":90,"height":60},{"file_id":"large","file_unique_id":"l","width":1280,"height":960}]"#))"#
        guard case .event(let event) = try SenderChatNormalizationTests.normalize(Fixture.command(1, "/new_issue", extra: photo)),
            case .command(_, _, _, let replyTo) = event.kind
        else { Issue.record("not a command"); return }
        #expect(replyTo?.text == "Broken mirror")
        #expect(replyTo?.attachment == MessageAttachment(kind: .photo, fileID: "large"))
    }

    @Test func locationAndDocumentMessagesAreContext() throws {
        let location = Fixture.update(2, "message", Fixture.message(7, extra: #","location":{"latitude":52.3702,"longitude":4.8952}"#))
        guard case .event(let event) = try SenderChatNormalizationTests.normalize(location) else { Issue.record("skipped"); return }
        #expect(event.kind == .message(messageID: 7, text: "", attachment: MessageAttachment(kind: .location, latitude: 52.3702, longitude: 4.8952)))
        let document = Fixture.update(3, "message", Fixture.message(8, caption: "invoice", extra: #","document":{"file_id":"doc","file_unique_id":"d","file_name":"a.pdf","mime_type":"application/pdf"}"#))
        guard case .event(let second) = try SenderChatNormalizationTests.normalize(document) else { Issue.record("skipped"); return }
        #expect(second.kind == .message(messageID: 8, text: "invoice", attachment: MessageAttachment(kind: .document, fileID: "doc", fileName: "a.pdf", mimeType: "application/pdf")))
    }
}
