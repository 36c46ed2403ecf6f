import Foundation
import GRDB
import IncidentCore
import IncidentKPI
import Timestamps

/// Loading a report's inputs from the report facts (`kpi_incidents`, `kpi_sessions`,
/// `kpi_participations`, see ``KPIFactsSchema``): the same ``KPIDataset`` as the scan of the
/// source tables (``Database/kpiDatasetScanningSessions(company:span:chat:participations:)``,
/// kept as the reference that tests compare against), from contiguous ranges of integer rows.
extension Database {
    /// Columns of a `kpi_sessions` row as ``sessionFact(_:chats:participations:)`` reads them.
    /// (Few columns: reading a column costs more than anything else per row.)
    private static func sessionSelect(_ people: Bool) -> String {
        "incident_id, number, group_id, seq, department_id, assigned_ms, first_claimed_ms, ended_ms, flags, created_ms"
            + (people ? ", first_claimer_id, resolver_id" : "")
    }

    /// `flags` end codes (see ``KPIFactsSchema``).
    private static let ends: [DepartmentSession.End?] = [nil, .transferred, .resolved, .closed]

    private static let participationSelect = "incident_id, session_seq, user_id, claimed, started_ms, ended_ms, seq"

    /// See ``IncidentStore/kpiDataset(company:span:chat:participations:)``.
    func kpiDatasetFromFacts(
        company: CompanyID, span: ReportPeriod, chat: ChatID?, participations wantParticipations: Bool,
        incidents wantIncidents: Bool = true
    ) throws -> KPIDataset {
        let from = Timestamp.milliseconds(span.from)
        let to = Timestamp.milliseconds(span.to)
        // One group's incidents: its row id (a chat id names at most one group).
        let groupCondition = chat == nil ? "" : " AND group_id IN (SELECT id FROM groups WHERE chat_id = ?)"
        func arguments(_ values: [any DatabaseValueConvertible]) -> StatementArguments {
            StatementArguments(values + (chat.map { [$0.rawValue] } ?? []))
        }
        var data = KPIDataset()
        let chats = try groupChats()

        // Incidents created in the span: one range of kpi_incidents, in (created, id) order.
        if wantIncidents {
            let incidentStatement = try cachedStatement(sql: """
                SELECT id, number, group_id, created_ms FROM kpi_incidents
                WHERE company_id = ? AND created_ms >= ? AND created_ms < ?\(groupCondition)
                """)
            let incidents = try Row.fetchCursor(incidentStatement, arguments: arguments([company.rawValue, from, to]))
            let column = IntegerColumns(incidentStatement)
            while try incidents.next() != nil {
                guard let chatID = chats[column[2]] else { continue }
                data.incidents.append(IncidentFact(
                    id: IncidentID(column[0]), number: IncidentNumber(Int(column[1])), chatID: chatID,
                    createdAt: Self.date(column[3])))
            }
        }

        // Sessions that overlap the span: those assigned in it (one range), and those assigned
        // before it that ended in or after it or are still open (found on the `ended_ms` index;
        // none when the span starts before the company's first session).
        var openAtStart = 0
        func read(_ statement: Statement, _ values: StatementArguments, before: Bool) throws {
            let cursor = try Row.fetchCursor(statement, arguments: values)
            let column = IntegerColumns(statement)
            while try cursor.next() != nil {
                guard let session = Self.sessionFact(column, chats: chats, people: wantParticipations) else { continue }
                let seq = session.seq
                if before {
                    // Open at the span's start: one per open episode.
                    openAtStart += 1
                } else if seq == 0, column[9] < from {
                    // Created before the span, still waiting for a department at its start.
                    openAtStart += 1
                }
                data.sessions.append(session)
            }
        }
        try read(
            cachedStatement(sql: """
                SELECT \(Self.sessionSelect(wantParticipations)) FROM kpi_sessions
                WHERE company_id = ? AND assigned_ms >= ? AND assigned_ms < ?\(groupCondition)
                """),
            arguments([company.rawValue, from, to]), before: false)
        let earliest = try Int64.fetchOne(
            cachedStatement(sql: "SELECT min(assigned_ms) FROM kpi_sessions WHERE company_id = ?"),
            arguments: [company.rawValue])
        if let earliest, earliest < from {
            try read(
                cachedStatement(sql: """
                    SELECT \(Self.sessionSelect(wantParticipations)) FROM kpi_sessions
                    WHERE company_id = ? AND ended_ms IS NULL AND assigned_ms < ?\(groupCondition)
                    """),
                arguments([company.rawValue, from]), before: true)
            // The keys from the index alone (it holds the primary key), then each row by its key.
            try read(
                cachedStatement(sql: """
                    SELECT \(Self.sessionSelect(wantParticipations).split(separator: ",").map { "s." + $0.trimmingCharacters(in: .whitespacesAndNewlines) }.joined(separator: ", "))
                    FROM (SELECT incident_id, seq FROM kpi_sessions INDEXED BY kpi_sessions_ended
                        WHERE company_id = ? AND ended_ms >= ? AND assigned_ms < ?) k
                    CROSS JOIN kpi_sessions s ON s.incident_id = k.incident_id AND s.seq = k.seq
                    WHERE 1\(groupCondition.replacingOccurrences(of: "group_id", with: "s.group_id"))
                    """),
                arguments([company.rawValue, from, from]), before: true)
        }
        // Created before the span, first sent to a department after its end.
        openAtStart += try Int.fetchOne(
            cachedStatement(sql: """
                SELECT count(*) FROM kpi_sessions
                WHERE company_id = ? AND assigned_ms >= ? AND seq = 0 AND created_ms < ?\(groupCondition)
                """),
            arguments: arguments([company.rawValue, to, from])) ?? 0
        // Created before the span and still waiting for a department today.
        openAtStart += try Int.fetchOne(
            cachedStatement(sql: """
                SELECT count(*) FROM incidents i JOIN groups g ON g.id = i.group_id
                WHERE i.status = 'awaiting_department' AND i.company_id = ? AND i.created_at < ?\(chat == nil ? "" : " AND g.chat_id = ?")
                """),
            arguments: arguments([company.rawValue, stamp(span.from)!])) ?? 0
        data.openAtStart = openAtStart
        data.sessions = Self.inIncidentOrder(data.sessions)

        if wantParticipations, !data.sessions.isEmpty {
            var order: [Int] = []
            func read(_ statement: Statement, _ values: StatementArguments) throws {
                try Self.readParticipations(statement, values, into: &data.participations, order: &order)
            }
            try read(
                cachedStatement(sql: """
                    SELECT \(Self.participationSelect) FROM kpi_participations
                    WHERE company_id = ? AND session_assigned_ms >= ? AND session_assigned_ms < ?\(groupCondition)
                    """),
                arguments([company.rawValue, from, to]))
            let single = try cachedStatement(sql: """
                SELECT \(Self.participationSelect) FROM kpi_participations WHERE incident_id = ? AND session_seq = ?
                """)
            for session in data.sessions where session.assignedAt < span.from {
                try read(single, [session.incidentID.rawValue, session.seq])
            }
            data.participations = Self.inIncidentOrder(data.participations, order: order)
            // The people who worked, and who resolved without working on it (a manager may).
            var people = UserSlots()
            for participation in data.participations { _ = people.slot(participation.userID) }
            for session in data.sessions { if let resolver = session.resolverID { _ = people.slot(resolver) } }
            try namePeople(Set(people.people), in: &data)
        }
        try nameDepartmentsAndGroups(company: company, in: &data)
        return data
    }
}

