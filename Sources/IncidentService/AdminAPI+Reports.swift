import Foundation
import Hummingbird
import IncidentCore
import IncidentKPI
import Storage

/// Reports, exports and report settings of a company (see docs/kpi.md).
///
/// `GET /api/v1/companies/{id}/reports/{kind}` with kind one of departments, sla, trends,
/// people, groups, comparison, summary; query `from`, `to` (local dates `YYYY-MM-DD`, `to`
/// inclusive, or RFC 3339 instants), `department_id`, `chat_id`, `user_id`, `bucket`
/// (trends: hour, day, week) and `format` (json, csv). Exports of the incident list with
/// timelines at `/api/v1/companies/{id}/incidents/export`.
extension AdminAPI {
    static let reportKinds = ["departments", "sla", "trends", "people", "groups", "comparison", "summary"]
    /// Longest period a report covers.
    static let maximumReportDays = 400.0

    // The report routes are in the route table (AdminAPI+Routes.swift).

    // MARK: Settings

    struct KPISettingsJSON: Codable {
        var timezone: String?
        var week_start: String?
        var sla_claim_minutes: Double?
        var sla_resolve_minutes: Double?

        init(_ settings: KPISettings) {
            timezone = settings.timeZoneID
            week_start = settings.weekStart.rawValue
            sla_claim_minutes = settings.claimThreshold / 60
            sla_resolve_minutes = settings.resolveThreshold / 60
        }
    }

    func getKPISettings(_ context: BasicRequestContext) async throws -> Response {
        let company = CompanyID(try pathID("id", context))
        return try json(KPISettingsJSON(try await store.kpiSettings(company: company)))
    }

