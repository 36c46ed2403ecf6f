import Foundation
import IncidentCore
@testable import IncidentService
@testable import Storage
import Testing
import WireProtocol

@Suite("Translation between the bus and the store")
struct TranslationTests {
    static let chat = WireChat(id: -100_1, kind: .supergroup, title: "Ops")
    static let ann = UserRef(id: 7, username: "ann_driver", firstName: "Ann")

    static func event(_ kind: InboundEvent.Kind) -> InboundEvent {
        InboundEvent(updateID: 11, chat: chat, from: ann, kind: kind)
    }

    @Test func commands() throws {
        let reported = ReferencedMessage(messageID: 3, text: "Truck 12 has a flat", from: Self.ann)
        for name in ["new_issue", "ticket", "NEW_ISSUE"] {
            let update = try #require(Translation.update(from: Self.event(.command(name: name, arguments: "", messageID: 4, replyTo: reported)), receivedAt: .now))
            #expect(update.event == .newIssue(command: 4, reported: .init(messageID: 3, text: "Truck 12 has a flat")))
            #expect(update.sender == Person(id: 7, handle: Handle("ann_driver"), firstName: "Ann"))
            #expect(update.chat == ChatRef(id: ChatID(-100_1), kind: .supergroup, title: "Ops"))
        }
        let notReply = try #require(Translation.update(from: Self.event(.command(name: "new_issue", arguments: "", messageID: 4, replyTo: nil)), receivedAt: .now))
        #expect(notReply.event == .newIssue(command: 4, reported: nil))
        let caption = ReferencedMessage(messageID: 3, text: nil, from: Self.ann)
        let photo = try #require(Translation.update(from: Self.event(.command(name: "new_issue", arguments: "", messageID: 4, replyTo: caption)), receivedAt: .now))
        #expect(photo.event == .newIssue(command: 4, reported: .init(messageID: 3, text: "")))
        #expect(Translation.update(from: Self.event(.command(name: "register_driver", arguments: "", messageID: 5, replyTo: nil)), receivedAt: .now)?.event == .registerDriver(command: 5))
        #expect(Translation.update(from: Self.event(.command(name: "help", arguments: "", messageID: 6, replyTo: nil)), receivedAt: .now)?.event == .help(command: 6))
        // /start registers for personal messages in a private chat (the store answers it as
        // /help in a group); /notify carries its argument.
        #expect(Translation.update(from: Self.event(.command(name: "start", arguments: "", messageID: 6, replyTo: nil)), receivedAt: .now)?.event == .start(command: 6))
        #expect(Translation.update(from: Self.event(.command(name: "notify", arguments: "off", messageID: 7, replyTo: nil)), receivedAt: .now)?.event == .notify(command: 7, argument: "off"))
        #expect(Translation.update(from: Self.event(.command(name: "launch", arguments: "", messageID: 6, replyTo: nil)), receivedAt: .now) == nil)
    }

    @Test func otherEvents() {
        let reply = Translation.update(from: Self.event(.reply(messageID: 9, text: "fixed", replyTo: ReferencedMessage(messageID: 8, text: nil, from: nil))), receivedAt: .now)
        #expect(reply?.event == .reply(message: 9, replyTo: 8, text: "fixed"))
        let press = Translation.update(from: Self.event(.buttonPress(callbackQueryID: "q1", messageID: 2, data: "garbage")), receivedAt: .now)
        #expect(press?.event == .press(query: "q1", data: "garbage"))
        #expect(Translation.update(from: Self.event(.botMembership(BotMembership(status: .administrator, canPinMessages: true))), receivedAt: .now)?.event == .botMember(canPinMessages: true))
        #expect(Translation.update(from: Self.event(.botMembership(BotMembership(status: .removed, canPinMessages: false))), receivedAt: .now)?.event == .botRemoved)
        #expect(Translation.update(from: Self.event(.chatMigrated(toChatID: -100_2)), receivedAt: .now)?.event == .migrated(to: ChatID(-100_2)))
    }

    static func card(_ id: IncidentID = 5) -> CardView {
        CardView(
            incidentID: id, number: 1, version: 1, status: .awaitingDepartment,
            reporter: .init(displayName: "Ann", handle: nil), reportedText: "Flat <tyre> & more", departmentName: nil,
            participants: [], resolver: nil, summary: nil, isPickerOpen: false,
            buttons: [[.init(label: "Dispatch", data: CallbackData(incidentID: id, cardVersion: 1, action: .chooseDepartment(1)))]])
    }

