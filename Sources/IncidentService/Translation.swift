import Foundation
import IncidentCore
import Storage
import WireProtocol

/// Pure translations between the bus's vocabulary and the store's.
public enum Translation {
    /// Commands that create an incident: the seed's name and the one it later used.
    public static let newIssueCommands: Set<String> = ["new_issue", "ticket"]

    /// The store's view of an inbound event; nil when the incident service does not act on it
    /// (an unknown command), which is acknowledged as `rejected`.
    public static func update(from event: InboundEvent, receivedAt: Date) -> InboundUpdate? {
        let chat = ChatRef(
            id: ChatID(event.chat.id), kind: chatKind(event.chat.kind), title: event.chat.title)
        // Sent on behalf of a chat (anonymous administrator, channel): `from` is Telegram's
        // placeholder bot, shared by every such poster. It is never recorded as a person.
        if event.senderChat != nil, let anonymous = onBehalfOfChat(event, chat: chat, receivedAt: receivedAt) {
            return anonymous
        }
        let sender = event.from.map(person)
        let translated: InboundUpdate.Event
        switch event.kind {
        case .command(let name, let arguments, let messageID, let replyTo):
            switch name.lowercased() {
            case let name where newIssueCommands.contains(name):
                translated = .newIssue(
                    command: MessageID(messageID),
                    reported: replyTo.map {
                        CreateRequest.Reported(
                            messageID: MessageID($0.messageID), text: $0.text ?? "",
                            attachments: $0.attachment.map(attachment).map { [$0] } ?? [])
                    })
            case "register_driver":
                translated = .registerDriver(command: MessageID(messageID))
            case "help":
                translated = .help(command: MessageID(messageID))
            case "start":
                translated = .start(command: MessageID(messageID))
            case "notify":
                translated = .notify(command: MessageID(messageID), argument: arguments)
            case "report":
                translated = .report(command: MessageID(messageID), argument: arguments)
            case "activate":
                translated = .activate(
                    command: MessageID(messageID), code: arguments,
                    senderIsAdministrator: event.senderIsAdministrator ?? false)
            default:
                return nil
            }
        case .reply(let messageID, let text, let replyTo):
            translated = .reply(message: MessageID(messageID), replyTo: MessageID(replyTo.messageID), text: text)
        case .buttonPress(let query, _, let data):
            translated = .press(query: CallbackQueryID(query), data: data)
        case .botMembership(let membership):
            translated = membership.status == .removed
                ? .botRemoved : .botMember(canPinMessages: membership.canPinMessages)
        case .chatMigrated(let newChat):
            translated = .migrated(to: ChatID(newChat))
        case .message(let messageID, let text, let attached):
            guard event.senderChat == nil else { return nil }
            translated = .groupMessage(
                message: MessageID(messageID), text: text, attachments: attached.map(attachment).map { [$0] } ?? [])
        }
        return InboundUpdate(updateID: event.updateID, chat: chat, sender: sender, event: translated, receivedAt: receivedAt)
    }

    static func person(_ user: UserRef) -> Person {
        Person(id: UserID(user.id), handle: user.username.flatMap(Handle.init), firstName: user.firstName, lastName: user.lastName)
    }

    static func chatKind(_ kind: WireChat.Kind) -> ChatKind {
        switch kind {
        case .private: .private
        case .group: .group
        case .supergroup: .supergroup
        case .channel: .channel
        }
    }

    /// The Telegram call that delivers an outbox item, or why it cannot be delivered.
    public static func action(for item: OutboxItem, repost: Bool = false) -> Result<OutboundIntent.Action, Undeliverable> {
        func buttons(_ rows: [[InlineButton]]) -> [[WireButton]] {
            rows.map { $0.map { WireButton(text: $0.text, callbackData: $0.callbackData) } }
        }
        switch item.effect {
        case .postCard(let card, let replyTo):
            let rendered = CardRenderer.render(card)
            return .success(.sendMessage(SendMessage(
                text: rendered.html, replyToMessageID: replyTo?.rawValue, keyboard: buttons(rendered.keyboard))))
        case .updateCard(let card):
            let rendered = CardRenderer.render(card)
            guard let message = item.cardMessageID, !repost else {
                // The card was never delivered or is gone: post it again.
                return .success(.sendMessage(SendMessage(text: rendered.html, keyboard: buttons(rendered.keyboard))))
            }
            return .success(.editMessage(target: .message(id: message.rawValue), text: rendered.html, keyboard: buttons(rendered.keyboard)))
        case .pinCard:
            guard let message = item.cardMessageID else { return .failure(.noCard) }
            return .success(.pin(target: .message(id: message.rawValue), disableNotification: true))
        case .unpinCard:
            guard let message = item.cardMessageID else { return .failure(.noCard) }
            return .success(.unpin(target: .message(id: message.rawValue)))
        case .sendMessage(let outgoing):
            var reply: Int64?
            switch outgoing.replyTo {
            case .card?: reply = item.cardMessageID?.rawValue
            case .message(let id)?: reply = id.rawValue
            case nil: reply = nil
            }
            return .success(.sendMessage(SendMessage(
                text: outgoing.html, replyToMessageID: reply,
                forceReply: outgoing.forceReply.map { WireForceReply(selective: $0.selective, placeholder: $0.placeholder) })))
        case .sendDirect(let direct):
            return .success(.sendMessage(SendMessage(text: direct.html)))
        case .answerPress(let answer):
            return .success(.answerCallback(callbackQueryID: answer.query.rawValue, text: answer.text, showAlert: answer.showAlert))
        case .appendTimeline:
            return .failure(.notDeliverable)
        }
    }

    /// Why an outbox item is completed without a Telegram call.
    public enum Undeliverable: String, Error, Sendable {
        case noCard = "the card has no message id yet"
        case notDeliverable = "not a Telegram call"
        case noChat = "no chat to deliver to"
    }
}
