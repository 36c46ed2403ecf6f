import Foundation
import Gateway
import TelegramBotAPI
import Testing
import WireProtocol

@Suite("Gateway: normalizing updates")
struct NormalizationTests {
    typealias Normalized = UpdateNormalizer.Normalized

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let json: String
        let expected: Normalized
        var testDescription: String { name }
    }

    static let group = WireChat(id: Fixture.groupID, kind: .group, title: "Dispatch North")
    static let supergroup = WireChat(id: Fixture.supergroupID, kind: .supergroup, title: "Dispatch North")
    static let alice = UserRef(id: 501, username: "alice_d", firstName: "Alice", lastName: "Driver")
    static let bob = UserRef(id: 502, firstName: "Bob")
    static let botRef = UserRef(id: Fixture.botID, username: Fixture.botUsername, firstName: "RaiseDash")

    static func event(_ id: Int64, chat: WireChat = group, from: UserRef? = alice, _ kind: InboundEvent.Kind) -> Normalized {
        .event(InboundEvent(updateID: id, chat: chat, from: from, kind: kind))
    }

    static let replyToBob = #","reply_to_message":\#(Fixture.message(5, from: Fixture.bob, text: "Truck 12 has a flat tyre on the A7"))"#
    static let replyToPhoto = #","reply_to_message":\#(Fixture.message(6, from: Fixture.bob, caption: "Broken mirror", extra: #","photo":[{"file_id":"x","file_unique_id":"y","width":90,"height":60}]"#))"#
    static let replyToPrompt = #","reply_to_message":\#(Fixture.message(30, from: Fixture.bot, text: "Please describe how it was resolved"))"#

    static let cases: [Case] = [
        Case(
            name: "command without @", json: Fixture.command(1, "/new_issue"),
            expected: event(1, .command(name: "new_issue", arguments: "", messageID: 10, replyTo: nil))),
        Case(
            name: "command @ThisBot replying to a message: its text is the description",
            json: Fixture.command(2, "/new_issue@RaiseDashBot", extra: replyToBob),
            expected: event(
                2,
                .command(
                    name: "new_issue", arguments: "", messageID: 10,
                    replyTo: ReferencedMessage(messageID: 5, text: "Truck 12 has a flat tyre on the A7", from: bob)))),
        Case(
            name: "command and bot name in any case, with arguments",
            json: Fixture.command(3, "/New_Issue@raisedashbot  trailer 7 door jammed "),
            expected: event(3, .command(name: "new_issue", arguments: "trailer 7 door jammed", messageID: 10, replyTo: nil))),
        Case(
            name: "/ticket replying to a photo: the caption is the description, the photo its attachment",
            json: Fixture.command(4, "/ticket", extra: replyToPhoto),
            expected: event(
                4,
                .command(
                    name: "ticket", arguments: "", messageID: 10,
                    replyTo: ReferencedMessage(
                        messageID: 6, text: "Broken mirror", from: bob, attachment: MessageAttachment(kind: .photo, fileID: "x"))))),
        Case(
            name: "/register_driver", json: Fixture.command(5, "/register_driver"),
            expected: event(5, .command(name: "register_driver", arguments: "", messageID: 10, replyTo: nil))),
        Case(
            name: "/help in a private chat", json: Fixture.command(6, "/help", chat: Fixture.privateChat),
            expected: event(
                6, chat: WireChat(id: 501, kind: .private), .command(name: "help", arguments: "", messageID: 10, replyTo: nil))),
        Case(
            name: "/start in a private chat", json: Fixture.command(7, "/start", chat: Fixture.privateChat),
            expected: event(
                7, chat: WireChat(id: 501, kind: .private), .command(name: "start", arguments: "", messageID: 10, replyTo: nil))),
        Case(
            name: "a command in a photo's caption",
            json: Fixture.update(
                8, "message",
                Fixture.message(12, caption: "/new_issue broken mirror", extra: #","photo":[{"file_id":"x","file_unique_id":"y","width":90,"height":60}]"#)),
            expected: event(8, .command(name: "new_issue", arguments: "broken mirror", messageID: 12, replyTo: nil))),
        Case(name: "a command for another bot", json: Fixture.command(9, "/new_issue@OtherBot"), expected: .skipped(.otherBotCommand)),
        Case(name: "a command nobody handles", json: Fixture.command(10, "/settings"), expected: .skipped(.unhandledCommand)),
        Case(
            name: "a reply to the bot's prompt",
            json: Fixture.update(11, "message", Fixture.message(31, text: "Replaced the fuse", extra: replyToPrompt)),
            expected: event(
                11,
                .reply(
                    messageID: 31, text: "Replaced the fuse",
                    replyTo: ReferencedMessage(messageID: 30, text: "Please describe how it was resolved", from: botRef)))),
        Case(
            name: "a reply to someone else: context for a later /new_issue", json: Fixture.update(12, "message", Fixture.message(32, text: "on it", extra: replyToBob)),
            expected: event(12, .message(messageID: 32, text: "on it"))),
        Case(name: "a plain message: context for a later /new_issue", json: Fixture.plainText(13), expected: event(13, .message(messageID: 11, text: "Trailer door is jammed"))),
        Case(
            name: "a plain message in a private chat",
            json: Fixture.update(15, "message", Fixture.message(12, chat: Fixture.privateChat, text: "hello")),
            expected: .skipped(.ordinaryMessage)),
        Case(
            name: "another bot's message",
            json: Fixture.update(16, "message", Fixture.message(12, from: #"{"id":99,"is_bot":true,"first_name":"Other"}"#, text: "beep")),
            expected: .skipped(.ordinaryMessage)),
        Case(
            name: "a sticker replying to the bot",
            json: Fixture.update(
                14, "message",
                Fixture.message(33, extra: #","sticker":{"file_id":"s","file_unique_id":"u","type":"regular","width":512,"height":512,"is_animated":false,"is_video":false}"# + replyToPrompt)),
            expected: .skipped(.replyWithoutText)),
        Case(
            name: "a button press", json: Fixture.callback(15),
            expected: event(15, from: bob, .buttonPress(callbackQueryID: "4382bfdwdsb323b2d9", messageID: 77, data: "claim:42"))),
        Case(
            name: "a button press without data is forwarded (to be answered)", json: Fixture.callback(16, data: nil),
            expected: event(16, from: bob, .buttonPress(callbackQueryID: "4382bfdwdsb323b2d9", messageID: 77, data: ""))),
        Case(
            name: "untrusted callback data passes raw", json: Fixture.callback(17, data: "claim:42'; DROP TABLE--"),
            expected: event(17, from: bob, .buttonPress(callbackQueryID: "4382bfdwdsb323b2d9", messageID: 77, data: "claim:42'; DROP TABLE--"))),
        Case(name: "a button press in inline mode", json: Fixture.callback(18, withMessage: false), expected: .skipped(.callbackWithoutChat)),
        Case(
            name: "the bot added to a group",
            json: Fixture.myChatMember(19, old: Fixture.member("left"), new: Fixture.member("member")),
            expected: event(19, .botMembership(BotMembership(status: .member, canPinMessages: false)))),
        Case(
            name: "the bot promoted with the pin right",
            json: Fixture.myChatMember(
                20, old: Fixture.member("member"),
                new: Fixture.member("administrator", extra: Fixture.administratorRights + #","can_pin_messages":true"#),
                chat: Fixture.supergroup),
            expected: event(20, chat: supergroup, .botMembership(BotMembership(status: .administrator, canPinMessages: true)))),
        Case(
            name: "the bot promoted without the pin right",
            json: Fixture.myChatMember(
                21, old: Fixture.member("member"),
                new: Fixture.member("administrator", extra: Fixture.administratorRights + #","can_pin_messages":false"#)),
            expected: event(21, .botMembership(BotMembership(status: .administrator, canPinMessages: false)))),
        Case(
            name: "the bot kicked",
            json: Fixture.myChatMember(22, old: Fixture.member("member"), new: Fixture.member("kicked", extra: #","until_date":0"#)),
            expected: event(22, .botMembership(BotMembership(status: .removed, canPinMessages: false)))),
        Case(
            name: "the bot left", json: Fixture.myChatMember(23, old: Fixture.member("member"), new: Fixture.member("left")),
            expected: event(23, .botMembership(BotMembership(status: .removed, canPinMessages: false)))),
        Case(
            name: "someone else's membership",
            json: Fixture.myChatMember(24, old: Fixture.member("left", user: Fixture.bob), new: Fixture.member("member", user: Fixture.bob)),
            expected: .skipped(.otherMemberChange)),
        Case(
            name: "a group migrated to a supergroup",
            json: Fixture.update(25, "message", Fixture.message(40, extra: #","migrate_to_chat_id":\#(Fixture.supergroupID)"#)),
            expected: event(25, .chatMigrated(toChatID: Fixture.supergroupID))),
        Case(
            name: "the supergroup's side of a migration",
            json: Fixture.update(
                26, "message", Fixture.message(1, chat: Fixture.supergroup, extra: #","migrate_from_chat_id":\#(Fixture.groupID)"#)),
            expected: .skipped(.serviceMessage)),
        Case(
            name: "members joined", json: Fixture.update(27, "message", Fixture.message(41, extra: #","new_chat_members":[\#(Fixture.bob)]"#)),
            expected: .skipped(.serviceMessage)),
        Case(
            name: "an edited message", json: Fixture.update(28, "edited_message", Fixture.message(42, text: "/new_issue")),
            expected: .skipped(.editedMessage)),
        Case(
            name: "an update kind the client does not decode",
            json: #"{"update_id":29,"poll":{"id":"1","question":"?","options":[],"total_voter_count":0,"is_closed":false,"is_anonymous":true,"type":"regular","allows_multiple_answers":false}}"#,
            expected: .skipped(.unsupportedUpdate)),
        Case(
            name: "a message that does not decode", json: #"{"update_id":30,"message":{"message_id":"x"}}"#,
            expected: .skipped(.undecodableUpdate)),
        Case(
            name: "a chat kind the bus does not carry",
            json: Fixture.command(31, "/help", chat: #"{"id":-77,"type":"monoforum"}"#), expected: .skipped(.unknownChatKind)),
    ]

    @Test("each kind of update", arguments: cases)
    func normalize(_ item: Case) throws {
        let update = try JSONDecoder().decode(Update.self, from: Data(item.json.utf8))
        let normalizer = UpdateNormalizer(botID: Fixture.botID, botUsername: Fixture.botUsername)
        #expect(normalizer.normalize(update) == item.expected)
    }

    @Test("text that only looks like a command is an ordinary message", arguments: ["/", "/ new_issue", "/usr/bin/env", "/new_issue@", "/naïve"])
    func notCommands(_ text: String) throws {
        let update = try JSONDecoder().decode(Update.self, from: Data(Fixture.update(1, "message", Fixture.message(1, text: text)).utf8))
        let normalizer = UpdateNormalizer(botID: Fixture.botID, botUsername: Fixture.botUsername)
        #expect(normalizer.normalize(update) == Self.event(1, .message(messageID: 1, text: text)))
    }
}
