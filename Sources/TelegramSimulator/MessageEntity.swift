/// One formatting entity of a message, with offsets in UTF-16 code units as Telegram counts them.
struct MessageEntity: Sendable, Equatable, Hashable {
    var type: String
    var offset: Int
    var length: Int
    var url: String?
    var userID: Int?
    var language: String?
    var customEmojiID: String?

    init(type: String, offset: Int, length: Int, url: String? = nil, userID: Int? = nil,
         language: String? = nil, customEmojiID: String? = nil) {
        self.type = type
        self.offset = offset
        self.length = length
        self.url = url
        self.userID = userID
        self.language = language
        self.customEmojiID = customEmojiID
    }

    /// The entity as a MessageEntity object; `user` is filled by the caller for text mentions.
    func json(user: JSONValue?) -> JSONValue {
        var object: [String: JSONValue] = [
            "type": .string(type),
            "offset": .int(offset),
            "length": .int(length),
        ]
        if let url { object["url"] = .string(url) }
        if let user { object["user"] = user }
        if let language { object["language"] = .string(language) }
        if let customEmojiID { object["custom_emoji_id"] = .string(customEmojiID) }
        return .object(object)
    }

    /// Reads a MessageEntity object sent by a client; nil when it is malformed.
    init?(json: JSONValue) {
        guard let type = json["type"]?.stringValue, let offset = json["offset"]?.intValue,
              let length = json["length"]?.intValue, offset >= 0, length >= 0
        else { return nil }
        self.init(
            type: type, offset: offset, length: length,
            url: json["url"]?.stringValue,
            userID: json["user"]?["id"]?.intValue,
            language: json["language"]?.stringValue,
            customEmojiID: json["custom_emoji_id"]?.stringValue
        )
    }
}

/// Text after entity parsing: what the message shows and how it is formatted.
struct FormattedText: Sendable, Equatable {
    var text: String
    var entities: [MessageEntity]

    /// Length as Telegram counts it for its limits (UTF-16 code units).
    var length: Int { text.utf16.count }
}
