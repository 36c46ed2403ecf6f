import Foundation
import GRDB
import IncidentCore
import IncidentKPI
import Timestamps

/// Reports read the store on read connections (the pool's readers, never the writer), so a
/// report never delays a button press: in WAL mode a reader sees a snapshot and the writer
/// goes on. The formulas are in IncidentKPI; this file only loads their inputs.
extension IncidentStore {
    /// A company's report settings: its own, or the defaults.
    public func kpiSettings(company: CompanyID) async throws(StoreError) -> KPISettings {
        let defaults = kpiDefaults
        return try await read { db in
            guard try db.row("SELECT 1 FROM companies WHERE id = ?", [company.rawValue]) != nil else {
                throw StoreError.notFound("company \(company)")
            }
            return try db.kpiSettings(company: company, defaults: defaults)
        }
    }

    /// Stores a company's report settings; invalid ones (an unknown time zone) write nothing.
    @discardableResult
    public func setKPISettings(_ settings: KPISettings, company: CompanyID, now: Date) async throws(StoreError) -> KPISettings {
        if let problem = settings.problem { throw StoreError.invalidInput(problem) }
        return try await write { db in
            guard try db.row("SELECT 1 FROM companies WHERE id = ?", [company.rawValue]) != nil else {
                throw StoreError.notFound("company \(company)")
            }
            try db.run(
                """
                INSERT OR REPLACE INTO company_kpi_settings
                    (company_id, time_zone, week_start, sla_claim_seconds, sla_resolve_seconds, updated_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """,
                [company.rawValue, settings.timeZoneID, settings.weekStart.rawValue, settings.claimThreshold,
                 settings.resolveThreshold, stamp(now)])
            return settings
        }
    }

    /// The inputs of a report on `company` (one group's incidents when `chat` is given) for
    /// `span`. Participations, who claimed each session first and who resolved it are loaded
    /// only when `participations` is true (people reports, the person filter); the incidents
    /// created in the span only when `incidents` is true (the reports that count them:
    /// summary, groups, comparison, trends), since the others never read them and they are
    /// about a third of what a report would otherwise read.
    public func kpiDataset(
        company: CompanyID, span: ReportPeriod, chat: ChatID? = nil, participations: Bool = false, incidents: Bool = true
    ) async throws(StoreError) -> KPIDataset {
        try await read { db in
            try db.kpiDataset(company: company, span: span, chat: chat, participations: participations, incidents: incidents)
        }
    }

    /// What reports filtered by `person` read; see ``Database/kpiDatasetOfPerson(company:span:chat:person:)``.
    public func kpiDataset(company: CompanyID, span: ReportPeriod, chat: ChatID? = nil, person: UserID) async throws(StoreError) -> KPIDataset {
        try await read { db in try db.kpiDatasetOfPerson(company: company, span: span, chat: chat, person: person) }
    }

    /// The inputs of a report as ``kpiDataset(company:span:chat:participations:)`` gives them,
    /// read instead from the source tables by the scan reports used before the report facts
    /// (slower): the reference that tests compare the report facts against.
    public func kpiDatasetScanningSessions(
        company: CompanyID, span: ReportPeriod, chat: ChatID? = nil, participations: Bool = false
    ) async throws(StoreError) -> KPIDataset {
        try await read { db in
            try db.kpiDatasetScanningSessions(company: company, span: span, chat: chat, participations: participations)
        }
    }

    /// Loads the inputs like ``kpiDataset(company:span:chat:participations:)`` and runs
    /// `compute` on them, both on the report thread (``ReportThread``: its own thread at a
    /// lower priority, reading through a read connection of the pool), so that the load and
    /// the formulas' work (sorting, grouping) stay off Swift's cooperative pool, which serves
    /// the bus and the button presses, and give way to them when the CPU is short.
    ///
    /// With `person`, only what reports filtered by that person read (see
    /// ``Database/kpiDatasetOfPerson(company:span:chat:person:)``): for every report but
    /// trends, under a ``KPIFilter`` with that `userID`.
    public func kpiReport<T: Sendable>(
        company: CompanyID, span: ReportPeriod, chat: ChatID? = nil, participations: Bool = false, incidents: Bool = true,
        person: UserID? = nil, _ compute: @escaping @Sendable (KPIDataset) throws -> T
    ) async throws(StoreError) -> T {
        let pool = self.pool
        do {
            return try await ReportThread.shared.run {
                try pool.read { db in
                    if let person {
                        return try compute(try db.kpiDatasetOfPerson(company: company, span: span, chat: chat, person: person))
                    }
                    return try compute(try db.kpiDataset(
                        company: company, span: span, chat: chat, participations: participations, incidents: incidents))
                }
            }
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            throw StoreError.database(error)
        } catch {
            throw StoreError(.unavailable, "unexpected store error")
        }
    }

