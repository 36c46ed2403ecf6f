/// A chat with every message: `GET /control/chats/{id}`.
public struct Transcript: Codable, Sendable, Hashable {
    public var chat: ChatSummary
    public var messages: [TranscriptMessage]
    /// The simulator's state version when it was read (see `waitForChange`).
    public var version: Int

    enum CodingKeys: String, CodingKey {
        case messages, version
    }

    public init(from decoder: any Decoder) throws {
        chat = try ChatSummary(from: decoder)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        messages = try container.decode([TranscriptMessage].self, forKey: .messages)
        version = try container.decode(Int.self, forKey: .version)
    }

    public func encode(to encoder: any Encoder) throws {
        try chat.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(messages, forKey: .messages)
        try container.encode(version, forKey: .version)
    }
}

/// One message as a person in the chat sees it, plus its pinned and deleted state, its edit
/// history and the button presses on it.
public struct TranscriptMessage: Codable, Sendable, Hashable {
    public var messageID: Int
    public var date: Int
    public var from: UserSummary
    /// The text (the caption of an attachment; a readable line for a service message).
    public var text: String
    /// The message re-rendered from its text and entities, everything else escaped.
    public var html: String
    public var entities: [TranscriptEntity]
    /// The inline keyboard, row by row (empty without one).
    public var buttons: [[TranscriptButton]]
    public var replyToMessageID: Int?
    /// The ForceReply markup the bot sent with it.
    public var forceReply: ForceReplyMarkup?
    public var pinned: Bool
    public var deleted: Bool
    public var editDate: Int?
    /// Every version, oldest first, once the message was edited.
    public var revisions: [Revision]?
    public var service: ServiceEvent?
    /// Sent on behalf of a chat (an anonymous administrator, a channel).
    public var senderChat: SenderChatSummary?
    /// The sizes of a photo, the original last.
    public var photo: [PhotoSize]?
    public var document: Document?
    public var location: Location?
    public var callbackQueries: [ButtonPress]

    public var fromBot: Bool { from.isBot == true }
    /// The labels of the buttons, row after row.
    public var buttonLabels: [String] { buttons.flatMap { $0.map(\.text) } }

    enum CodingKeys: String, CodingKey {
        case date, from, text, html, entities, buttons, pinned, deleted, revisions, service, photo, document, location
        case messageID = "message_id"
        case replyToMessageID = "reply_to_message_id"
        case forceReply = "force_reply"
        case editDate = "edit_date"
        case senderChat = "sender_chat"
        case callbackQueries = "callback_queries"
    }

    /// One version of an edited message.
    public struct Revision: Codable, Sendable, Hashable {
        public var text: String
        public var html: String
        public var entities: [TranscriptEntity]
        public var buttons: [[TranscriptButton]]?
        public var date: Int
    }
}

/// A button of an inline keyboard.
public struct TranscriptButton: Codable, Sendable, Hashable {
    public var text: String
    public var callbackData: String?
    public var url: String?

    enum CodingKeys: String, CodingKey {
        case text, url
        case callbackData = "callback_data"
    }
}

/// A formatting entity, offsets in UTF-16 code units.
public struct TranscriptEntity: Codable, Sendable, Hashable {
    public var type: String
    public var offset: Int
    public var length: Int
    public var url: String?
    /// A text mention's user.
    public var userID: Int64?
    public var language: String?

    enum CodingKeys: String, CodingKey {
        case type, offset, length, url, language
        case userID = "user_id"
    }
}

/// The ForceReply object the bot sent.
public struct ForceReplyMarkup: Codable, Sendable, Hashable {
    public var forceReply: Bool
    public var selective: Bool?
    public var inputFieldPlaceholder: String?

    public init(forceReply: Bool = true, selective: Bool? = nil, inputFieldPlaceholder: String? = nil) {
        self.forceReply = forceReply
        self.selective = selective
        self.inputFieldPlaceholder = inputFieldPlaceholder
    }

    enum CodingKeys: String, CodingKey {
        case selective
        case forceReply = "force_reply"
        case inputFieldPlaceholder = "input_field_placeholder"
    }
}

/// What a service message announces: `kind` is `group_chat_created`, `new_chat_members`
/// (`userIDs`), `left_chat_member` (`userID`), `migrate_to_chat_id` or `migrate_from_chat_id`
/// (`chatID`), `pinned_message` (`messageID`).
public struct ServiceEvent: Codable, Sendable, Hashable {
    public var kind: String
    public var userIDs: [Int64]?
    public var userID: Int64?
    public var chatID: Int64?
    public var messageID: Int?

    enum CodingKeys: String, CodingKey {
        case kind
        case userIDs = "user_ids"
        case userID = "user_id"
        case chatID = "chat_id"
        case messageID = "message_id"
    }
}

/// The chat a message was sent on behalf of.
public struct SenderChatSummary: Codable, Sendable, Hashable {
    public var id: Int64
    /// `group`, `supergroup` or `channel`.
    public var type: String?
    public var title: String
    public var username: String?

    public init(id: Int64, type: String? = nil, title: String, username: String? = nil) {
        self.id = id
        self.type = type
        self.title = title
        self.username = username
    }
}

/// One size of a photo.
public struct PhotoSize: Codable, Sendable, Hashable {
    public var fileID: String
    public var fileUniqueID: String
    public var width: Int
    public var height: Int
    public var fileSize: Int?

    enum CodingKeys: String, CodingKey {
        case width, height
        case fileID = "file_id"
        case fileUniqueID = "file_unique_id"
        case fileSize = "file_size"
    }
}

/// A sent file.
public struct Document: Codable, Sendable, Hashable {
    public var fileID: String
    public var fileUniqueID: String
    public var fileName: String?
    public var mimeType: String?
    public var fileSize: Int?

    enum CodingKeys: String, CodingKey {
        case fileID = "file_id"
        case fileUniqueID = "file_unique_id"
        case fileName = "file_name"
        case mimeType = "mime_type"
        case fileSize = "file_size"
    }
}

/// A shared point on the map.
public struct Location: Codable, Sendable, Hashable {
    public var latitude: Double
    public var longitude: Double

    public init(latitude: Double, longitude: Double) {
        self.latitude = latitude
        self.longitude = longitude
    }
}
