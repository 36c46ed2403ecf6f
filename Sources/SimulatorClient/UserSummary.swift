/// A simulated person (or the bot) as the control API shows it; inside a chat summary also
/// with the person's standing there.
public struct UserSummary: Codable, Sendable, Hashable {
    public var id: Int64
    public var firstName: String?
    public var lastName: String?
    public var username: String?
    public var isBot: Bool?
    /// In a chat's member list only.
    public var status: MembershipStatus?

    enum CodingKeys: String, CodingKey {
        case id, username, status
        case firstName = "first_name"
        case lastName = "last_name"
        case isBot = "is_bot"
    }
}

/// A person's or the bot's standing in a chat, as `ChatMember.status` names it.
public enum MembershipStatus: String, Codable, Sendable, Hashable {
    case creator
    case administrator
    case member
    case left
    case kicked
}

/// A new simulated person: `POST /control/users`. Without an id the simulator gives one
/// (from 1000001).
public struct NewUser: Codable, Sendable, Hashable {
    public var id: Int64?
    public var firstName: String
    public var lastName: String?
    public var username: String?

    public init(id: Int64? = nil, firstName: String, lastName: String? = nil, username: String? = nil) {
        self.id = id
        self.firstName = firstName
        self.lastName = lastName
        self.username = username
    }

    enum CodingKeys: String, CodingKey {
        case id, username
        case firstName = "first_name"
        case lastName = "last_name"
    }
}