    /// Fields left out keep their current value.
    func putKPISettings(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let company = CompanyID(try pathID("id", context))
        let body = try await decode(
            KPISettingsJSON.self, from: request,
            fields: ["timezone", "week_start", "sla_claim_minutes", "sla_resolve_minutes"])
        var settings = try await store.kpiSettings(company: company)
        if let zone = body.timezone { settings.timeZoneID = zone }
        if let text = body.week_start {
            guard let day = Weekday(rawValue: text.lowercased()) else {
                throw APIError(.badRequest, "week_start must be one of \(Weekday.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            settings.weekStart = day
        }
        if let minutes = body.sla_claim_minutes { settings.claimThreshold = minutes * 60 }
        if let minutes = body.sla_resolve_minutes { settings.resolveThreshold = minutes * 60 }
        if let problem = settings.problem { throw APIError(.badRequest, problem) }
        let stored = try await store.setKPISettings(settings, company: company, now: now())
        logger.info("report settings changed", metadata: ["company.id": "\(company)", "timezone": "\(stored.timeZoneID)"])
        return try json(KPISettingsJSON(stored))
    }

    // MARK: Reports

    struct ReportQuery {
        var company: CompanyID
        var settings: KPISettings
        var period: ReportPeriod
        var filter: KPIFilter
        var csv: Bool
    }

    /// Parses the common query parameters; every mistake is a 400 that names the parameter.
    func reportQuery(_ request: Request, _ context: BasicRequestContext) async throws -> ReportQuery {
        let company = CompanyID(try pathID("id", context))
        let settings = try await store.kpiSettings(company: company)
        let calendar = KPICalendar(settings)
        let query = request.uri.queryParameters
        func instant(_ name: String, dayEnd: Bool) throws -> Date? {
            guard let text = query.get(name) else { return nil }
            if let day = calendar.startOfDay(text) { return dayEnd ? calendar.startOfNextDay(after: day) : day }
            if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
            if let date = try? Date(text, strategy: Date.ISO8601FormatStyle()) { return date }
            throw APIError(.badRequest, "\(name) must be a date YYYY-MM-DD (in the company's time zone) or an RFC 3339 time")
        }
        let current = now()
        let to = try instant("to", dayEnd: true) ?? calendar.startOfNextDay(after: current)
        let from = try instant("from", dayEnd: false)
            ?? calendar.calendar.date(byAdding: .day, value: -7, to: to) ?? to.addingTimeInterval(-7 * 86_400)
        guard from < to else { throw APIError(.badRequest, "from must be before to") }
        guard to.timeIntervalSince(from) <= Self.maximumReportDays * 86_400 else {
            throw APIError(.badRequest, "a report covers at most \(Int(Self.maximumReportDays)) days")
        }
        func id(_ name: String) throws -> Int64? {
            guard let text = query.get(name) else { return nil }
            guard let value = Int64(text), value != 0 else { throw APIError(.badRequest, "\(name) must be an integer id") }
            return value
        }
        var filter = KPIFilter()
        if let department = try id("department_id") {
            guard try await store.department(DepartmentID(department))?.companyID == company else {
                throw APIError(.notFound, "not found: company \(company) has no department \(department)")
            }
            filter.departmentID = DepartmentID(department)
        }
        if let chat = try id("chat_id") {
            guard try await store.group(chat: ChatID(chat))?.companyID == company else {
                throw APIError(.notFound, "not found: company \(company) has no group \(chat)")
            }
            filter.chatID = ChatID(chat)
        }
        if let user = try id("user_id") { filter.userID = UserID(user) }
        let format = query.get("format") ?? "json"
        guard format == "json" || format == "csv" else { throw APIError(.badRequest, "format must be json or csv") }
        return ReportQuery(
            company: company, settings: settings, period: ReportPeriod(from: from, to: to), filter: filter,
            csv: format == "csv")
    }

    func report(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let kind = context.parameters.get("kind") ?? ""
        guard Self.reportKinds.contains(kind) else {
            throw APIError(.notFound, "not found: reports are \(Self.reportKinds.joined(separator: ", "))")
        }
        let query = try await reportQuery(request, context)
        let engine = KPIEngine(settings: query.settings, now: now())
        let period = query.period
        let filter = query.filter
        /// Loads and computes on a read connection's thread (not the cooperative pool).
        /// `incidents`: whether the report counts created incidents (see `kpiDataset`).
        func compute<T: Sendable>(
            _ span: ReportPeriod, participations: Bool = false, incidents: Bool = true,
            _ body: @escaping @Sendable (KPIDataset) -> T
        ) async throws -> T {
            try await store.kpiReport(
                company: query.company, span: span, chat: filter.chatID,
                participations: participations, incidents: incidents, person: filter.userID, body)
        }
        let name = "\(kind)-\(KPICalendar(query.settings).label(period.from, size: .day))"
        // Created incidents are counted only without a department or person filter.
        let countsCreated = filter.departmentID == nil && filter.userID == nil
        switch kind {
        case "departments":
            let report = try await compute(period, incidents: false) { engine.departments($0, period: period, filter: filter) }
            return try reportResponse(report, csv: query.csv ? report.csv : nil, query: query, name: name)
        case "sla":
            let report = try await compute(period, incidents: false) { engine.slaReport($0, period: period, filter: filter) }
            return try reportResponse(report, csv: query.csv ? report.csv : nil, query: query, name: name)
        case "people":
            let report = try await compute(period, participations: true, incidents: false) { engine.people($0, period: period, filter: filter) }
            return try reportResponse(report, csv: query.csv ? report.csv : nil, query: query, name: name)
        case "groups":
            let report = try await compute(period, incidents: countsCreated) { engine.groups($0, period: period, filter: filter) }
            return try reportResponse(report, csv: query.csv ? report.csv : nil, query: query, name: name)
        case "comparison":
            let span = ReportPeriod(from: period.previous.from, to: period.to)
            let report = try await compute(span, incidents: countsCreated) {
                engine.comparison($0, period: period, filter: filter)
            }
            return try reportResponse(report, csv: query.csv ? report.csv : nil, query: query, name: name)
        case "summary":
            let summary = try await compute(period, incidents: countsCreated) { engine.summary($0, period: period, filter: filter) }
            let csv = CSVTable(header: ["from", "to"] + KPISummary.csvHeader, rows: [
                [CSVFormat.time(period.from), CSVFormat.time(period.to)] + summary.csvCells,
            ])
            return try reportResponse(summary, csv: query.csv ? csv : nil, query: query, name: name)
        default:  // trends
            guard filter.departmentID == nil, filter.userID == nil else {
                throw APIError(.badRequest, "trends count incidents: filter them by chat_id only, not department_id or user_id")
            }
            let bucketText = request.uri.queryParameters.get("bucket") ?? "day"
            guard let bucket = BucketSize(rawValue: bucketText) else {
                throw APIError(.badRequest, "bucket must be hour, day or week")
            }
            let chat = filter.chatID
            guard let span = engine.trendSpan(period, bucket: bucket),
                let report = try await compute(span, { engine.trends($0, period: period, bucket: bucket, chat: chat) })
            else { throw APIError(.badRequest, "too many \(bucket.rawValue) buckets: ask for a shorter period or a larger bucket") }
            return try reportResponse(report, csv: query.csv ? report.csv : nil, query: query, name: name)
        }
    }

    /// A report with what it was computed for.
    struct ReportEnvelope<Report: Encodable>: Encodable {
        var companyId: Int64
        var timeZone: String
        var weekStart: String
        var from: Date
        var to: Date
        var departmentId: Int64?
        var chatId: Int64?
        var userId: Int64?
        var report: Report

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(companyId, forKey: .companyId)
            try container.encode(timeZone, forKey: .timeZone)
            try container.encode(weekStart, forKey: .weekStart)
            try container.encode(from, forKey: .from)
            try container.encode(to, forKey: .to)
            try container.encode(departmentId, forKey: .departmentId)
            try container.encode(chatId, forKey: .chatId)
            try container.encode(userId, forKey: .userId)
            try container.encode(report, forKey: .report)
        }

        enum CodingKeys: String, CodingKey {
            case companyId, timeZone, weekStart, from, to, departmentId, chatId, userId, report
        }
    }

    /// Report JSON: snake_case keys, RFC 3339 UTC times, absent values as null.
    static func reportEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(rfc3339(date))
        }
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    func reportResponse<Report: Encodable>(_ report: Report, csv: CSVTable?, query: ReportQuery, name: String) throws -> Response {
        if let csv { return csvResponse(csv, name: name) }
        let envelope = ReportEnvelope(
            companyId: query.company.rawValue, timeZone: query.settings.timeZoneID,
            weekStart: query.settings.weekStart.rawValue, from: query.period.from, to: query.period.to,
            departmentId: query.filter.departmentID?.rawValue, chatId: query.filter.chatID?.rawValue,
            userId: query.filter.userID?.rawValue, report: report)
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(data: try Self.reportEncoder().encode(envelope))))
    }

    func csvResponse(_ table: CSVTable, name: String) -> Response {
        var headers: HTTPFields = [.contentType: "text/csv; charset=utf-8"]
        headers[.contentDisposition] = "attachment; filename=\"raisedash-\(name).csv\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(data: table.data)))
    }

    // MARK: Export

    func exportIncidents(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let query = try await reportQuery(request, context)
        guard query.filter.departmentID == nil, query.filter.userID == nil else {
            throw APIError(.badRequest, "the incident export is filtered by chat_id only")
        }
        let details = try await store.incidentExport(company: query.company, span: query.period, chat: query.filter.chatID)
        let name = "incidents-\(KPICalendar(query.settings).label(query.period.from, size: .day))"
        guard query.csv else {
            return try json(["incidents": details.map { IncidentJSON($0.incident, timeline: $0.timeline) }])
        }
        var table = CSVTable(header: [
            "incident_id", "number", "chat_id", "status", "department_id", "department", "reporter_id", "created_at",
            "claimed_at", "resolved_at", "closed_at", "summary", "entry_at", "entry_action", "entry_actor_id",
            "entry_department_id", "entry_previous_department_id", "entry_summary",
        ])
        for detail in details {
            let incident = detail.incident
            let columns = [
                String(incident.id.rawValue), incident.number.padded, String(incident.chatID.rawValue),
                incident.status.rawValue, incident.department.map { String($0.id.rawValue) } ?? "",
                incident.department?.name ?? "", String(incident.reporterID.rawValue), CSVFormat.time(incident.createdAt),
                CSVFormat.time(incident.claimedAt), CSVFormat.time(incident.resolvedAt), CSVFormat.time(incident.closedAt),
                incident.summary ?? "",
            ]
            for entry in detail.timeline {
                table.rows.append(columns + [
                    CSVFormat.time(entry.at), entry.kind.rawValue, entry.actorID.map { String($0.rawValue) } ?? "",
                    entry.detail.departmentID.map { String($0.rawValue) } ?? "",
                    entry.detail.previousDepartmentID.map { String($0.rawValue) } ?? "", entry.detail.summary ?? "",
                ])
            }
        }
        return csvResponse(table, name: name)
    }
}
