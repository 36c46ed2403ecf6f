import Foundation
import IncidentCore

/// The `/report` message: a short summary of a group's period, as Telegram HTML with every
/// name escaped.
public enum ReportMessage {
    /// At most this many breaches are listed.
    public static let breachesShown = 3

    public static func html(
        kind: CalendarPeriod, period: ReportPeriod, settings: KPISettings, summary: KPISummary, breaches: [Breach],
        groupTitle: String?
    ) -> String {
        let calendar = KPICalendar(settings)
        let from = calendar.label(period.from, size: .day)
        let lastDay = calendar.label(period.to.addingTimeInterval(-1), size: .day)
        let range = from == lastDay ? from : "\(from) – \(lastDay)"
        let title = groupTitle.map { " · " + HTML.escape($0) } ?? ""
        var lines = [
            "<b>📊 \(kindName(kind)) report</b>\(title)",
            "\(range) (\(HTML.escape(settings.timeZoneID)))",
            "",
            "Created: <b>\(summary.created)</b> · resolved: <b>\(summary.resolved)</b> · auto-closed: <b>\(summary.autoClosed)</b> · open: <b>\(summary.stillOpen)</b>",
            "Median time to claim: <b>\(duration(summary.timeToClaim.median))</b> (p90 \(duration(summary.timeToClaim.p90)))",
            "Median time to resolve: <b>\(duration(summary.timeToResolve.median))</b> (p90 \(duration(summary.timeToResolve.p90)))",
            "SLA claim ≤ \(duration(settings.claimThreshold)): <b>\(percent(summary.sla.claim))</b> · resolve ≤ \(duration(settings.resolveThreshold)): <b>\(percent(summary.sla.resolve))</b>",
        ]
        if breaches.isEmpty {
            lines.append("No SLA breaches.")
        } else {
            lines.append("")
            lines.append("Top breaches:")
            for breach in breaches.prefix(breachesShown) {
                let department = breach.departmentName.map { " " + HTML.escape($0) } ?? ""
                lines.append(
                    "• #\(breach.number)\(department): \(breach.step == .claim ? "claimed" : "resolved") after \(duration(breach.durationSeconds)) (+\(duration(breach.overBySeconds)))")
            }
        }
        return lines.joined(separator: "\n")
    }

    static func kindName(_ kind: CalendarPeriod) -> String {
        switch kind {
        case .day: "Daily"
        case .week: "Weekly"
        case .month: "Monthly"
        }
    }

    /// `45s`, `12m`, `3h 05m`, `2d 4h`; `–` for none.
    public static func duration(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite else { return "–" }
        let total = Int(seconds.rounded())
        if total < 60 { return "\(total)s" }
        let minutes = total / 60
        if minutes < 60 { return "\(minutes)m" }
        let hours = minutes / 60
        if hours < 48 { return "\(hours)h \(minutes % 60 < 10 ? "0" : "")\(minutes % 60)m" }
        return "\(hours / 24)d \(hours % 24)h"
    }

    static func percent(_ compliance: Compliance) -> String {
        guard let value = compliance.percent else { return "–" }
        return "\(Int(value.rounded()))% (\(compliance.met)/\(compliance.reached))"
    }
}
