/// A private chat, group, supergroup or channel.
public struct Chat: Sendable, Hashable, Decodable {
    /// The kind of chat. A struct rather than an enum so a kind Telegram adds later still decodes.
    public struct Kind: RawRepresentable, Sendable, Hashable, Decodable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        public static let `private` = Kind(rawValue: "private")
        public static let group = Kind(rawValue: "group")
        public static let supergroup = Kind(rawValue: "supergroup")
        public static let channel = Kind(rawValue: "channel")

        public var description: String { rawValue }
    }

    /// Negative for groups (`-100…` for supergroups and channels), positive for private chats.
    public let id: Int64
    public let type: Kind
    public let title: String?
    public let username: String?
    public let firstName: String?
    public let lastName: String?
    /// The supergroup has topics.
    public let isForum: Bool

    public init(
        id: Int64, type: Kind, title: String? = nil, username: String? = nil, firstName: String? = nil,
        lastName: String? = nil, isForum: Bool = false
    ) {
        self.id = id
        self.type = type
        self.title = title
        self.username = username
        self.firstName = firstName
        self.lastName = lastName
        self.isForum = isForum
    }

    /// A basic group or a supergroup.
    public var isGroup: Bool { type == .group || type == .supergroup }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, type, title, username
        case firstName = "first_name"
        case lastName = "last_name"
        case isForum = "is_forum"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int64.self, forKey: .id)
        type = try c.decode(Kind.self, forKey: .type)
        title = try c.decodeIfPresent(String.self, forKey: .title)
        username = try c.decodeIfPresent(String.self, forKey: .username)
        firstName = try c.decodeIfPresent(String.self, forKey: .firstName)
        lastName = try c.decodeIfPresent(String.self, forKey: .lastName)
        isForum = try c.decodeIfPresent(Bool.self, forKey: .isForum) ?? false
    }
}

extension Chat.Kind {
    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }
}
