import BotAPITestSupport
import Foundation
import Testing

@testable import TelegramBotAPI

@Suite("Decoding Telegram objects")
struct DecodingTests {
    func update(_ json: String) throws -> Update {
        try JSONDecoder().decode(Update.self, from: Data(json.utf8))
    }

    @Test func replyWithCaptionedPhotoAndUnknownFields() throws {
        let update = try update(Samples.replyUpdate)
        #expect(update.updateID == 900_001)
        guard case .message(let message) = update.content else {
            Issue.record("expected a message, got \(update.content)")
            return
        }
        #expect(message.messageID == 501)
        #expect(message.from?.fullName == "Dana Kim")
        #expect(message.from?.username == "dana_k")
        #expect(message.chat.id == -1_001_234_567_890)
        #expect(message.chat.type == .supergroup)
        #expect(message.chat.isGroup)
        #expect(message.date == Date(timeIntervalSince1970: 1_732_857_600))
        #expect(message.text == "/new_issue@raisedash_bot tyre")
        #expect(message.entities.count == 1)
        #expect(message.entities.first?.type == .botCommand)
        #expect(message.entities.first?.covered(in: message.text ?? "") == "/new_issue@raisedash_bot")
        #expect(!message.hasMedia)
        #expect(update.chat?.id == -1_001_234_567_890)

        let original = try #require(message.replyToMessage)
        #expect(original.messageID == 480)
        #expect(original.from?.firstName == "Omar")
        #expect(original.text == nil)
        #expect(original.caption == "Truck 17: flat tyre at gate 3")
        #expect(original.textOrCaption == "Truck 17: flat tyre at gate 3")
        #expect(original.captionEntities.map(\.type.rawValue) == ["bold"])
        #expect(original.hasMedia)
        #expect(original.replyToMessage == nil)
    }

    @Test func callbackQueryFromTheCard() throws {
        let update = try update(Samples.callbackUpdate)
        guard case .callbackQuery(let query) = update.content else {
            Issue.record("expected a callback query, got \(update.content)")
            return
        }
        #expect(query.id == "4382bfdwdsb323b2d9")
        #expect(query.from.id == 42)
        #expect(query.data == "claim:12")
        #expect(query.chatInstance == "-8794451135447392553")
        let message = try #require(query.message)
        #expect(message.messageID == 502)
        #expect(!message.isInaccessible)
        #expect(message.editDate == Date(timeIntervalSince1970: 1_732_857_700))
        #expect(message.from?.isBot == true)
        #expect(update.chat?.id == -1_001_234_567_890)
    }

    @Test func callbackQueryOnAnInaccessibleMessage() throws {
        let update = try update(Samples.inaccessibleCallbackUpdate)
        guard case .callbackQuery(let query) = update.content else {
            Issue.record("expected a callback query, got \(update.content)")
            return
        }
        let message = try #require(query.message)
        #expect(message.isInaccessible)
        #expect(message.messageID == 12)
        #expect(message.chat.id == -1_001_234_567_890)
        #expect(message.from == nil)
    }

    @Test func botPromotedToAdministrator() throws {
        let update = try update(Samples.promotedUpdate)
        guard case .myChatMember(let change) = update.content else {
            Issue.record("expected my_chat_member, got \(update.content)")
            return
        }
        #expect(change.chat.id == -1_001_234_567_890)
        #expect(change.from.firstName == "Owner")
        #expect(change.oldChatMember.status == .member)
        #expect(change.oldChatMember.canPinMessages == nil)
        #expect(!change.oldChatMember.mayPinMessages)
        #expect(change.newChatMember.status == .administrator)
        #expect(change.newChatMember.user.id == 7_357_001_234)
        #expect(change.newChatMember.canPinMessages == true)
        #expect(change.newChatMember.mayPinMessages)
        #expect(change.newChatMember.isAdministrator)
        #expect(change.newChatMember.isPresent)
    }

    @Test func botKickedFromTheGroup() throws {
        let update = try update(Samples.kickedUpdate)
        guard case .myChatMember(let change) = update.content else {
            Issue.record("expected my_chat_member, got \(update.content)")
            return
        }
        #expect(change.oldChatMember.status == .administrator)
        #expect(change.oldChatMember.isPresent)
        #expect(change.newChatMember.status == .kicked)
        #expect(!change.newChatMember.isPresent)
        #expect(change.newChatMember.untilDate == nil)
        #expect(change.date == Date(timeIntervalSince1970: 1_732_857_900))
    }