    static func item(_ effect: Effect, card message: MessageID? = nil) -> OutboxItem {
        OutboxItem(id: 21, effect: effect, chatID: -100_1, incidentID: 5, cardMessageID: message, attempts: 1, createdAt: .now)
    }

    @Test func cardActions() throws {
        let rendered = CardRenderer.render(Self.card())
        guard case .success(.sendMessage(let post)) = Translation.action(for: Self.item(.postCard(Self.card(), replyTo: 3))) else {
            Issue.record("postCard is not a sendMessage"); return
        }
        #expect(post.text == rendered.html)
        #expect(post.text.contains("&lt;tyre&gt; &amp; more"))
        #expect(post.replyToMessageID == 3)
        #expect(post.keyboard.flatMap { $0 }.map(\.callbackData) == rendered.keyboard.flatMap { $0 }.map(\.callbackData))

        #expect(Translation.action(for: Self.item(.updateCard(Self.card()), card: 40)) ==
            .success(.editMessage(target: .message(id: 40), text: rendered.html, keyboard: post.keyboard)))
        // No card yet, or the card is gone: post it again.
        guard case .success(.sendMessage) = Translation.action(for: Self.item(.updateCard(Self.card()))) else {
            Issue.record("an update without a card is not a post"); return
        }
        guard case .success(.sendMessage) = Translation.action(for: Self.item(.updateCard(Self.card()), card: 40), repost: true) else {
            Issue.record("a repost is not a post"); return
        }
        #expect(Translation.action(for: Self.item(.pinCard(5), card: 40)) == .success(.pin(target: .message(id: 40), disableNotification: true)))
        #expect(Translation.action(for: Self.item(.unpinCard(5), card: 40)) == .success(.unpin(target: .message(id: 40))))
        #expect(Translation.action(for: Self.item(.pinCard(5))) == .failure(.noCard))
    }

    @Test func messagesAndAnswers() {
        let prompt = OutgoingMessage(
            incidentID: 5, html: "<b>#0001</b> summary please", replyTo: .card(5),
            forceReply: ReplyPrompt(selective: true, placeholder: "What was done?"), purpose: .summaryPrompt(round: 1))
        #expect(Translation.action(for: Self.item(.sendMessage(prompt), card: 40)) == .success(.sendMessage(SendMessage(
            text: "<b>#0001</b> summary please", replyToMessageID: 40,
            forceReply: WireForceReply(selective: true, placeholder: "What was done?")))))
        let answer = PressAnswer(query: "q9", text: "This card has changed", showAlert: true)
        #expect(Translation.action(for: Self.item(.answerPress(answer))) == .success(.answerCallback(callbackQueryID: "q9", text: "This card has changed", showAlert: true)))
    }

    @Test func intentIDsRoundTrip() {
        for outbox: Int64 in [1, 2, 99, 1 << 40] {
            for repost in [false, true] {
                let id = IntentID(rawValue: IntentID(outbox: outbox, repost: repost).rawValue)
                #expect((id.outbox, id.isRepost) == (outbox, repost))
            }
        }
    }
}

/// Messages sent on behalf of a chat: refused without recording the placeholder bot as a person.
@Suite("Translation: messages on behalf of a chat")
struct OnBehalfOfChatTranslationTests {
    static let chat = WireChat(id: -100_1, kind: .supergroup, title: "Ops")
    static let placeholder = UserRef(id: 1_087_968_824, username: "GroupAnonymousBot", firstName: "Group")

    static func event(_ kind: InboundEvent.Kind) -> InboundEvent {
        InboundEvent(updateID: 12, chat: chat, from: placeholder, kind: kind, senderChat: chat)
    }

    @Test func reportingRegisteringAndSummariesAreRefused() throws {
        for name in ["new_issue", "ticket", "register_driver"] {
            let update = try #require(Translation.update(from: Self.event(.command(name: name, arguments: "", messageID: 4, replyTo: nil)), receivedAt: .now))
            #expect(update.event == .onBehalfOfChat(message: 4))
            #expect(update.sender == nil)
        }
        let reply = try #require(Translation.update(from: Self.event(.reply(messageID: 9, text: "fixed", replyTo: ReferencedMessage(messageID: 8, text: nil, from: nil))), receivedAt: .now))
        #expect(reply.event == .onBehalfOfChat(message: 9))
        #expect(reply.sender == nil)
        let help = try #require(Translation.update(from: Self.event(.command(name: "help", arguments: "", messageID: 6, replyTo: nil)), receivedAt: .now))
        #expect(help.event == .help(command: 6))
        #expect(help.sender == nil)
    }
}
