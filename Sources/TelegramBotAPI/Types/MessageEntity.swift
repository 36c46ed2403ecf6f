/// A marked-up span of a message text: a command, a mention, a link, bold text, ...
public struct MessageEntity: Sendable, Hashable, Decodable {
    /// The entity type. A struct so types Telegram adds later still decode.
    public struct Kind: RawRepresentable, Sendable, Hashable, Decodable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// `/command` or `/command@BotName`.
        public static let botCommand = Kind(rawValue: "bot_command")
        /// `@username`.
        public static let mention = Kind(rawValue: "mention")
        /// A mention of a user without a username; ``MessageEntity/user`` says who.
        public static let textMention = Kind(rawValue: "text_mention")
        public static let url = Kind(rawValue: "url")
        public static let textLink = Kind(rawValue: "text_link")

        public var description: String { rawValue }
    }

    public let type: Kind
    /// Start of the span in UTF-16 code units (not characters, not bytes).
    public let offset: Int
    /// Length of the span in UTF-16 code units.
    public let length: Int
    /// For `text_link`: the target.
    public let url: String?
    /// For `text_mention`: the mentioned user.
    public let user: User?

    public init(type: Kind, offset: Int, length: Int, url: String? = nil, user: User? = nil) {
        self.type = type
        self.offset = offset
        self.length = length
        self.url = url
        self.user = user
    }

    /// The part of `text` this entity covers, or `nil` if the offsets do not fit the text.
    public func covered(in text: String) -> String? {
        let units = text.utf16
        guard offset >= 0, length >= 0, offset + length <= units.count else { return nil }
        let start = units.index(units.startIndex, offsetBy: offset)
        let end = units.index(start, offsetBy: length)
        guard let lower = start.samePosition(in: text.unicodeScalars),
            let upper = end.samePosition(in: text.unicodeScalars)
        else { return nil }
        return String(text.unicodeScalars[lower..<upper])
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case type, offset, length, url, user
    }
}

extension MessageEntity.Kind {
    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }
}
