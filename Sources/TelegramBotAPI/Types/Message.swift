import Foundation

/// A message in a chat, as far as this bot reads it.
///
/// Fields the bot does not use (media, polls, payments, ...) are not decoded; unknown fields
/// are ignored, and absent optional ones decode as `nil`, an empty list or `false`.
///
/// The `message` of a callback query may be an *inaccessible* message (one too old for the
/// bot to see): Telegram then sends only `chat`, `message_id` and `date: 0`; it decodes as a
/// `Message` with ``isInaccessible`` set.
public struct Message: Sendable, Hashable, Decodable {
    public let messageID: Int
    /// The forum topic the message belongs to.
    public let messageThreadID: Int?
    /// The sender; absent in channels and for messages sent on behalf of a chat.
    public let from: User?
    /// Set when the message was sent on behalf of a chat (anonymous admins, channels).
    public let senderChat: Chat?
    public let date: Date
    public let chat: Chat
    public let editDate: Date?
    public let text: String?
    /// Entities of ``text``; empty when there are none.
    public let entities: [MessageEntity]
    /// The caption of a photo, video or document.
    public let caption: String?
    /// Entities of ``caption``; empty when there are none.
    public let captionEntities: [MessageEntity]
    /// Users added to the group (the bot itself among them when it is added).
    public let newChatMembers: [User]
    public let leftChatMember: User?
    public let newChatTitle: String?
    public let groupChatCreated: Bool
    public let supergroupChatCreated: Bool
    /// In the old group: the group became the supergroup with this id.
    public let migrateToChatID: Int64?
    /// In the new supergroup: it was the group with this id.
    public let migrateFromChatID: Int64?
    /// The message carries media (photo, video, document, voice, ...), whose content this
    /// client does not decode.
    public let hasMedia: Bool
    /// The photo (its largest size), document or location, when the message has one.
    public let media: Media?

    private let replyTo: Indirect<Message>?
    private let pinned: Indirect<Message>?

    /// The message this one replies to (Telegram does not nest further replies inside it).
    public var replyToMessage: Message? { replyTo?.value }
    /// In a service message: the message that was pinned (possibly inaccessible).
    public var pinnedMessage: Message? { pinned?.value }

    /// True for a message the bot can no longer see; only `chat` and `messageID` are real.
    public var isInaccessible: Bool { date.timeIntervalSince1970 == 0 }

    /// ``text`` or, for media, ``caption``: what a person wrote in the message.
    public var textOrCaption: String? { text ?? caption }

    public init(
        messageID: Int, messageThreadID: Int? = nil, from: User? = nil, senderChat: Chat? = nil, date: Date,
        chat: Chat, editDate: Date? = nil, text: String? = nil, entities: [MessageEntity] = [],
        caption: String? = nil, captionEntities: [MessageEntity] = [], newChatMembers: [User] = [],
        leftChatMember: User? = nil, newChatTitle: String? = nil, groupChatCreated: Bool = false,
        supergroupChatCreated: Bool = false, migrateToChatID: Int64? = nil, migrateFromChatID: Int64? = nil,
        hasMedia: Bool = false, replyToMessage: Message? = nil, pinnedMessage: Message? = nil, media: Media? = nil
    ) {
        self.media = media
        self.messageID = messageID
        self.messageThreadID = messageThreadID
        self.from = from
        self.senderChat = senderChat
        self.date = date
        self.chat = chat
        self.editDate = editDate
        self.text = text
        self.entities = entities
        self.caption = caption
        self.captionEntities = captionEntities
        self.newChatMembers = newChatMembers
        self.leftChatMember = leftChatMember
        self.newChatTitle = newChatTitle
        self.groupChatCreated = groupChatCreated
        self.supergroupChatCreated = supergroupChatCreated
        self.migrateToChatID = migrateToChatID
        self.migrateFromChatID = migrateFromChatID
        self.hasMedia = hasMedia
        self.replyTo = replyToMessage.map(Indirect.init)
        self.pinned = pinnedMessage.map(Indirect.init)
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case messageID = "message_id"
        case messageThreadID = "message_thread_id"
        case from
        case senderChat = "sender_chat"
        case date, chat
        case editDate = "edit_date"
        case text, entities, caption
        case captionEntities = "caption_entities"
        case newChatMembers = "new_chat_members"
        case leftChatMember = "left_chat_member"
        case newChatTitle = "new_chat_title"
        case groupChatCreated = "group_chat_created"
        case supergroupChatCreated = "supergroup_chat_created"
        case migrateToChatID = "migrate_to_chat_id"
        case migrateFromChatID = "migrate_from_chat_id"
        case replyToMessage = "reply_to_message"
        case pinnedMessage = "pinned_message"
        // Presence of any of these sets `hasMedia`.
        case animation, audio, document, photo, sticker, video
        case videoNote = "video_note"
        case voice
        case location
    }

    static let mediaKeys: [CodingKeys] = [.animation, .audio, .document, .photo, .sticker, .video, .videoNote, .voice]

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        messageID = try c.decode(Int.self, forKey: .messageID)
        messageThreadID = try c.decodeIfPresent(Int.self, forKey: .messageThreadID)
        from = try c.decodeIfPresent(User.self, forKey: .from)
        senderChat = try c.decodeIfPresent(Chat.self, forKey: .senderChat)
        date = Date(timeIntervalSince1970: TimeInterval(try c.decode(Int64.self, forKey: .date)))
        chat = try c.decode(Chat.self, forKey: .chat)
        editDate = try c.decodeIfPresent(Int64.self, forKey: .editDate).map { Date(timeIntervalSince1970: TimeInterval($0)) }
        text = try c.decodeIfPresent(String.self, forKey: .text)
        entities = try c.decodeIfPresent([MessageEntity].self, forKey: .entities) ?? []
        caption = try c.decodeIfPresent(String.self, forKey: .caption)
        captionEntities = try c.decodeIfPresent([MessageEntity].self, forKey: .captionEntities) ?? []
        newChatMembers = try c.decodeIfPresent([User].self, forKey: .newChatMembers) ?? []
        leftChatMember = try c.decodeIfPresent(User.self, forKey: .leftChatMember)
        newChatTitle = try c.decodeIfPresent(String.self, forKey: .newChatTitle)
        groupChatCreated = try c.decodeIfPresent(Bool.self, forKey: .groupChatCreated) ?? false
        supergroupChatCreated = try c.decodeIfPresent(Bool.self, forKey: .supergroupChatCreated) ?? false
        migrateToChatID = try c.decodeIfPresent(Int64.self, forKey: .migrateToChatID)
        migrateFromChatID = try c.decodeIfPresent(Int64.self, forKey: .migrateFromChatID)
        hasMedia = Self.mediaKeys.contains { c.contains($0) }
        media = try Media.decode(from: c)
        replyTo = try c.decodeIfPresent(Message.self, forKey: .replyToMessage).map(Indirect.init)
        pinned = try c.decodeIfPresent(Message.self, forKey: .pinnedMessage).map(Indirect.init)
    }
}

/// Boxes a value so a struct can contain a value of its own type.
///
/// Sendable because it is a final class whose only stored property is an immutable `let` of a
/// Sendable type; equality and hashing go by the boxed value.
final class Indirect<Value: Sendable & Hashable>: Sendable, Hashable {
    let value: Value

    init(_ value: Value) {
        self.value = value
    }

    static func == (lhs: Indirect, rhs: Indirect) -> Bool { lhs.value == rhs.value }
    func hash(into hasher: inout Hasher) { hasher.combine(value) }
}
