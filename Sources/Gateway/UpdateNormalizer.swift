import Foundation
import TelegramBotAPI
import WireProtocol

/// Turns a Telegram update into the bus's `InboundEvent`, or says why it is not forwarded.
///
/// Pure: the same update and bot give the same answer. What is forwarded:
/// - a command `/name` or `/name@ThisBot` (in a message's text, or a media caption) whose name
///   is one the incident service handles (``handledCommands``), with its arguments and, when
///   it replies to a message, that message's text or caption as the description;
/// - a plain message replying to one of the bot's own messages (its ForceReply prompts);
/// - a button press (its callback data raw: untrusted, checked by the incident service);
/// - a change of the bot's own membership (`my_chat_member`): member, administrator (with the
///   pin right), removed (left or kicked);
/// - a group's migration to a supergroup (`migrate_to_chat_id`, with the old group as `chat`);
/// - any other text or captioned message of a person in a group, as context for a later
///   `/new_issue` sent without a reply.
///
/// Everything else is ``Normalized/skipped(_:)`` with a reason that is safe as a metric label.
public struct UpdateNormalizer: Sendable {
    /// Commands forwarded to the incident service (lowercase, without the slash).
    public static let handledCommands: Set<String> = ["new_issue", "ticket", "register_driver", "help", "start", "report", "activate"]

    /// The bot's user id (to recognise replies to its messages and its own membership).
    public let botID: Int64
    /// The bot's @username without the @, to accept `/command@ThisBot` and ignore other bots.
    public let botUsername: String?

    public init(botID: Int64, botUsername: String?) {
        self.botID = botID
        self.botUsername = botUsername
    }

    /// The result of normalizing one update.
    public enum Normalized: Sendable, Equatable {
        case event(InboundEvent)
        case skipped(SkipReason)
    }

    /// Why an update is confirmed without being forwarded. Raw values are metric labels.
    public enum SkipReason: String, Sendable, Equatable, CaseIterable {
        /// A command the incident service does not handle.
        case unhandledCommand = "unhandled_command"
        /// A command addressed to another bot (`/new_issue@OtherBot`).
        case otherBotCommand = "other_bot_command"
        /// A message that is neither a command nor a reply to the bot, and not a person's text
        /// in a group (a private chat, a bot, a message on behalf of a chat, no text).
        case ordinaryMessage = "ordinary_message"
        /// A service message other than a migration (members joined, title changed, ...).
        case serviceMessage = "service_message"
        /// A reply to the bot without text or caption (a sticker, a voice note).
        case replyWithoutText = "reply_without_text"
        /// An edited message; edits are not acted on.
        case editedMessage = "edited_message"
        /// A button press on a message the bot cannot identify (inline mode): no chat.
        case callbackWithoutChat = "callback_without_chat"
        /// Someone else's membership changed.
        case otherMemberChange = "other_member_change"
        /// A chat kind the bus does not carry.
        case unknownChatKind = "unknown_chat_kind"
        /// An update kind the client does not decode.
        case unsupportedUpdate = "unsupported_update"
        /// An update whose payload did not decode.
        case undecodableUpdate = "undecodable_update"
    }

    public func normalize(_ update: Update) -> Normalized {
        let updateID = Int64(update.updateID)
        switch update.content {
        case .message(let message):
            return normalize(message, updateID: updateID)
        case .editedMessage:
            return .skipped(.editedMessage)
        case .callbackQuery(let query):
            guard let message = query.message else { return .skipped(.callbackWithoutChat) }
            guard let chat = Self.chatRef(message.chat) else { return .skipped(.unknownChatKind) }
            return .event(
                InboundEvent(
                    updateID: updateID, chat: chat, from: Self.userRef(query.from),
                    kind: .buttonPress(
                        callbackQueryID: query.id, messageID: Int64(message.messageID), data: query.data ?? "")))
        case .myChatMember(let change):
            guard change.newChatMember.user.id == botID else { return .skipped(.otherMemberChange) }
            guard let chat = Self.chatRef(change.chat) else { return .skipped(.unknownChatKind) }
            return .event(
                InboundEvent(
                    updateID: updateID, chat: chat, from: Self.userRef(change.from),
                    kind: .botMembership(Self.membership(change.newChatMember))))
        case .chatMember:
            return .skipped(.otherMemberChange)
        case .unsupported:
            return .skipped(.unsupportedUpdate)
        case .undecodable:
            return .skipped(.undecodableUpdate)
        }
    }

    // MARK: Messages

