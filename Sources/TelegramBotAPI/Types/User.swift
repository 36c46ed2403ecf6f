/// A Telegram user or bot.
public struct User: Sendable, Hashable, Decodable {
    public let id: Int64
    public let isBot: Bool
    public let firstName: String
    public let lastName: String?
    public let username: String?
    public let languageCode: String?
    /// Only in `getMe`: whether the bot may be added to groups.
    public let canJoinGroups: Bool?
    /// Only in `getMe`: whether privacy mode is off (the bot sees every group message).
    public let canReadAllGroupMessages: Bool?

    public init(
        id: Int64, isBot: Bool, firstName: String, lastName: String? = nil, username: String? = nil,
        languageCode: String? = nil, canJoinGroups: Bool? = nil, canReadAllGroupMessages: Bool? = nil
    ) {
        self.id = id
        self.isBot = isBot
        self.firstName = firstName
        self.lastName = lastName
        self.username = username
        self.languageCode = languageCode
        self.canJoinGroups = canJoinGroups
        self.canReadAllGroupMessages = canReadAllGroupMessages
    }

    /// First and last name joined by a space, as clients show it.
    public var fullName: String {
        guard let lastName, !lastName.isEmpty else { return firstName }
        return "\(firstName) \(lastName)"
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id
        case isBot = "is_bot"
        case firstName = "first_name"
        case lastName = "last_name"
        case username
        case languageCode = "language_code"
        case canJoinGroups = "can_join_groups"
        case canReadAllGroupMessages = "can_read_all_group_messages"
    }
}
