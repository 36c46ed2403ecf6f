import Foundation
import IncidentCore
import IncidentKPI
import Timestamps

/// Hand-written timelines and helpers for the KPI tests.
enum KPIFixtures {
    static let chat = ChatID(-100_1)
    static let otherChat = ChatID(-100_2)
    static let dispatch = DepartmentID(1)
    static let maintenance = DepartmentID(2)
    static let ann = UserID(3)
    static let bob = UserID(4)
    static let otto = UserID(6)
    static let reporter = UserID(1)
    static let manager = UserID(2)

    /// 15 minutes to claim, 60 to resolve, UTC.
    static let settings = KPISettings(
        timeZoneID: "UTC", weekStart: .monday, claimThreshold: 15 * 60, resolveThreshold: 60 * 60)

    /// `2025-03-01T08:05:00Z` style.
    static func t(_ text: String) -> Date {
        let full = text.count == 20 ? String(text.dropLast()) + ".000Z" : text
        return Timestamp.parse(full)!
    }

    static func entry(_ kind: TimelineKind, _ at: String, _ actor: UserID?, department: DepartmentID? = nil,
                      previous: DepartmentID? = nil, number: Int? = nil, summary: String? = nil) -> TimelineEntry {
        TimelineEntry(
            kind: kind, at: t(at), actorID: actor,
            detail: TimelineDetail(
                number: number.map { IncidentNumber($0) }, departmentID: department, previousDepartmentID: previous,
                summary: summary))
    }

    static func facts(_ id: Int64, chat: ChatID = chat, _ entries: [TimelineEntry]) -> IncidentFacts {
        IncidentFacts(id: IncidentID(id), chatID: chat, timeline: entries)!
    }

    /// Dispatch claims in 4 minutes, transfers to Maintenance at 08:20, which claims 30
    /// minutes later and resolves at 09:12.
    static let transfer = facts(1, [
        entry(.created, "2025-03-01T08:00:00Z", reporter, number: 1),
        entry(.departmentAssigned, "2025-03-01T08:01:00Z", reporter, department: dispatch),
        entry(.claimed, "2025-03-01T08:05:00Z", ann),
        entry(.departmentAssigned, "2025-03-01T08:20:00Z", ann, department: maintenance, previous: dispatch),
        entry(.nudged, "2025-03-01T08:30:00Z", nil, department: maintenance),
        entry(.claimed, "2025-03-01T08:50:00Z", otto),
        entry(.resolutionRequested, "2025-03-01T09:10:00Z", otto),
        entry(.resolved, "2025-03-01T09:12:00Z", otto, summary: "fixed"),
    ])

    /// Resolved in 40 minutes, reopened at 12:00, claimed 20 minutes later, resolved at 13:30.
    static let reopen = facts(2, [
        entry(.created, "2025-03-01T10:00:00Z", reporter, number: 2),
        entry(.departmentAssigned, "2025-03-01T10:00:00Z", reporter, department: dispatch),
        entry(.claimed, "2025-03-01T10:10:00Z", ann),
        entry(.resolutionRequested, "2025-03-01T10:30:00Z", ann),
        entry(.resolved, "2025-03-01T10:40:00Z", ann, summary: "done"),
        entry(.reopened, "2025-03-01T12:00:00Z", manager, department: dispatch),
        entry(.claimed, "2025-03-01T12:20:00Z", bob),
        entry(.resolutionRequested, "2025-03-01T13:25:00Z", bob),
        entry(.resolved, "2025-03-01T13:30:00Z", bob, summary: "really done"),
    ])

    /// Claimed in 3 minutes; Resolve pressed at 08:30 but no summary: closed at 09:30.
    static let autoClose = facts(3, [
        entry(.created, "2025-03-01T08:00:00Z", reporter, number: 3),
        entry(.departmentAssigned, "2025-03-01T08:00:00Z", reporter, department: dispatch),
        entry(.claimed, "2025-03-01T08:03:00Z", ann),
        entry(.resolutionRequested, "2025-03-01T08:30:00Z", ann),
        entry(.autoClosed, "2025-03-01T09:30:00Z", nil),
    ])

    /// Resolve pressed at 08:10 and cancelled; pressed again at 08:40, summary at 08:45.
    static let cancelled = facts(4, [
        entry(.created, "2025-03-01T08:00:00Z", reporter, number: 4),
        entry(.departmentAssigned, "2025-03-01T08:00:00Z", reporter, department: dispatch),
        entry(.claimed, "2025-03-01T08:02:00Z", ann),
        entry(.joined, "2025-03-01T08:05:00Z", bob),
        entry(.resolutionRequested, "2025-03-01T08:10:00Z", ann),
        entry(.resolveCancelled, "2025-03-01T08:12:00Z", ann),
        entry(.left, "2025-03-01T08:20:00Z", bob),
        entry(.resolutionRequested, "2025-03-01T08:40:00Z", ann),
        entry(.resolved, "2025-03-01T08:45:00Z", ann, summary: "ok"),
    ])

    static let day = ReportPeriod(from: t("2025-03-01T00:00:00Z"), to: t("2025-03-02T00:00:00Z"))

    static func dataset(_ facts: [IncidentFacts], span: ReportPeriod = day) -> KPIDataset {
        var data = KPIDataset(facts: facts, span: span)
        data.departmentNames = [dispatch: "Dispatch", maintenance: "Maintenance"]
        return data
    }
}
