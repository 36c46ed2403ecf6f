import Foundation
import Hummingbird
import IncidentCore
import IncidentKPI
import Storage

extension Dashboard {
    static let reportKinds: [(kind: String, label: String)] = [
        ("departments", "Departments"), ("sla", "SLA"), ("trends", "Trends"), ("people", "People"),
        ("groups", "Groups"), ("comparison", "Comparison"), ("summary", "Summary"),
    ]

    /// The reports page: a chart drawn on the server and its table beneath, for a period of
    /// local days (`from`, `to` inclusive; default the last 7 days).
    func reportPage(_ request: Request, _ viewer: Viewer) async throws -> Response {
        let company = viewer.company!
        let parameters = request.uri.queryParameters
        let kind = parameters.get("kind") ?? "departments"
        let settings = try await store.kpiSettings(company: company.id)
        let calendar = KPICalendar(settings)
        let at = now()
        let today = calendar.period(.day, containing: at)
        var problem: String?
        if !Self.reportKinds.contains(where: { $0.kind == kind }) {
            problem = "There is no report \"\(kind.prefix(40))\"; choose one of the tabs."
        }
        func day(_ name: String) -> Date? {
            guard let text = parameters.get(name), !text.isEmpty else { return nil }
            guard let date = calendar.startOfDay(text) else {
                problem = "\(name == "from" ? "From" : "To") must be a date (YYYY-MM-DD)."
                return nil
            }
            return date
        }
        let toDay = day("to") ?? today.from
        let fromDay = day("from") ?? calendar.calendar.date(byAdding: .day, value: -6, to: toDay) ?? toDay
        let period = ReportPeriod(from: fromDay, to: calendar.startOfNextDay(after: toDay))
        if period.from >= period.to { problem = "From must not be after To." }
        if period.length > 400 * 86_400 { problem = "A report covers at most 400 days." }
        let fromText = calendar.label(period.from, size: .day)
        let toText = calendar.label(toDay, size: .day)

        func href(_ kind: String, from: String, to: String, format: String? = nil) -> String {
            var components = URLComponents()
            components.path = format == nil ? "/dashboard/reports" : "/dashboard/reports/download"
            components.queryItems = [URLQueryItem(name: "kind", value: kind), URLQueryItem(name: "from", value: from), URLQueryItem(name: "to", value: to)]
                + (format.map { [URLQueryItem(name: "format", value: $0)] } ?? [])
            return components.string ?? "/dashboard/reports"
        }
        let todayText = calendar.label(today.from, size: .day)
        func daysBack(_ days: Int) -> String {
            calendar.label(calendar.calendar.date(byAdding: .day, value: -days, to: today.from) ?? today.from, size: .day)
        }
        let month = calendar.period(.month, containing: at)
        let presets: [[String: Any]] = [
            ["label": "Today", "href": href(kind, from: todayText, to: todayText)],
            ["label": "Last 7 days", "href": href(kind, from: daysBack(6), to: todayText)],
            ["label": "Last 30 days", "href": href(kind, from: daysBack(29), to: todayText)],
            ["label": "This month", "href": href(kind, from: calendar.label(month.from, size: .day), to: todayText)],
        ]

        var chart = ""
        var columns: [String] = []
        var rows: [[String]] = []
        if problem == nil {
            (chart, columns, rows) = try await report(kind, company: company.id, settings: settings, period: period)
        }
        return try render("reports", status: problem == nil ? .ok : .badRequest, viewer: viewer, nav: "reports", error: problem, [
            "title": "Reports",
            "kind": kind, "from": fromText, "to": toText, "presets": presets,
            "kinds": Self.reportKinds.map { ["label": $0.label, "href": href($0.kind, from: fromText, to: toText), "selected": $0.kind == kind] as [String: Any] },
            "csv": href(kind, from: fromText, to: toText, format: "csv"),
            "json": href(kind, from: fromText, to: toText, format: "json"),
            "chart": chart, "columns": columns, "columnCount": max(1, columns.count),
            "rows": rows.map { ["cells": $0] },
        ])
    }