    /// Incidents of `company` created in `span` (one group's when `chat` is given), oldest
    /// first, with their timelines: for exports. Throws `invalidInput` beyond `limit`.
    public func incidentExport(
        company: CompanyID, span: ReportPeriod, chat: ChatID? = nil, limit: Int = 20_000
    ) async throws(StoreError) -> [IncidentDetail] {
        try await read { db in
            var sql = """
                SELECT i.*, g.chat_id, d.name AS department_name
                FROM incidents i JOIN groups g ON g.id = i.group_id
                LEFT JOIN departments d ON d.id = i.department_id
                WHERE i.company_id = ? AND i.created_at >= ? AND i.created_at < ?
                """
            var arguments: StatementArguments = [company.rawValue, stamp(span.from), stamp(span.to)]
            if let chat {
                sql += " AND g.chat_id = ?"
                _ = arguments.append(contentsOf: [chat.rawValue])
            }
            sql += " ORDER BY i.created_at, i.id LIMIT ?"
            _ = arguments.append(contentsOf: [limit + 1])
            let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
            guard rows.count <= limit else {
                throw StoreError.invalidInput("more than \(limit) incidents in the range; export a shorter range")
            }
            return try rows.map { row in
                let record = try db.incidentRecord(row)
                return IncidentDetail(incident: record, timeline: try db.timeline(record.id))
            }
        }
    }

    /// The `/report` message for `update`, computed on a read connection before the write
    /// transaction; nil when it is not a valid `/report` by a manager of an active group (the
    /// transaction then refuses with the reason) or when it cannot be computed.
    func reportMessage(for update: InboundUpdate) async throws(StoreError) -> String? {
        guard case .report(_, let argument) = update.event, let sender = update.sender,
            let name = ChatDecisions.reportPeriod(argument), let kind = CalendarPeriod(rawValue: name)
        else { return nil }
        let defaults = kpiDefaults
        let now = Timestamp.rounded(update.receivedAt)
        let chat = update.chat.id
        do {
            return try await read { db in
                guard let group = try db.group(chatID: chat)?.group, group.isActive, let company = group.companyID,
                    group.managerIDs.contains(sender.id)
                else { return nil }
                let settings = try db.kpiSettings(company: company, defaults: defaults)
                let period = KPICalendar(settings).period(kind, containing: now)
                let data = try db.kpiDataset(company: company, span: period, chat: group.chatID, participations: false)
                let engine = KPIEngine(settings: settings, now: now)
                let summary = engine.summary(data, period: period)
                let breaches = engine.breaches(engine.sessions(data, in: period, filter: .init()), names: data.departmentNames)
                return ReportMessage.html(
                    kind: kind, period: period, settings: settings, summary: summary, breaches: breaches,
                    groupTitle: group.title)
            }
        } catch {
            return nil
        }
    }
}

extension Database {
    func kpiSettings(company: CompanyID, defaults: KPISettings) throws -> KPISettings {
        guard let row = try row(
            "SELECT time_zone, week_start, sla_claim_seconds, sla_resolve_seconds FROM company_kpi_settings WHERE company_id = ?",
            [company.rawValue])
        else { return defaults }
        return KPISettings(
            timeZoneID: row[0], weekStart: Weekday(rawValue: row[1]) ?? defaults.weekStart,
            claimThreshold: row[2], resolveThreshold: row[3])
    }

    /// See ``IncidentStore/kpiDataset(company:span:chat:participations:)``: read from the
    /// report facts (IncidentStore+KPIFacts.swift).
    func kpiDataset(
        company: CompanyID, span: ReportPeriod, chat: ChatID?, participations: Bool, incidents: Bool = true
    ) throws -> KPIDataset {
        try kpiDatasetFromFacts(company: company, span: span, chat: chat, participations: participations, incidents: incidents)
    }

