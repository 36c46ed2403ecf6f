import Foundation
import Hummingbird
import IncidentCore
import IncidentKPI
import Storage

/// Times as the company reads them: its time zone, to the minute.
struct LocalTime: Sendable {
    let calendar: Calendar

    init(_ settings: KPISettings) { calendar = settings.calendar }

    func format(_ date: Date?) -> String {
        guard let date else { return "" }
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { String(format: "%02d", value ?? 0) }
        return "\(parts.year ?? 0)-\(two(parts.month))-\(two(parts.day)) \(two(parts.hour)):\(two(parts.minute)):\(two(parts.second))"
    }
}

/// A value for a template section: the text, or `false` (an empty section) when absent.
func present(_ value: String?) -> Any { value.map { $0 as Any } ?? false }

extension IncidentStatus {
    var label: String {
        switch self {
        case .awaitingDepartment: "awaiting department"
        case .awaitingClaim: "awaiting claim"
        case .inProgress: "in progress"
        case .awaitingSummary: "awaiting summary"
        case .resolved: "resolved"
        case .closed: "closed"
        }
    }

    static let open: [IncidentStatus] = [.awaitingDepartment, .awaitingClaim, .inProgress, .awaitingSummary]
}

extension Dashboard {
    func minutes(_ seconds: Double?) -> String {
        guard let seconds else { return "–" }
        if seconds < 60 { return "\(Int(seconds.rounded())) s" }
        if seconds < 3600 { return String(format: "%.1f min", seconds / 60) }
        return String(format: "%.1f h", seconds / 3600)
    }

    func percent(_ value: Double?) -> String { value.map { String(format: "%.1f %%", $0) } ?? "–" }

    // MARK: Overview

    func overview(_ viewer: Viewer) async throws -> Response {
        let company = viewer.company!
        let settings = try await store.kpiSettings(company: company.id)
        let counts = try await store.openIncidentCounts(company: company.id)
        let at = now()
        let engine = KPIEngine(settings: settings, now: at)
        let today = KPICalendar(settings).period(.day, containing: at)
        let todaySummary = try await store.kpiReport(company: company.id, span: today) { engine.summary($0, period: today) }
        let week = ReportPeriod(from: at.addingTimeInterval(-7 * 86_400), to: at)
        let sla = try await store.kpiReport(company: company.id, span: week, incidents: false) { engine.slaReport($0, period: week) }

        // One row per department (and one for incidents not yet assigned), one cell per status.
        var rows: [[String: Any]] = []
        var order: [Int64?] = []
        var names: [Int64?: String] = [:]
        for count in counts where !order.contains(count.department?.id.rawValue) {
            order.append(count.department?.id.rawValue)
            names[count.department?.id.rawValue] = count.department?.name ?? "(not chosen yet)"
        }
        for department in order {
            var cells: [[String: Any]] = []
            var total = 0
            for status in IncidentStatus.open {
                let n = counts.first { $0.status == status && $0.department?.id.rawValue == department }?.count ?? 0
                total += n
                var href = "/dashboard/incidents?status=\(status.rawValue)"
                if let department { href += "&department=\(department)" }
                cells.append(n > 0 ? ["count": n, "href": href] : ["count": n])
            }
            rows.append(["name": names[department] ?? "", "cells": cells, "total": total])
        }
        return try render("overview", viewer: viewer, nav: "overview", [
            "title": "Overview",
            "company": [
                "name": company.name,
                "open": counts.reduce(0) { $0 + $1.count },
                "today": [
                    "created": todaySummary.created, "resolved": todaySummary.resolved,
                    "autoClosed": todaySummary.autoClosed, "claimMedian": minutes(todaySummary.timeToClaim.median),
                ],
                "statuses": IncidentStatus.open.map { ["label": $0.label] },
                "columns": IncidentStatus.open.count + 2,
                "openRows": rows,
                "sla": [
                    ["step": "Claim", "threshold": minutes(sla.overall.claimThresholdSeconds), "reached": sla.overall.claim.reached,
                     "met": sla.overall.claim.met, "percent": percent(sla.overall.claim.percent)],
                    ["step": "Resolve", "threshold": minutes(sla.overall.resolveThresholdSeconds), "reached": sla.overall.resolve.reached,
                     "met": sla.overall.resolve.met, "percent": percent(sla.overall.resolve.percent)],
                ],
            ] as [String: Any],
        ])
    }