    private func normalize(_ message: Message, updateID: Int64) -> Normalized {
        guard let chat = Self.chatRef(message.chat) else { return .skipped(.unknownChatKind) }
        let from = message.from.map(Self.userRef)
        // Sent on behalf of a chat (an anonymous administrator, a channel): carried along so
        // the incident service never takes the placeholder bot in `from` for a person.
        let senderChat = message.senderChat.flatMap(Self.chatRef)
        if let newChatID = message.migrateToChatID {
            return .event(InboundEvent(updateID: updateID, chat: chat, from: from, kind: .chatMigrated(toChatID: newChatID)))
        }
        if let command = Self.command(in: message.text ?? message.caption) {
            if let addressee = command.addressee, addressee.lowercased() != botUsername?.lowercased() {
                return .skipped(.otherBotCommand)
            }
            guard Self.handledCommands.contains(command.name) else { return .skipped(.unhandledCommand) }
            let replyTo = message.replyToMessage.map(Self.referenced)
            return .event(
                InboundEvent(
                    updateID: updateID, chat: chat, from: from,
                    kind: .command(
                        name: command.name, arguments: command.arguments, messageID: Int64(message.messageID),
                        replyTo: replyTo),
                    senderChat: senderChat))
        }
        if let replied = message.replyToMessage, replied.from?.id == botID {
            guard let text = message.textOrCaption, !text.isEmpty else { return .skipped(.replyWithoutText) }
            return .event(
                InboundEvent(
                    updateID: updateID, chat: chat, from: from,
                    kind: .reply(messageID: Int64(message.messageID), text: text, replyTo: Self.referenced(replied)),
                    senderChat: senderChat))
        }
        if message.text == nil, message.caption == nil, !message.hasMedia, message.media == nil {
            return .skipped(.serviceMessage)
        }
        // A person's message in a group: the context of a later /new_issue without a reply.
        let attachment = message.media.map(Self.attachment)
        if chat.kind == .group || chat.kind == .supergroup, senderChat == nil, let from,
            message.from?.isBot == false, !(message.textOrCaption ?? "").isEmpty || attachment != nil
        {
            return .event(InboundEvent(
                updateID: updateID, chat: chat, from: from,
                kind: .message(messageID: Int64(message.messageID), text: message.textOrCaption ?? "", attachment: attachment)))
        }
        return .skipped(.ordinaryMessage)
    }

    /// A command at the start of a text: `/name`, `/name@Bot`, then arguments after
    /// whitespace. Names are 1 to 32 letters, digits or underscores and compared in lowercase.
    static func command(in text: String?) -> (name: String, addressee: String?, arguments: String)? {
        guard let text, text.hasPrefix("/") else { return nil }
        let token = text.dropFirst().prefix { !$0.isWhitespace }
        let rest = text.dropFirst(1 + token.count)
        let parts = token.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
        guard let namePart = parts.first, (1...32).contains(namePart.count),
            namePart.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
        else { return nil }
        let addressee = parts.count > 1 ? String(parts[1]) : nil
        if let addressee, addressee.isEmpty { return nil }
        return (namePart.lowercased(), addressee, rest.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    static func referenced(_ message: Message) -> ReferencedMessage {
        ReferencedMessage(
            messageID: Int64(message.messageID), text: message.textOrCaption, from: message.from.map(userRef),
            attachment: message.media.map(attachment))
    }

    static func attachment(_ media: Media) -> MessageAttachment {
        switch media {
        case .photo(let fileID, _, _, _):
            MessageAttachment(kind: .photo, fileID: fileID)
        case .document(let fileID, _, let fileName, let mimeType):
            MessageAttachment(kind: .document, fileID: fileID, fileName: fileName, mimeType: mimeType)
        case .location(let latitude, let longitude):
            MessageAttachment(kind: .location, latitude: latitude, longitude: longitude)
        }
    }

    static func userRef(_ user: User) -> UserRef {
        UserRef(id: user.id, username: user.username, firstName: user.firstName, lastName: user.lastName)
    }

    static func chatRef(_ chat: Chat) -> WireChat? {
        let kind: WireChat.Kind
        switch chat.type {
        case .private: kind = .private
        case .group: kind = .group
        case .supergroup: kind = .supergroup
        case .channel: kind = .channel
        default: return nil
        }
        return WireChat(id: chat.id, kind: kind, title: chat.title)
    }

    static func membership(_ member: ChatMember) -> BotMembership {
        switch member.status {
        case .administrator, .creator:
            BotMembership(status: .administrator, canPinMessages: member.status == .creator || member.canPinMessages == true)
        case .member:
            BotMembership(status: .member, canPinMessages: false)
        case .restricted:
            BotMembership(status: member.isMember == true ? .member : .removed, canPinMessages: false)
        default:
            // left, kicked, and any status Telegram adds later: the bot cannot act there.
            BotMembership(status: .removed, canPinMessages: false)
        }
    }
}
