import Foundation
import IncidentStore

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