    // MARK: Incident list

    /// The list's filters as given, for the form and the page links.
    struct IncidentFilter {
        var status = ""
        var department = ""
        var group = ""
        var from = ""
        var to = ""
        var q = ""

        var queryItems: [URLQueryItem] {
            [("status", status), ("department", department), ("group", group), ("from", from), ("to", to), ("q", q)]
                .filter { !$0.1.isEmpty }.map { URLQueryItem(name: $0.0, value: $0.1) }
        }

        func href(before: IncidentID? = nil) -> String {
            var components = URLComponents()
            components.path = "/dashboard/incidents"
            var items = queryItems
            if let before { items.append(URLQueryItem(name: "before", value: String(before.rawValue))) }
            components.queryItems = items.isEmpty ? nil : items
            return components.string ?? "/dashboard/incidents"
        }
    }

    func incidentList(_ request: Request, _ viewer: Viewer) async throws -> Response {
        let company = viewer.company!
        let parameters = request.uri.queryParameters
        var filter = IncidentFilter()
        filter.status = parameters.get("status") ?? ""
        filter.department = parameters.get("department") ?? ""
        filter.group = parameters.get("group") ?? ""
        filter.from = parameters.get("from") ?? ""
        filter.to = parameters.get("to") ?? ""
        filter.q = parameters.get("q") ?? ""
        let settings = try await store.kpiSettings(company: company.id)
        let calendar = KPICalendar(settings)
        let departments = try await store.departments(company: company.id)
        let groups = try await ownGroups(company.id)

        var query = IncidentQuery(company: company.id, limit: 50)
        var problem: String?
        if !filter.status.isEmpty {
            if let status = IncidentStatus(rawValue: filter.status) { query.status = status } else {
                problem = "Unknown status \"\(filter.status.prefix(40))\": choose one from the list."
            }
        }
        if !filter.department.isEmpty {
            if let id = Int64(filter.department), departments.contains(where: { $0.id.rawValue == id }) {
                query.department = DepartmentID(id)
            } else {
                problem = "\(company.name) has no department \(filter.department.prefix(40))."
            }
        }
        if !filter.group.isEmpty {
            if let chat = Int64(filter.group), groups.contains(where: { $0.chatID.rawValue == chat }) {
                query.chat = ChatID(chat)
            } else {
                problem = "\(company.name) has no group \(filter.group.prefix(40))."
            }
        }
        if !filter.from.isEmpty {
            if let day = calendar.startOfDay(filter.from) { query.createdFrom = day } else {
                problem = "From must be a date (YYYY-MM-DD)."
            }
        }
        if !filter.to.isEmpty {
            if let day = calendar.startOfDay(filter.to) { query.createdBefore = calendar.startOfNextDay(after: day) } else {
                problem = "To must be a date (YYYY-MM-DD)."
            }
        }
        if let from = query.createdFrom, let to = query.createdBefore, from >= to {
            problem = "From must not be after To."
        }
        if filter.q.count > 200 { problem = "Search for at most 200 characters." }
        query.text = filter.q.isEmpty ? nil : filter.q
        if let text = parameters.get("before") {
            if let id = Int64(text), id > 0 { query.before = IncidentID(id) } else { problem = "That page link is broken: start from the first page." }
        }

        let page = problem == nil ? try await store.incidentPage(query) : IncidentPage(incidents: [], next: nil)
        let time = LocalTime(settings)
        let titles = Dictionary(groups.map { ($0.chatID, $0.title ?? String($0.chatID.rawValue)) }) { a, _ in a }
        let rows: [[String: Any]] = page.incidents.map { incident in
            var row: [String: Any] = ["id": incident.id.rawValue, "number": incident.number.padded]
            row["group"] = titles[incident.chatID] ?? String(incident.chatID.rawValue)
            row["status"] = incident.status.rawValue
            row["statusLabel"] = incident.status.label
            row["department"] = incident.department?.name ?? "–"
            row["text"] = String(incident.reportedText.prefix(140))
            row["created"] = time.format(incident.createdAt)
            return row
        }
        return try render("incidents", status: problem == nil ? .ok : .badRequest, viewer: viewer, nav: "incidents", error: problem, [
            "title": "Incidents",
            "filter": ["from": filter.from, "to": filter.to, "q": filter.q],
            "statuses": IncidentStatus.allCases.map { ["value": $0.rawValue, "label": $0.label, "selected": $0.rawValue == filter.status] },
            "departments": departments.map { ["id": $0.id.rawValue, "name": $0.name, "selected": String($0.id.rawValue) == filter.department] as [String: Any] },
            "groups": groups.map {
                ["chat": $0.chatID.rawValue, "title": $0.title ?? String($0.chatID.rawValue),
                 "selected": String($0.chatID.rawValue) == filter.group] as [String: Any]
            },
            "rows": rows,
            "next": present(page.next.map { filter.href(before: $0) }),
            "first": present(query.before == nil ? nil : filter.href()),
            "live": query.before == nil,
        ])
    }

