import Foundation
import IncidentCore
import Storage
import WireProtocol

extension Translation {
    /// A message sent on behalf of a chat (an anonymous administrator posting as the group, or
    /// a channel). Telegram puts a placeholder bot in `from` (GroupAnonymousBot,
    /// Channel_Bot) that is the same for every such poster, so nothing that needs to know who
    /// acts may use it: /new_issue, /ticket, /register_driver and summary replies are refused
    /// with an explanation, without recording the placeholder as a person. /help is answered
    /// as usual; anything else is not acted on (nil: the normal translation applies).
    static func onBehalfOfChat(
        _ event: InboundEvent, chat: ChatRef, receivedAt: Date
    ) -> InboundUpdate? {
        let translated: InboundUpdate.Event
        switch event.kind {
        case .command(let name, _, let messageID, _):
            switch name.lowercased() {
            case let name where newIssueCommands.contains(name) || name == "register_driver":
                translated = .onBehalfOfChat(message: MessageID(messageID))
            case "help", "start":
                translated = .help(command: MessageID(messageID))
            default:
                return nil
            }
        case .reply(let messageID, _, _):
            translated = .onBehalfOfChat(message: MessageID(messageID))
        default:
            return nil
        }
        return InboundUpdate(updateID: event.updateID, chat: chat, sender: nil, event: translated, receivedAt: receivedAt)
    }
}

extension Translation {
    /// A photo, document or location, from the bus's vocabulary to the store's.
    static func attachment(_ attachment: MessageAttachment) -> Attachment {
        let kind: Attachment.Kind = switch attachment.kind {
        case .photo: .photo
        case .document: .document
        case .location: .location
        }
        return Attachment(
            kind: kind, fileID: attachment.fileID, fileName: attachment.fileName, mimeType: attachment.mimeType,
            latitude: attachment.latitude, longitude: attachment.longitude)
    }
}