    /// The chart and the table of one report.
    func report(
        _ kind: String, company: CompanyID, settings: KPISettings, period: ReportPeriod
    ) async throws -> (chart: String, columns: [String], rows: [[String]]) {
        let engine = KPIEngine(settings: settings, now: now())
        func compute<T: Sendable>(
            _ span: ReportPeriod, participations: Bool = false, incidents: Bool = true, _ body: @escaping @Sendable (KPIDataset) -> T
        ) async throws -> T {
            try await store.kpiReport(company: company, span: span, participations: participations, incidents: incidents, body)
        }
        let count = { (value: Int) in String(value) }
        switch kind {
        case "sla":
            let report = try await compute(period, incidents: false) { engine.slaReport($0, period: period) }
            let names = report.byDepartment.map { $0.name ?? "department \($0.departmentID.rawValue)" }
            let chart = SVGChart.bars(title: "SLA compliance by department", categories: names, series: [
                .init(name: "claim within SLA", values: report.byDepartment.map { $0.sla.claim.percent ?? 0 }),
                .init(name: "resolve within SLA", values: report.byDepartment.map { $0.sla.resolve.percent ?? 0 }),
            ], unit: "%")
            var rows = [["All departments", count(report.overall.claim.reached), count(report.overall.claim.met), percent(report.overall.claim.percent),
                         count(report.overall.resolve.reached), count(report.overall.resolve.met), percent(report.overall.resolve.percent)]]
            rows += zip(names, report.byDepartment).map { name, item in
                [name, count(item.sla.claim.reached), count(item.sla.claim.met), percent(item.sla.claim.percent),
                 count(item.sla.resolve.reached), count(item.sla.resolve.met), percent(item.sla.resolve.percent)]
            }
            return (chart, ["Department", "Claimed", "Claimed within SLA", "Claim compliance", "Resolved", "Resolved within SLA", "Resolve compliance"], rows)
        case "trends":
            let bucket: BucketSize = period.length > 62 * 86_400 ? .week : .day
            guard let span = engine.trendSpan(period, bucket: bucket),
                  let report = try await compute(span, { engine.trends($0, period: period, bucket: bucket, chat: nil) })
            else { return (SVGChart.empty("Trends"), [], []) }
            let chart = SVGChart.lines(title: "Incidents per \(bucket.rawValue)", labels: report.points.map(\.label), series: [
                .init(name: "created", values: report.points.map { Double($0.created) }),
                .init(name: "resolved", values: report.points.map { Double($0.resolved) }),
                .init(name: "closed without summary", values: report.points.map { Double($0.autoClosed) }),
                .init(name: "open at end", values: report.points.map { Double($0.backlog) }),
            ])
            let rows = report.points.map { [$0.label, count($0.created), count($0.resolved), count($0.autoClosed), count($0.reopened), count($0.backlog)] }
            return (chart, [bucket.rawValue.capitalized, "Created", "Resolved", "Closed without summary", "Reopened", "Open at end"], rows)
        case "people":
            let report = try await compute(period, participations: true, incidents: false) { engine.people($0, period: period) }
            let names = report.people.map { $0.name ?? "user \($0.userID.rawValue)" }
            let chart = SVGChart.bars(title: "Work by person", categories: names, series: [
                .init(name: "claimed", values: report.people.map { Double($0.claimed) }),
                .init(name: "joined", values: report.people.map { Double($0.joined) }),
                .init(name: "resolved", values: report.people.map { Double($0.resolved) }),
            ])
            let rows = zip(names, report.people).map { name, item in
                [name, count(item.claimed), count(item.joined), count(item.resolved), minutes(item.activeSeconds),
                 percent(item.sla.claim.percent), percent(item.sla.resolve.percent)]
            }
            return (chart, ["Person", "Claimed", "Joined", "Resolved", "Time on incidents", "Claim compliance", "Resolve compliance"], rows)
        case "groups":
            let report = try await compute(period) { engine.groups($0, period: period) }
            let names = report.groups.map { $0.title ?? String($0.chatID.rawValue) }
            let chart = SVGChart.bars(title: "Incidents by group", categories: names, series: [
                .init(name: "created", values: report.groups.map { Double($0.summary.created) }),
                .init(name: "resolved", values: report.groups.map { Double($0.summary.resolved) }),
            ])
            let rows = zip(names, report.groups).map { name, item in
                [name, count(item.summary.created), count(item.summary.resolved), count(item.summary.autoClosed),
                 minutes(item.summary.timeToClaim.median), minutes(item.summary.timeToResolve.median), percent(item.summary.sla.claim.percent)]
            }
            return (chart, ["Group", "Created", "Resolved", "Closed without summary", "Median time to claim", "Median time to resolve", "Claim compliance"], rows)
        case "comparison":
            let report = try await compute(ReportPeriod(from: period.previous.from, to: period.to)) { engine.comparison($0, period: period) }
            let current = report.currentSummary, previous = report.previousSummary
            let chart = SVGChart.bars(title: "This period against the one before", categories: ["created", "resolved", "closed without summary"], series: [
                .init(name: "previous period", values: [Double(previous.created), Double(previous.resolved), Double(previous.autoClosed)]),
                .init(name: "this period", values: [Double(current.created), Double(current.resolved), Double(current.autoClosed)]),
            ])
            let rows = [
                ["Created", count(previous.created), count(current.created), count(report.change.created)],
                ["Resolved", count(previous.resolved), count(current.resolved), count(report.change.resolved)],
                ["Closed without summary", count(previous.autoClosed), count(current.autoClosed), count(report.change.autoClosed)],
                ["Median time to claim", minutes(previous.timeToClaim.median), minutes(current.timeToClaim.median), minutes(report.change.medianTimeToClaimSeconds)],
                ["Median time to resolve", minutes(previous.timeToResolve.median), minutes(current.timeToResolve.median), minutes(report.change.medianTimeToResolveSeconds)],
                ["Claim compliance", percent(previous.sla.claim.percent), percent(current.sla.claim.percent), percent(report.change.claimCompliancePercent)],
            ]
            return (chart, ["", "Previous period", "This period", "Change"], rows)
        case "summary":
            let summary = try await compute(period) { engine.summary($0, period: period) }
            let chart = SVGChart.bars(title: "Department sessions", categories: ["claimed", "resolved", "closed without summary", "transferred", "still open"], series: [
                .init(name: "sessions", values: [summary.claimed, summary.resolved, summary.autoClosed, summary.transferredOut, summary.stillOpen].map(Double.init)),
            ])
            let rows = [
                ["Incidents created", count(summary.created)], ["Department sessions", count(summary.sessions)],
                ["Claimed", count(summary.claimed)], ["Resolved", count(summary.resolved)],
                ["Closed without summary", count(summary.autoClosed)], ["Transferred out", count(summary.transferredOut)],
                ["Still open", count(summary.stillOpen)], ["Median time to claim", minutes(summary.timeToClaim.median)],
                ["Median time to resolve", minutes(summary.timeToResolve.median)],
                ["Claim compliance", percent(summary.sla.claim.percent)], ["Resolve compliance", percent(summary.sla.resolve.percent)],
            ]
            return (chart, ["", "Value"], rows)
        default:  // departments
            let report = try await compute(period, incidents: false) { engine.departments($0, period: period) }
            let names = report.departments.map { $0.name ?? "department \($0.departmentID.rawValue)" }
            let chart = SVGChart.bars(title: "Department sessions", categories: names, series: [
                .init(name: "assigned", values: report.departments.map { Double($0.summary.sessions) }),
                .init(name: "resolved", values: report.departments.map { Double($0.summary.resolved) }),
                .init(name: "still open", values: report.departments.map { Double($0.summary.stillOpen) }),
            ])
            let rows = zip(names, report.departments).map { name, item in
                [name, count(item.summary.sessions), count(item.summary.claimed), count(item.summary.resolved),
                 count(item.summary.transferredOut), count(item.summary.stillOpen), minutes(item.summary.timeToClaim.median),
                 minutes(item.summary.timeToResolve.median), percent(item.summary.sla.claim.percent)]
            }
            return (chart, ["Department", "Sessions", "Claimed", "Resolved", "Transferred out", "Still open", "Median time to claim", "Median time to resolve", "Claim compliance"], rows)
        }
    }

    /// CSV or JSON of a report: the admin API's own encoders, for the session's company.
    func reportDownload(_ request: Request, _ context: BasicRequestContext, _ viewer: Viewer) async throws -> Response {
        let company = viewer.company!
        let kind = request.uri.queryParameters.get("kind") ?? "departments"
        guard Self.reportKinds.contains(where: { $0.kind == kind }) else {
            return try render("message", status: .notFound, viewer: viewer, ["title": "No such report", "text": "Choose one of the report tabs."])
        }
        return try await reportsAPI.reportDownload(company: company.id, kind: kind, request: request, context: context)
    }
}
