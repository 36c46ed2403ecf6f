import Foundation
import GRDB
import IncidentCore

/// An incident as the admin API lists it.
public struct IncidentRecord: Hashable, Sendable {
    /// A department by id and name.
    public struct DepartmentRef: Hashable, Sendable {
        public var id: DepartmentID
        public var name: String
    }

    public var id: IncidentID
    /// Shown as `number.padded` (`"0007"`).
    public var number: IncidentNumber
    public var chatID: ChatID
    public var companyID: CompanyID
    public var status: IncidentStatus
    public var department: DepartmentRef?
    public var reporterID: UserID
    /// The people working on it now (claimed or joined and not left), in the order they
    /// started; empty once it is resolved or closed. The history is ``participants``.
    public var claimerIDs: [UserID]
    /// Every claim and join, oldest first, with when it ended.
    public var participants: [ParticipantRecord]
    /// The reported text (the description the card shows).
    public var reportedText: String
    /// Photos, documents and locations that came with the report.
    public var attachments: [Attachment] = []
    /// A link to the reported message (supergroups only).
    public var reportedMessageLink: String? = nil
    public var summary: String?
    public var createdAt: Date
    /// The first claim.
    public var claimedAt: Date?
    public var resolvedAt: Date?
    public var closedAt: Date?
}

/// One person's stint on an incident: from a claim or a join until they left, the incident
/// moved to another department, or it was resolved or closed (nil while still on it).
public struct ParticipantRecord: Hashable, Sendable {
    public var userID: UserID
    public var kind: Participation.Kind
    public var joinedAt: Date
    public var leftAt: Date?

    public init(userID: UserID, kind: Participation.Kind, joinedAt: Date, leftAt: Date?) {
        self.userID = userID
        self.kind = kind
        self.joinedAt = joinedAt
        self.leftAt = leftAt
    }
}

/// One timeline line as the admin API shows it.
public struct TimelineRecord: Hashable, Sendable {
    public var at: Date
    public var actorID: UserID?
    public var kind: TimelineKind
    public var detail: TimelineDetail
}

/// An incident with its timeline.
public struct IncidentDetail: Hashable, Sendable {
    public var incident: IncidentRecord
    /// Oldest first.
    public var timeline: [TimelineRecord]
}

extension IncidentStore {
    /// Incidents, newest first, filtered by chat, status and company when given.
    public func incidents(
        chat: ChatID? = nil, status: IncidentStatus? = nil, company: CompanyID? = nil, limit: Int = 1000
    ) async throws(StoreError) -> [IncidentRecord] {
        try await read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let chat {
                conditions.append("g.chat_id = ?")
                _ = arguments.append(contentsOf: [chat.rawValue])
            }
            if let status {
                conditions.append("i.status = ?")
                _ = arguments.append(contentsOf: [status.rawValue])
            }
            if let company {
                conditions.append("i.company_id = ?")
                _ = arguments.append(contentsOf: [company.rawValue])
            }
            _ = arguments.append(contentsOf: [max(0, limit)])
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT i.*, g.chat_id, d.name AS department_name
                    FROM incidents i JOIN groups g ON g.id = i.group_id
                    LEFT JOIN departments d ON d.id = i.department_id
                    \(filter) ORDER BY i.id DESC LIMIT ?
                    """, arguments: arguments
            ).map { try db.incidentRecord($0) }
        }
    }

    /// One incident with its timeline; nil if there is no such incident.
    public func incidentDetail(_ id: IncidentID) async throws(StoreError) -> IncidentDetail? {
        try await read { db in
            guard let row = try db.row(
                """
                SELECT i.*, g.chat_id, d.name AS department_name
                FROM incidents i JOIN groups g ON g.id = i.group_id
                LEFT JOIN departments d ON d.id = i.department_id WHERE i.id = ?
                """, [id.rawValue])
            else { return nil }
            return IncidentDetail(incident: try db.incidentRecord(row), timeline: try db.timeline(id))
        }
    }

    /// The timeline entries of an incident, oldest first.
    public func timeline(of id: IncidentID) async throws(StoreError) -> [TimelineEntry] {
        try await read { db in
            try db.timeline(id).map { TimelineEntry(kind: $0.kind, at: $0.at, actorID: $0.actorID, detail: $0.detail) }
        }
    }

    /// The incident as the state machine sees it.
    public func incident(_ id: IncidentID) async throws(StoreError) -> Incident? {
        try await read { db in try db.storedIncident(id)?.incident }
    }

    /// The incident's card as it should look now, and the card's message id if known: to
    /// post a card again that was deleted.
    public func currentCard(_ id: IncidentID) async throws(StoreError) -> (card: CardView, messageID: MessageID?)? {
        let policy = self.policy
        return try await read { db in
            guard let stored = try db.storedIncident(id), let group = try db.group(rowID: stored.groupRowID) else {
                return nil
            }
            let context = try db.decisionContext(for: stored.incident, group: group, actor: nil, policy: policy)
            return (IncidentMachine.card(for: stored.incident, context: context), stored.cardMessageID)
        }
    }
}

extension Database {
    func incidentRecord(_ row: Row) throws -> IncidentRecord {
        let id = IncidentID(row["id"] as Int64)
        let participations = try rows(
            "SELECT user_id, kind, started_at, ended_at FROM participations WHERE incident_id = ? ORDER BY seq",
            [id.rawValue])
        let participants = try participations.map {
            ParticipantRecord(
                userID: UserID($0["user_id"] as Int64), kind: Participation.Kind(rawValue: $0["kind"]) ?? .joined,
                joinedAt: try $0.date("started_at"), leftAt: try $0.optionalDate("ended_at"))
        }
        var claimers: [UserID] = []
        for participant in participants where participant.leftAt == nil && !claimers.contains(participant.userID) {
            claimers.append(participant.userID)
        }
        let department = (row["department_id"] as Int64?).map {
            IncidentRecord.DepartmentRef(id: DepartmentID($0), name: row["department_name"] ?? "")
        }
        var record = IncidentRecord(
            id: id, number: IncidentNumber(row["number"] as Int), chatID: ChatID(row["chat_id"] as Int64),
            companyID: CompanyID(row["company_id"] as Int64),
            status: IncidentStatus(rawValue: row["status"]) ?? .closed, department: department,
            reporterID: UserID(row["reporter_id"] as Int64), claimerIDs: claimers, participants: participants,
            reportedText: row["reported_text"], summary: row["summary"],
            createdAt: try row.date("created_at"),
            claimedAt: try participations.first?.date("started_at"),
            resolvedAt: try row.optionalDate("resolved_at"), closedAt: try row.optionalDate("closed_at"))
        record.attachments = Attachment.decodeList(row["report_attachments"] ?? "[]")
        if let message = row["reported_message_id"] as Int64? {
            record.reportedMessageLink = Attachment.messageLink(chat: record.chatID, message: MessageID(message))
        }
        return record
    }

    func timeline(_ id: IncidentID) throws -> [TimelineRecord] {
        let decoder = JSONDecoder()
        return try rows("SELECT * FROM timeline WHERE incident_id = ? ORDER BY id", [id.rawValue]).map { row in
            guard let kind = TimelineKind(rawValue: row["kind"]) else {
                throw StoreError(.unavailable, "stored timeline kind is unreadable")
            }
            let detail = (try? decoder.decode(TimelineDetail.self, from: Data((row["detail"] as String).utf8)))
                ?? TimelineDetail()
            return TimelineRecord(
                at: try row.date("at"), actorID: (row["actor_id"] as Int64?).map(UserID.init), kind: kind,
                detail: detail)
        }
    }
}