    /// The same dataset read from the source tables (`department_sessions`, `incidents`,
    /// `participations`, the timeline's resolutions) in one ordered scan: how reports were
    /// loaded before the report facts, kept as the reference the tests compare them against.
    func kpiDatasetScanningSessions(company: CompanyID, span: ReportPeriod, chat: ChatID?, participations wantParticipations: Bool) throws -> KPIDataset {
        let from = stamp(span.from)!
        let to = stamp(span.to)!
        let chatCondition = chat == nil ? "" : " AND g.chat_id = ?"
        let groupCondition = chat == nil ? "" : " AND i.group_id IN (SELECT id FROM groups WHERE chat_id = ?)"
        func arguments(_ values: [(any DatabaseValueConvertible)?]) -> StatementArguments {
            StatementArguments(values + (chat.map { [$0.rawValue] } ?? []))
        }
        var data = KPIDataset()

        let chats = try groupChats()

        // Incidents created in the span.
        let incidents = try Row.fetchCursor(
            cachedStatement(sql: """
                SELECT i.id, i.number, i.group_id, \(Self.milliseconds("i.created_at")) FROM incidents i
                WHERE i.company_id = ? AND i.created_at >= ? AND i.created_at < ?\(groupCondition)
                """),
            arguments: arguments([company.rawValue, from, to]))
        while let row = try incidents.next() {
            guard let chatID = chats[row[2]] else { continue }
            data.incidents.append(IncidentFact(
                id: IncidentID(row[0]), number: IncidentNumber(row[1] as Int), chatID: chatID,
                createdAt: Self.date(row[3])))
        }

        // Sessions that overlap the span: assigned in it, or assigned before and ending in or
        // after it, or still open. One ordered scan: every session of the company's incidents
        // from the first one such a session belongs to (ids grow with time; found through the
        // indexes on the sessions' times), in primary-key order, so each incident's sessions
        // come in order and the previous session's end (transfers, episodes) and the episode
        // number (resolved or closed sessions before this one) are carried along the scan
        // instead of two correlated subqueries per session. Window functions (LAG, a running
        // SUM) give the same in SQL but cost more than the subqueries here. Times come as
        // milliseconds since 1970, computed by SQLite, so no text is decoded per row; who
        // resolved is read only for people reports (who claimed first comes with the participations).
        let overlaps = "s.assigned_at < ? AND (s.assigned_at >= ? OR s.ended_at >= ? OR s.ended_at IS NULL)"
        let who = wantParticipations
            ? """
                CASE WHEN s.end_reason = 'resolved' AND \(overlaps) THEN (SELECT t.actor_id FROM timeline t
                    WHERE t.incident_id = s.incident_id AND t.kind = 'resolved' AND t.at = s.ended_at LIMIT 1) END
                """
            : "NULL"
        let overlapArguments: [(any DatabaseValueConvertible)?] = [to, from, from]
        let first = try Int64.fetchOne(
            cachedStatement(sql: """
                SELECT min(m) FROM (
                    SELECT min(incident_id) AS m FROM department_sessions WHERE assigned_at >= ? AND assigned_at < ?
                    UNION ALL SELECT min(incident_id) FROM department_sessions WHERE assigned_at < ? AND ended_at >= ?
                    UNION ALL SELECT min(incident_id) FROM department_sessions WHERE assigned_at < ? AND ended_at IS NULL)
                """),
            arguments: [from, to, from, from, from])
        var openAtStart = 0
        let fromMilliseconds = Timestamp.milliseconds(span.from)
        if let first {
            let cursor = try Row.fetchCursor(
                cachedStatement(sql: """
                    SELECT s.incident_id, i.number, i.group_id, s.seq, s.department_id, \(Self.milliseconds("s.assigned_at")),
                        \(Self.milliseconds("s.first_claimed_at")), \(Self.milliseconds("s.ended_at")), s.end_reason,
                        \(Self.milliseconds("i.created_at")), \(overlaps), \(who)
                    FROM department_sessions s CROSS JOIN incidents i ON i.id = s.incident_id
                    WHERE s.incident_id >= ? AND i.company_id = ?\(groupCondition)
                    ORDER BY s.incident_id, s.seq
                    """),
                arguments: StatementArguments(
                    overlapArguments + (wantParticipations ? overlapArguments : [])
                        + [first, company.rawValue] + (chat.map { [$0.rawValue] } ?? [])))
            var incident: Int64 = -1
            var previousEnd: DepartmentSession.End? = nil
            var episode = 0
            while let row = try cursor.next() {
                let id: Int64 = row[0]
                if id != incident {
                    incident = id
                    previousEnd = nil
                    episode = 0
                }
                let seq: Int = row[3]
                let end = (row[8] as String?).flatMap(DepartmentSession.End.init(rawValue:))
                defer {
                    previousEnd = end
                    if end == .resolved || end == .closed { episode += 1 }
                }
                guard row[10] as Bool, let chatID = chats[row[2]] else { continue }
                let assigned: Int64 = row[5]
                var session = SessionFact(
                    incidentID: IncidentID(id), number: IncidentNumber(row[1] as Int), chatID: chatID,
                    seq: seq, episode: episode, departmentID: DepartmentID(row[4]), assignedAt: Self.date(assigned),
                    firstClaimedAt: (row[6] as Int64?).map(Self.date),
                    endedAt: (row[7] as Int64?).map(Self.date), end: end,
                    resolverID: (row[11] as Int64?).map(UserID.init), transferredIn: previousEnd == .transferred)
                session.startsEpisode = seq == 0 || previousEnd == .resolved || previousEnd == .closed
                if assigned < fromMilliseconds {
                    // Open at the span's start: one per open episode.
                    openAtStart += 1
                } else if seq == 0, (row[9] as Int64) < fromMilliseconds {
                    // Created before the span, still waiting for a department at its start.
                    openAtStart += 1
                }
                data.sessions.append(session)
            }
        }
        // Created before the span, first sent to a department after its end.
        openAtStart += try Int.fetchOne(
            cachedStatement(sql: """
                SELECT count(*) FROM department_sessions s CROSS JOIN incidents i ON i.id = s.incident_id
                CROSS JOIN groups g ON g.id = i.group_id
                WHERE s.assigned_at >= ? AND s.seq = 0 AND i.company_id = ? AND i.created_at < ?\(chatCondition)
                """),
            arguments: arguments([to, company.rawValue, from])) ?? 0
        // Created before the span and still waiting for a department today.
        openAtStart += try Int.fetchOne(
            cachedStatement(sql: """
                SELECT count(*) FROM incidents i JOIN groups g ON g.id = i.group_id
                WHERE i.status = 'awaiting_department' AND i.company_id = ? AND i.created_at < ?\(chatCondition)
                """),
            arguments: arguments([company.rawValue, from])) ?? 0
        data.openAtStart = openAtStart

        if wantParticipations, !data.sessions.isEmpty {
            // One range scan over the incidents concerned (ids grow with time), keeping the
            // participations of the sessions loaded. It comes in each incident's order, so the
            // first claim seen for a session is its first claimer.
            struct Key: Hashable { var incident: Int64; var seq: Int }
            var keys: [Key: Int] = [:]
            keys.reserveCapacity(data.sessions.count)
            for (index, session) in data.sessions.enumerated() {
                keys[Key(incident: session.incidentID.rawValue, seq: session.seq)] = index
            }
            let ids = data.sessions.map(\.incidentID.rawValue)
            var people = Set<Int64>()
            let cursor = try Row.fetchCursor(
                cachedStatement(sql: """
                    SELECT incident_id, session_seq, user_id, kind, \(Self.milliseconds("started_at")),
                        \(Self.milliseconds("ended_at"))
                    FROM participations WHERE incident_id BETWEEN ? AND ? ORDER BY incident_id, seq
                    """),
                arguments: [ids.min() ?? 0, ids.max() ?? 0])
            while let row = try cursor.next() {
                let incident: Int64 = row[0]
                let seq: Int = row[1]
                guard let index = keys[Key(incident: incident, seq: seq)] else { continue }
                let user: Int64 = row[2]
                let claimed = (row[3] as String) == "claimed"
                people.insert(user)
                if claimed, data.sessions[index].firstClaimerID == nil { data.sessions[index].firstClaimerID = UserID(user) }
                data.participations.append(ParticipationFact(
                    incidentID: IncidentID(incident), sessionSeq: seq, userID: UserID(user),
                    kind: claimed ? .claimed : .joined, startedAt: Self.date(row[4]),
                    endedAt: (row[5] as Int64?).map(Self.date)))
            }
            try namePeople(Set(people.map(UserID.init)).union(data.sessions.compactMap(\.resolverID)), in: &data)
        }
        try nameDepartmentsAndGroups(company: company, in: &data)
        return data
    }

    /// SQL for a stored timestamp column as milliseconds since 1970 (NULL stays NULL).
    static func milliseconds(_ column: String) -> String {
        "CAST(round((julianday(\(column)) - 2440587.5) * 86400000) AS INTEGER)"
    }

    static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }
}