    @Test func groupMigratedToSupergroup() throws {
        let old = try update(Samples.migrateUpdate)
        guard case .message(let message) = old.content else {
            Issue.record("expected a message, got \(old.content)")
            return
        }
        #expect(message.chat.type == .group)
        #expect(message.migrateToChatID == -1_009_876_543_210)
        #expect(message.text == nil)

        let new = try update(Samples.migrateFromUpdate)
        guard case .message(let first) = new.content else {
            Issue.record("expected a message, got \(new.content)")
            return
        }
        #expect(first.migrateFromChatID == -4_012_345_678)
        #expect(first.senderChat?.id == -1_009_876_543_210)
    }

    @Test func absentOptionalFieldsDecodeAsNothing() throws {
        let update = try update(Samples.minimalMessageUpdate)
        guard case .message(let m) = update.content else {
            Issue.record("expected a message, got \(update.content)")
            return
        }
        #expect(m.from == nil)
        #expect(m.text == nil)
        #expect(m.entities.isEmpty)
        #expect(m.newChatMembers.isEmpty)
        #expect(!m.groupChatCreated)
        #expect(m.replyToMessage == nil)
        #expect(m.pinnedMessage == nil)
        #expect(m.chat.type == .private)
        #expect(m.chat.title == nil)
        #expect(!m.chat.isForum)
    }

    @Test func unknownUpdateKindsAreKeptWithTheirId() throws {
        let update = try update(Samples.pollUpdate)
        #expect(update.updateID == 900_009)
        #expect(update.content == .unsupported(kind: "poll"))
        #expect(update.chat == nil)
    }

    @Test func aBrokenPayloadDoesNotSinkTheBatch() throws {
        let batch = "[\(Samples.callbackUpdate),\(Samples.brokenCallbackUpdate),\(Samples.pollUpdate)]"
        let updates = try JSONDecoder().decode([Update].self, from: Data(batch.utf8))
        #expect(updates.map(\.updateID) == [900_002, 900_010, 900_009])
        guard case .undecodable(let kind, let reason) = updates[1].content else {
            Issue.record("expected undecodable, got \(updates[1].content)")
            return
        }
        #expect(kind == .callbackQuery)
        #expect(reason.contains("from.id"))
    }

    @Test func anUpdateWithoutItsIdIsRejected() {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Update.self, from: Data(#"{"message":{"message_id":1}}"#.utf8))
        }
    }

    @Test func chatMembersOfEveryShape() throws {
        let owner = try JSONDecoder().decode(ChatMember.self, from: Data(Samples.ownerMember.utf8))
        #expect(owner.status == .creator)
        #expect(owner.customTitle == "Boss")
        #expect(owner.mayPinMessages)
        #expect(owner.isAdministrator)

        let restricted = try JSONDecoder().decode(ChatMember.self, from: Data(Samples.restrictedMember.utf8))
        #expect(restricted.status == .restricted)
        #expect(restricted.isMember == true)
        #expect(restricted.isPresent)
        #expect(!restricted.mayPinMessages)
        #expect(restricted.untilDate == Date(timeIntervalSince1970: 1_735_689_600))

        let left = try JSONDecoder().decode(
            ChatMember.self, from: Data(#"{"user":{"id":5,"is_bot":false,"first_name":"Q"},"status":"left"}"#.utf8))
        #expect(!left.isPresent)

        let future = try JSONDecoder().decode(
            ChatMember.self,
            from: Data(#"{"user":{"id":5,"is_bot":false,"first_name":"Q"},"status":"observer","x":1}"#.utf8))
        #expect(future.status.rawValue == "observer")
        #expect(!future.isPresent)
    }

    @Test func entityOffsetsCountUTF16Units() {
        // "🚚 /new_issue": the truck emoji is two UTF-16 units.
        let text = "🚚 /new_issue now"
        let entity = MessageEntity(type: .botCommand, offset: 3, length: 10)
        #expect(entity.covered(in: text) == "/new_issue")
        #expect(MessageEntity(type: .botCommand, offset: 10, length: 50).covered(in: text) == nil)
        #expect(MessageEntity(type: .botCommand, offset: 1, length: 2).covered(in: text) == nil)
    }

    @Test func jsonValueKeepsBooleansAndNumbersApart() throws {
        #expect(try JSONValue(json: "[1,true,0,false,1.5]") == .array([.number(1), .bool(true), .number(0), .bool(false), .number(1.5)]))
    }
}
