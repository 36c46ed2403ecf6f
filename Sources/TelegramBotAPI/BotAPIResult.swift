/// What a request carried out with ``BotAPIClient/perform(_:)`` returned.
public enum BotAPIResult: Sendable, Hashable {
    /// The method answered `true` (pin, unpin, delete, answer, setMyCommands, deleteWebhook).
    case done
    case user(User)
    case updates([Update])
    case message(Message)
    case chatMember(ChatMember)
    case chatMembers([ChatMember])

    /// The shape of result a request expects.
    public enum Shape: Sendable, Hashable {
        case done, user, updates, message, chatMember, chatMembers
    }
}