extension Database {
    /// The inputs of the reports filtered by one person (``KPIFilter/userID``), without
    /// reading everyone's: the sessions assigned in `span` that `person` worked on (a claim or
    /// a join) or resolved, with who claimed each first and who resolved it, and `person`'s
    /// participations in them; no incidents and no `openAtStart` (those reports never count
    /// them, and trends take no person filter). Every report but trends computes the same
    /// from it, under that person's filter, as from the whole dataset (tested): they select
    /// only sessions assigned in the period that the person worked on, and the people report
    /// looks only at the person's participations, first claims and resolutions.
    func kpiDatasetOfPerson(company: CompanyID, span: ReportPeriod, chat: ChatID?, person: UserID) throws -> KPIDataset {
        let from = Timestamp.milliseconds(span.from)
        let to = Timestamp.milliseconds(span.to)
        let groupCondition = chat == nil ? "" : " AND group_id IN (SELECT id FROM groups WHERE chat_id = ?)"
        let chatArgument: [any DatabaseValueConvertible] = chat.map { [$0.rawValue] } ?? []
        var data = KPIDataset()
        let chats = try groupChats()

        // The person's participations in sessions assigned in the span: one range of
        // kpi_participations, the other people's rows skipped by SQLite.
        var order: [Int] = []
        try Self.readParticipations(
            cachedStatement(sql: """
                SELECT \(Self.participationSelect) FROM kpi_participations
                WHERE company_id = ? AND session_assigned_ms >= ? AND session_assigned_ms < ? AND user_id = ?\(groupCondition)
                """),
            StatementArguments([company.rawValue, from, to, person.rawValue] + chatArgument),
            into: &data.participations, order: &order)
        struct Key: Hashable { var incident: Int64; var seq: Int }
        let worked = Set(data.participations.map { Key(incident: $0.incidentID.rawValue, seq: $0.sessionSeq) })

        // Their sessions, each by its key; then the sessions the person resolved without
        // having worked on them (a manager's Resolve), from the span's range.
        func append(_ statement: Statement, _ arguments: StatementArguments, unless skip: Set<Key>) throws {
            let cursor = try Row.fetchCursor(statement, arguments: arguments)
            let column = IntegerColumns(statement)
            while try cursor.next() != nil {
                guard let session = Self.sessionFact(column, chats: chats, people: true),
                    !skip.contains(Key(incident: session.incidentID.rawValue, seq: session.seq))
                else { continue }
                data.sessions.append(session)
            }
        }
        let byKey = try cachedStatement(sql: "SELECT \(Self.sessionSelect(true)) FROM kpi_sessions WHERE incident_id = ? AND seq = ?")
        for key in worked { try append(byKey, [key.incident, key.seq], unless: []) }
        try append(
            cachedStatement(sql: """
                SELECT \(Self.sessionSelect(true)) FROM kpi_sessions
                WHERE company_id = ? AND assigned_ms >= ? AND assigned_ms < ? AND resolver_id = ?\(groupCondition)
                """),
            StatementArguments([company.rawValue, from, to, person.rawValue] + chatArgument), unless: worked)

        // In each incident's order, as the whole dataset has them.
        data.sessions = Self.inIncidentOrder(data.sessions)
        data.participations = Self.inIncidentOrder(data.participations, order: order)
        try namePeople([person], in: &data)
        try nameDepartmentsAndGroups(company: company, in: &data)
        return data
    }
}

