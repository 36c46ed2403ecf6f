#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A photo, document or location that came with the reported message: the card says what was
/// attached, the incident keeps the file id or the coordinates.
public struct Attachment: Hashable, Codable, Sendable {
    public enum Kind: String, Hashable, Codable, Sendable {
        case photo, document, location
    }
    public var kind: Kind
    /// Telegram's file id (a photo's largest size, a document).
    public var fileID: String?
    public var fileName: String?
    public var mimeType: String?
    public var latitude: Double?
    public var longitude: Double?

    public init(
        kind: Kind, fileID: String? = nil, fileName: String? = nil, mimeType: String? = nil,
        latitude: Double? = nil, longitude: Double? = nil
    ) {
        self.kind = kind
        self.fileID = fileID
        self.fileName = fileName
        self.mimeType = mimeType
        self.latitude = latitude
        self.longitude = longitude
    }

    enum CodingKeys: String, CodingKey {
        case kind, fileID = "file_id", fileName = "file_name", mimeType = "mime_type", latitude, longitude
    }

    /// A link to message `message` of supergroup `chat` (`https://t.me/c/<id>/<message>`); nil
    /// for basic groups, whose messages have no links.
    public static func messageLink(chat: ChatID, message: MessageID) -> String? {
        let offset: Int64 = 1_000_000_000_000
        guard chat.rawValue < -offset else { return nil }
        return "https://t.me/c/\(-chat.rawValue - offset)/\(message.rawValue)"
    }
}
