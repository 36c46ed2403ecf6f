import Foundation
import IncidentCore
import Storage

extension AdminAPI {
    /// One claim or join of an incident, as `participants` lists them: `left_at` is null while
    /// the person is still on it.
    struct ParticipantJSON: Encodable {
        var user_id: Int64
        var joined_at: String
        var left_at: String?
        /// `claimed` (started the work) or `joined`.
        var role: String

        init(_ record: ParticipantRecord) {
            user_id = record.userID.rawValue
            joined_at = rfc3339(record.joinedAt)
            left_at = record.leftAt.map(rfc3339)
            role = record.kind.rawValue
        }

        enum CodingKeys: String, CodingKey { case user_id, joined_at, left_at, role }

        /// `left_at` is written as null, never left out.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(user_id, forKey: .user_id)
            try container.encode(joined_at, forKey: .joined_at)
            try container.encode(left_at, forKey: .left_at)
            try container.encode(role, forKey: .role)
        }
    }
}

extension AdminAPI {
    /// A photo, document or location of the report; absent values are null.
    struct AttachmentJSON: Encodable {
        var kind: String
        var file_id: String?
        var file_name: String?
        var mime_type: String?
        var latitude: Double?
        var longitude: Double?

        init(_ attachment: Attachment) {
            kind = attachment.kind.rawValue
            file_id = attachment.fileID
            file_name = attachment.fileName
            mime_type = attachment.mimeType
            latitude = attachment.latitude
            longitude = attachment.longitude
        }

        enum CodingKeys: String, CodingKey { case kind, file_id, file_name, mime_type, latitude, longitude }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(kind, forKey: .kind)
            try container.encode(file_id, forKey: .file_id)
            try container.encode(file_name, forKey: .file_name)
            try container.encode(mime_type, forKey: .mime_type)
            try container.encode(latitude, forKey: .latitude)
            try container.encode(longitude, forKey: .longitude)
        }
    }
}