extension Database {
    /// The session of the `kpi_sessions` row `column` is on, selected with
    /// ``sessionSelect(_:)`` (who claimed first and who resolved only with `people`); nil
    /// when its group is unknown.
    fileprivate static func sessionFact(_ column: IntegerColumns, chats: GroupChats, people: Bool) -> SessionFact? {
        guard let chatID = chats[column[2]] else { return nil }
        let flags = Int(column[8])
        var session = SessionFact(
            incidentID: IncidentID(column[0]), number: IncidentNumber(Int(column[1])), chatID: chatID,
            seq: Int(column[3]), episode: flags >> 6, departmentID: DepartmentID(column[4]), assignedAt: date(column[5]),
            firstClaimedAt: column.optional(6).map(date), endedAt: column.optional(7).map(date),
            end: ends[(flags >> 2) & 3], transferredIn: flags & 2 != 0)
        session.startsEpisode = flags & 1 != 0
        if people {
            session.firstClaimerID = column.optional(10).map(UserID.init)
            session.resolverID = column.optional(11).map(UserID.init)
        }
        return session
    }

    /// Appends the participations `statement` (selecting ``participationSelect``) reads, and
    /// each one's sequence number in its incident to `order`.
    fileprivate static func readParticipations(
        _ statement: Statement, _ arguments: StatementArguments, into participations: inout [ParticipationFact], order: inout [Int]
    ) throws {
        let cursor = try Row.fetchCursor(statement, arguments: arguments)
        let column = IntegerColumns(statement)
        while try cursor.next() != nil {
            participations.append(ParticipationFact(
                incidentID: IncidentID(column[0]), sessionSeq: Int(column[1]), userID: UserID(column[2]),
                kind: column[3] != 0 ? .claimed : .joined, startedAt: date(column[4]),
                endedAt: column.optional(5).map(date)))
            order.append(Int(column[6]))
        }
    }

    /// Sessions in each incident's order, as the source tables give them.
    fileprivate static func inIncidentOrder(_ sessions: [SessionFact]) -> [SessionFact] {
        incidentOrder(incidents: sessions.map(\.incidentID.rawValue), seqs: sessions.map(\.seq)).map { sessions[Int($0)] }
    }

    /// Participations in each incident's order (`order`: each one's sequence number in it).
    fileprivate static func inIncidentOrder(_ participations: [ParticipationFact], order: [Int]) -> [ParticipationFact] {
        incidentOrder(incidents: participations.map(\.incidentID.rawValue), seqs: order).map { participations[Int($0)] }
    }

