/// Who a person's message comes from, as Telegram shows it.
public enum PostedAs: Sendable, Hashable {
    /// The person.
    case person
    /// An administrator posting as the group (`from` is then GroupAnonymousBot).
    case anonymousAdministrator
    /// On behalf of a channel (`from` is then Channel_Bot).
    case channel(SenderChatSummary)
}

/// What a message carries besides its text (the text is then its caption).
public enum MessageAttachment: Sendable, Hashable {
    case photo(width: Int = 1280, height: Int = 960)
    case document(fileName: String? = nil, mimeType: String? = nil)
    case location(latitude: Double, longitude: Double)
}

/// A person writes in a chat: `POST /control/chats/{id}/messages`.
public struct NewMessage: Codable, Sendable, Hashable {
    public var from: Int64
    /// Plain text, never parsed as HTML; optional with an attachment (it is then the caption).
    public var text: String?
    public var replyToMessageID: Int?
    /// As an administrator posting as the group (see `PostedAs`).
    public var anonymous: Bool?
    public var senderChat: SenderChatSummary?
    /// At most one attachment (see `MessageAttachment`).
    public var photo: PhotoRequest?
    public var document: DocumentRequest?
    public var location: Location?

    public init(
        from: Int64, text: String?, replyTo: Int? = nil, identity: PostedAs = .person, attachment: MessageAttachment? = nil
    ) {
        self.from = from
        self.text = text
        self.replyToMessageID = replyTo
        (anonymous, senderChat) = identity.fields
        switch attachment {
        case .photo(let width, let height): photo = PhotoRequest(width: width, height: height)
        case .document(let fileName, let mimeType): document = DocumentRequest(fileName: fileName, mimeType: mimeType)
        case .location(let latitude, let longitude): location = Location(latitude: latitude, longitude: longitude)
        case nil: break
        }
    }

    enum CodingKeys: String, CodingKey {
        case from, text, anonymous, photo, document, location
        case replyToMessageID = "reply_to_message_id"
        case senderChat = "sender_chat"
    }
}

/// A person sends `/command[@bot] [args]`: `POST /control/chats/{id}/commands`.
public struct NewCommand: Codable, Sendable, Hashable {
    public var from: Int64
    /// With or without the leading slash.
    public var command: String
    public var args: String?
    /// Adds `@` and the bot's username.
    public var mentionBot: Bool
    public var replyToMessageID: Int?
    public var anonymous: Bool?
    public var senderChat: SenderChatSummary?

    public init(
        from: Int64, command: String, args: String? = nil, mentionBot: Bool = false, replyTo: Int? = nil,
        identity: PostedAs = .person
    ) {
        self.from = from
        self.command = command
        self.args = args
        self.mentionBot = mentionBot
        self.replyToMessageID = replyTo
        (anonymous, senderChat) = identity.fields
    }

    enum CodingKeys: String, CodingKey {
        case from, command, args, anonymous
        case mentionBot = "mention_bot"
        case replyToMessageID = "reply_to_message_id"
        case senderChat = "sender_chat"
    }
}

/// A person writes to the bot in private: `POST /control/users/{id}/private`.
public struct PrivateMessage: Codable, Sendable, Hashable {
    public var text: String

    public init(text: String = "/start") {
        self.text = text
    }
}

/// A person blocks or unblocks the bot: `POST /control/users/{id}/block`.
public struct Blocking: Codable, Sendable, Hashable {
    public var blocked: Bool

    public init(blocked: Bool) {
        self.blocked = blocked
    }
}

/// What the message and command routes answer.
public struct PostedMessage: Codable, Sendable, Hashable {
    public var chatID: Int64
    public var messageID: Int
    public var text: String
    /// False when privacy mode kept the message from the bot.
    public var deliveredToBot: Bool
    /// The update the bot gets for it.
    public var updateID: Int?

    enum CodingKeys: String, CodingKey {
        case text
        case chatID = "chat_id"
        case messageID = "message_id"
        case deliveredToBot = "delivered_to_bot"
        case updateID = "update_id"
    }
}

/// A photo's size as the person sends it.
public struct PhotoRequest: Codable, Sendable, Hashable {
    public var width: Int
    public var height: Int
}

/// A document's name and type as the person sends it.
public struct DocumentRequest: Codable, Sendable, Hashable {
    public var fileName: String?
    public var mimeType: String?

    enum CodingKeys: String, CodingKey {
        case fileName = "file_name"
        case mimeType = "mime_type"
    }
}

extension PostedAs {
    /// The message's `anonymous` and `sender_chat` fields.
    var fields: (anonymous: Bool?, senderChat: SenderChatSummary?) {
        switch self {
        case .person: (nil, nil)
        case .anonymousAdministrator: (true, nil)
        case .channel(let chat): (nil, chat)
        }
    }
}
