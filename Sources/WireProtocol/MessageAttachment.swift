import Foundation

/// A photo, document or location a person's message carries, as the bus carries it.
public struct MessageAttachment: Codable, Sendable, Equatable, Hashable {
    public enum Kind: String, Codable, Sendable {
        case photo, document, location
    }
    public var kind: Kind
    /// Telegram's file id (photo: its largest size; document), to fetch the file with getFile.
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
}
