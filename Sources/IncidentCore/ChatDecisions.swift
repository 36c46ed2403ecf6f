#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Decisions about a chat rather than an incident: help, driver registration, the bot being
/// added to a group.
public enum ChatDecisions {
    /// `/help` and `/start`: the explanation, as a reply to the command.
    public static func help(replyingTo command: MessageID) -> [Effect] {
        [.sendMessage(OutgoingMessage(incidentID: nil, html: Texts.help, replyTo: .message(command)))]
    }

    /// `/register_driver`: self-service, in an active group. `register` is false when the
    /// person was already registered (they are told so; nothing changes).
    public static func registerDriver(
        _ person: Person, in chat: ChatRef, group: Group?, alreadyRegistered: Bool,
        command: MessageID
    ) -> Result<(register: Bool, effects: [Effect]), Refusal> {
        guard chat.kind.isGroup else { return .failure(.groupsOnly) }
        guard let group, group.isActive else { return .failure(.groupNotActivated(chat.id)) }
        let html = alreadyRegistered
            ? Texts.driverAlreadyRegistered(person.displayName)
            : Texts.driverRegistered(person.displayName)
        return .success((
            register: !alreadyRegistered,
            effects: [.sendMessage(OutgoingMessage(incidentID: nil, html: html, replyTo: .message(command)))]
        ))
    }

    /// The bot was added to a group: a group activated before becomes active again; any other
    /// is pending, and the greeting says how to activate it (with the chat id).
    public static func botAdded(to chat: ChatRef, known group: Group?) -> (status: GroupStatus, effects: [Effect]) {
        if let group, group.companyID != nil {
            return (.active, [.sendMessage(OutgoingMessage(incidentID: nil, html: Texts.welcomeBack))])
        }
        return (.pending, [.sendMessage(OutgoingMessage(incidentID: nil, html: Texts.greeting(chatID: chat.id)))])
    }
}
