import Foundation

/// The chat a message was sent on behalf of, as `Message.sender_chat` shows it: the group itself
/// for an anonymous administrator, or a channel.
struct SenderChat: Sendable, Equatable {
    var id: Int
    /// `group`, `supergroup` or `channel`.
    var type: String
    var title: String?
    var username: String?

    var json: JSONValue {
        var object: [String: JSONValue] = ["id": .int(id), "type": .string(type)]
        if let title { object["title"] = .string(title) }
        if let username { object["username"] = .string(username) }
        return .object(object)
    }

    /// Telegram's placeholder in `from` for messages of anonymous group administrators.
    static let groupAnonymousBot = SimulatedUser(
        id: 1_087_968_824, firstName: "Group", lastName: nil, username: "GroupAnonymousBot", isBot: true)
    /// Telegram's placeholder in `from` for messages sent on behalf of a channel.
    static let channelBot = SimulatedUser(
        id: 136_817_688, firstName: "Channel", lastName: nil, username: "Channel_Bot", isBot: true)
    static let placeholders: [Int: SimulatedUser] = [
        groupAnonymousBot.id: groupAnonymousBot, channelBot.id: channelBot,
    ]
}

/// On whose behalf a person posts, as the control API asks for it.
enum PostingIdentity: Sendable, Equatable {
    /// As themselves.
    case person
    /// As an anonymous administrator: `sender_chat` is the group, `from` GroupAnonymousBot.
    case anonymousAdministrator
    /// As a channel (e.g. one they own): `sender_chat` is the channel, `from` Channel_Bot.
    case channel(id: Int, title: String, username: String?)
}

/// A photo, document or location attached to a person's message.
enum Attachment: Sendable, Equatable {
    case photo(fileID: String, uniqueID: String, width: Int, height: Int)
    case document(fileID: String, uniqueID: String, fileName: String?, mimeType: String?)
    case location(latitude: Double, longitude: Double)

    /// Adds the attachment's fields (and the caption, for media) to a Message object.
    func add(to object: inout [String: JSONValue], caption: FormattedText, entityJSON: (Int) -> JSONValue) {
        switch self {
        case .photo(let fileID, let uniqueID, let width, let height):
            // Telegram sends the sizes it made, smallest first; one thumbnail and the original.
            let scale = max(1, max(width, height) / 320)
            object["photo"] = .array([
                ["file_id": .string(fileID + "-s"), "file_unique_id": .string(uniqueID + "s"),
                 "width": .int(max(1, width / scale)), "height": .int(max(1, height / scale)), "file_size": .int(width * height / 80 + 1)],
                ["file_id": .string(fileID), "file_unique_id": .string(uniqueID),
                 "width": .int(width), "height": .int(height), "file_size": .int(width * height / 8 + 1)],
            ])
        case .document(let fileID, let uniqueID, let fileName, let mimeType):
            var document: [String: JSONValue] = ["file_id": .string(fileID), "file_unique_id": .string(uniqueID), "file_size": 48_213]
            if let fileName { document["file_name"] = .string(fileName) }
            if let mimeType { document["mime_type"] = .string(mimeType) }
            object["document"] = .object(document)
        case .location(let latitude, let longitude):
            object["location"] = ["latitude": .double(latitude), "longitude": .double(longitude)]
        }
        if case .location = self { return }
        if !caption.text.isEmpty {
            object["caption"] = .string(caption.text)
            if !caption.entities.isEmpty {
                object["caption_entities"] = .array(caption.entities.map { $0.json(user: $0.userID.map(entityJSON)) })
            }
        }
    }
}

extension SimulatorState {
    /// Telegram's limit on a media caption (UTF-16 units).
    static let maximumCaptionLength = 1024
}
