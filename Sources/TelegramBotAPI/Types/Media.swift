import Foundation

/// What a message carries besides text, as far as this bot keeps it: the largest size of a
/// photo, a document, or a location.
public enum Media: Sendable, Hashable {
    case photo(fileID: String, fileUniqueID: String, width: Int, height: Int)
    case document(fileID: String, fileUniqueID: String, fileName: String?, mimeType: String?)
    case location(latitude: Double, longitude: Double)
}

/// `PhotoSize`.
struct PhotoSize: Decodable {
    let fileID: String
    let fileUniqueID: String
    let width: Int
    let height: Int

    enum CodingKeys: String, CodingKey {
        case fileID = "file_id", fileUniqueID = "file_unique_id", width, height
    }
}

/// `Document` (the fields kept).
struct DocumentFile: Decodable {
    let fileID: String
    let fileUniqueID: String
    let fileName: String?
    let mimeType: String?

    enum CodingKeys: String, CodingKey {
        case fileID = "file_id", fileUniqueID = "file_unique_id", fileName = "file_name", mimeType = "mime_type"
    }
}

/// `Location` (the fields kept).
struct LocationValue: Decodable {
    let latitude: Double
    let longitude: Double
}

extension Media {
    /// The photo (largest size), document or location of a message object; nil for none.
    static func decode(from container: KeyedDecodingContainer<Message.CodingKeys>) throws -> Media? {
        if let sizes = try container.decodeIfPresent([PhotoSize].self, forKey: .photo),
            let largest = sizes.max(by: { $0.width * $0.height < $1.width * $1.height })
        {
            return .photo(fileID: largest.fileID, fileUniqueID: largest.fileUniqueID, width: largest.width, height: largest.height)
        }
        if let document = try container.decodeIfPresent(DocumentFile.self, forKey: .document) {
            return .document(
                fileID: document.fileID, fileUniqueID: document.fileUniqueID, fileName: document.fileName,
                mimeType: document.mimeType)
        }
        if let location = try container.decodeIfPresent(LocationValue.self, forKey: .location) {
            return .location(latitude: location.latitude, longitude: location.longitude)
        }
        return nil
    }
}