    // MARK: Incident detail

    func incidentPage(_ context: BasicRequestContext, _ viewer: Viewer) async throws -> Response {
        let company = viewer.company!
        guard let text = context.parameters.get("incident"), let id = Int64(text), id > 0,
              let detail = try await store.incidentDetail(IncidentID(id)), detail.incident.companyID == company.id
        else { return try notFound(viewer, "such incident") }
        let incident = detail.incident
        let settings = try await store.kpiSettings(company: company.id)
        let time = LocalTime(settings)
        let sessions = try await store.departmentSessions(of: incident.id)
        var ids = [incident.reporterID] + incident.participants.map(\.userID) + detail.timeline.compactMap(\.actorID)
        ids += sessions.compactMap(\.assignedBy)
        let people = try await store.people(ids)
        func name(_ id: UserID?) -> String {
            guard let id else { return "" }
            guard let person = people[id] else { return "user \(id.rawValue)" }
            return person.handle.map { "\(person.displayName) (\($0))" } ?? person.displayName
        }
        let departments = Dictionary(try await store.departments(company: company.id).map { ($0.id, $0.name) }) { a, _ in a }
        let group = try await store.group(chat: incident.chatID)
        let timeline: [[String: Any]] = detail.timeline.map { entry in
            var detailText = ""
            if let department = entry.detail.departmentID {
                detailText = "→ \(departments[department] ?? "department \(department.rawValue)")"
                if let previous = entry.detail.previousDepartmentID {
                    detailText = "from \(departments[previous] ?? "department \(previous.rawValue)") " + detailText
                }
            }
            if let summary = entry.detail.summary { detailText += " “\(summary)”" }
            if let reminder = entry.detail.reminder { detailText += " (\(reminder.rawValue.replacingOccurrences(of: "_", with: " ")))" }
            return [
                "at": time.format(entry.at), "action": entry.kind.rawValue.replacingOccurrences(of: "_", with: " "),
                "actor": present(entry.actorID.map { name($0) }), "detail": detailText,
            ]
        }
        return try render("incident", viewer: viewer, nav: "incidents", [
            "title": "Incident \(incident.number.padded)",
            "incident": [
                "number": incident.number.padded, "status": incident.status.rawValue, "statusLabel": incident.status.label,
                "group": group?.title ?? String(incident.chatID.rawValue), "department": incident.department?.name ?? "not chosen yet",
                "reporter": name(incident.reporterID), "created": time.format(incident.createdAt),
                "claimed": present(incident.claimedAt.map(time.format)), "resolved": present(incident.resolvedAt.map(time.format)),
                "closed": present(incident.closedAt.map(time.format)),
                "link": present(incident.reportedMessageLink),
                "text": incident.reportedText, "summary": present(incident.summary),
                "hasAttachments": !incident.attachments.isEmpty,
                "attachments": incident.attachments.map { ["kind": $0.kind.rawValue, "name": $0.fileName ?? ""] },
                "participants": incident.participants.map {
                    ["name": name($0.userID), "role": $0.kind.rawValue, "joined": time.format($0.joinedAt),
                     "left": $0.leftAt.map(time.format) ?? "still on it"]
                },
                "sessions": sessions.map {
                    ["department": $0.department.name, "assigned": time.format($0.assignedAt), "by": name($0.assignedBy),
                     "claimed": time.format($0.firstClaimedAt), "ended": time.format($0.endedAt), "reason": $0.endReason ?? ""]
                },
                "timeline": timeline,
            ] as [String: Any],
        ])
    }
}