    /// The indices of rows (row i with incident `incidents[i]` and sequence number `seqs[i]`)
    /// in (incident, seq) order. Incident ids are dense (row ids), so the rows are placed by a
    /// counting sort on the incident (one pass to count, one to place), then each incident's
    /// few rows put in `seq` order; sorting keys by comparison was a fifth of the people
    /// report's time over 100,000 incidents. Ids spread far wider than the rows fall back to
    /// that sort.
    static func incidentOrder(incidents: [Int64], seqs: [Int]) -> [Int32] {
        let count = incidents.count
        guard count > 1 else { return (0..<count).map(Int32.init) }
        let low = incidents.min()!
        let high = incidents.max()!
        guard high - low < Int64(4 * count + 1024) else {
            return (0..<count)
                .map { IncidentOrder(incident: incidents[$0], seq: Int32(truncatingIfNeeded: seqs[$0]), index: Int32($0)) }
                .sorted()
                .map(\.index)
        }
        let buckets = Int(high - low) + 1
        // starts[b]: where incident low + b's rows begin.
        var starts = [Int32](repeating: 0, count: buckets + 1)
        for id in incidents { starts[Int(id - low) + 1] += 1 }
        for bucket in 0..<buckets { starts[bucket + 1] += starts[bucket] }
        var next = starts
        var result = [Int32](repeating: 0, count: count)
        for row in 0..<count {
            let bucket = Int(incidents[row] - low)
            result[Int(next[bucket])] = Int32(row)
            next[bucket] += 1
        }
        // Within an incident (one to a few rows): insertion sort by seq.
        for bucket in 0..<buckets where starts[bucket + 1] - starts[bucket] > 1 {
            let first = Int(starts[bucket])
            for position in (first + 1)..<Int(starts[bucket + 1]) {
                let row = result[position]
                let key = seqs[Int(row)]
                var slot = position
                while slot > first, seqs[Int(result[slot - 1])] > key {
                    result[slot] = result[slot - 1]
                    slot -= 1
                }
                result[slot] = row
            }
        }
        return result
    }

    /// The display names of `people` into the dataset.
    func namePeople(_ people: Set<UserID>, in data: inout KPIDataset) throws {
        for (id, person) in try self.people(people) { data.personNames[id] = person.displayName }
    }

    /// The names of the company's departments (deleted ones too) and its groups' titles.
    func nameDepartmentsAndGroups(company: CompanyID, in data: inout KPIDataset) throws {
        for department in try departments(company: company, includingDeleted: true) { data.departmentNames[department.id] = department.name }
        for row in try rows("SELECT chat_id, title FROM groups WHERE company_id = ?", [company.rawValue]) {
            if let title: String = row[1] { data.groupTitles[ChatID(row[0])] = title }
        }
    }
}

extension Database {
    /// Every group's chat id by the group's row id, from one small query (all groups, as a
    /// join would), rather than a join per incident and per session.
    func groupChats() throws -> GroupChats {
        var chats = GroupChats()
        for row in try rows("SELECT id, chat_id FROM groups", []) { chats[row[0]] = ChatID(row[1]) }
        return chats
    }
}

/// Chat ids by group row id: an array slot per id (row ids are small and dense), so each of
/// the hundreds of thousands of rows a report reads looks its chat up without hashing.
struct GroupChats {
    private var slots: [ChatID?] = []
    private var others: [Int64: ChatID] = [:]

    subscript(_ id: Int64) -> ChatID? {
        get { id >= 0 && id < slots.count ? slots[Int(id)] : others[id] }
        set {
            if id >= 0, id < 1 << 20 {
                if id >= slots.count { slots += Array(repeating: nil, count: Int(id) + 1 - slots.count) }
                slots[Int(id)] = newValue
            } else {
                others[id] = newValue
            }
        }
    }
}

/// Where a session or participation goes in each incident's order (by its sequence number in
/// the incident), for ids too sparse to count: sorted instead of the rows themselves.
private struct IncidentOrder: Comparable {
    var incident: Int64
    var seq: Int32
    var index: Int32

    static func < (a: Self, b: Self) -> Bool { (a.incident, a.seq) < (b.incident, b.seq) }
}

/// The integer columns of the row a statement is on, read straight from SQLite: a report reads
/// about a million of them, and going through `Row` checks each one's type first.
/// The statement must select only integers and NULLs.
struct IntegerColumns {
    let statement: SQLiteStatement

    init(_ statement: Statement) { self.statement = statement.sqliteStatement }

    /// Column `index`, which must not be NULL.
    subscript(_ index: CInt) -> Int64 { Int64(sqliteStatement: statement, index: index) }

    /// Column `index`, nil when NULL. SQLite reads NULL as 0, so only a 0 costs a second call
    /// to tell the two apart (a type check before every read was a twentieth of a people
    /// report: these columns are mostly set).
    func optional(_ index: CInt) -> Int64? {
        let value = Int64(sqliteStatement: statement, index: index)
        if value == 0, DatabaseValue(sqliteStatement: statement, index: index).isNull { return nil }
        return value
    }
}
