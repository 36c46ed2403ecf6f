import Foundation
import IncidentCore
import Storage

/// The JSON of the admin API's companies, departments, members, groups and incidents: the
/// bodies requests send and the objects responses carry (field names are the API's).
extension AdminAPI {
    struct CompanyBody: Decodable { var name: String }
    struct CompanyJSON: Encodable { var id: Int64; var name: String }

    struct DepartmentBody: Decodable { var name: String; var restricted: Bool? }
    struct DepartmentJSON: Encodable {
        var id: Int64; var name: String; var company_id: Int64; var restricted: Bool
        init(_ department: Department) {
            id = department.id.rawValue; name = department.name
            company_id = department.companyID.rawValue; restricted = department.restricted
        }
    }

    struct MemberBody: Decodable { var user_id: Int64?; var telegram_handle: String? }
    struct MemberJSON: Encodable {
        var department_id: Int64; var user_id: Int64?; var telegram_handle: String?; var name: String?
        init(_ membership: Membership) {
            department_id = membership.departmentID.rawValue
            switch membership.member {
            case .user(let id): user_id = id.rawValue; telegram_handle = membership.person?.handle?.description
            case .handle(let handle): telegram_handle = handle.description
            }
            name = membership.person?.displayName
        }
    }

    struct GroupBody: Decodable { var company_id: Int64; var manager_user_ids: [Int64]? }
    struct GroupJSON: Encodable {
        var chat_id: Int64; var company_id: Int64?; var status: String; var manager_user_ids: [Int64]; var title: String?
    }

    struct IncidentJSON: Encodable {
        struct DepartmentRef: Encodable { var id: Int64; var name: String }
        struct Entry: Encodable {
            var at: String; var actor_id: Int64?; var action: String; var detail: TimelineDetailJSON
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(at, forKey: .at)
                try container.encode(actor_id, forKey: .actor_id)
                try container.encode(action, forKey: .action)
                try container.encode(detail, forKey: .detail)
            }
            enum CodingKeys: String, CodingKey { case at, actor_id, action, detail }
        }
        var id: Int64; var number: String; var chat_id: Int64; var status: String; var department: DepartmentRef?
        var reporter_id: Int64; var claimer_ids: [Int64]; var participants: [ParticipantJSON]
        var description: String; var attachments: [AttachmentJSON]; var reported_message_link: String?
        var summary: String?
        var created_at: String; var claimed_at: String?; var resolved_at: String?; var closed_at: String?
        var timeline: [Entry]?

        enum CodingKeys: String, CodingKey {
            case id, number, chat_id, status, department, reporter_id, claimer_ids, participants, description, attachments, reported_message_link, summary
            case created_at, claimed_at, resolved_at, closed_at, timeline
        }

        /// Absent values are written as `null`, never left out: the fields are the contract.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(number, forKey: .number)
            try container.encode(chat_id, forKey: .chat_id)
            try container.encode(status, forKey: .status)
            try container.encode(department, forKey: .department)
            try container.encode(reporter_id, forKey: .reporter_id)
            try container.encode(claimer_ids, forKey: .claimer_ids)
            try container.encode(participants, forKey: .participants)
            try container.encode(description, forKey: .description)
            try container.encode(attachments, forKey: .attachments)
            try container.encode(reported_message_link, forKey: .reported_message_link)
            try container.encode(summary, forKey: .summary)
            try container.encode(created_at, forKey: .created_at)
            try container.encode(claimed_at, forKey: .claimed_at)
            try container.encode(resolved_at, forKey: .resolved_at)
            try container.encode(closed_at, forKey: .closed_at)
            try container.encodeIfPresent(timeline, forKey: .timeline)
        }

        init(_ record: IncidentRecord, timeline: [TimelineRecord]? = nil) {
            id = record.id.rawValue; number = record.number.padded; chat_id = record.chatID.rawValue
            status = record.status.rawValue
            department = record.department.map { DepartmentRef(id: $0.id.rawValue, name: $0.name) }
            reporter_id = record.reporterID.rawValue; claimer_ids = record.claimerIDs.map(\.rawValue)
            participants = record.participants.map(ParticipantJSON.init)
            description = record.reportedText
            attachments = record.attachments.map(AttachmentJSON.init)
            reported_message_link = record.reportedMessageLink
            summary = record.summary
            created_at = rfc3339(record.createdAt); claimed_at = record.claimedAt.map(rfc3339)
            resolved_at = record.resolvedAt.map(rfc3339); closed_at = record.closedAt.map(rfc3339)
            self.timeline = timeline?.map {
                Entry(at: rfc3339($0.at), actor_id: $0.actorID?.rawValue, action: $0.kind.rawValue, detail: TimelineDetailJSON($0.detail))
            }
        }
    }

    struct TimelineDetailJSON: Encodable {
        var number: String?; var department_id: Int64?; var previous_department_id: Int64?; var summary: String?; var reminder: String?
        init(_ detail: TimelineDetail) {
            number = detail.number?.padded; department_id = detail.departmentID?.rawValue
            previous_department_id = detail.previousDepartmentID?.rawValue; summary = detail.summary
            reminder = detail.reminder?.rawValue
        }
    }
}
