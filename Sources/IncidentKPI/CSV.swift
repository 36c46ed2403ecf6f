import Foundation
import Timestamps

/// CSV that is safe to open in a spreadsheet: RFC 4180 (comma-separated, CRLF line ends,
/// fields with a comma, quote, CR or LF quoted, quotes doubled), UTF-8, and every cell that
/// starts with `=`, `+`, `-`, `@`, a tab or a carriage return prefixed with `'` so that a
/// spreadsheet shows it as text instead of running it as a formula (CSV injection).
public struct CSVTable: Hashable, Sendable {
    public var header: [String]
    public var rows: [[String]]

    public init(header: [String], rows: [[String]] = []) {
        self.header = header
        self.rows = rows
    }

    /// The cell as written: neutralised, then quoted when needed.
    public static func cell(_ value: String) -> String {
        var text = value
        if let first = text.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) {
            text = "'" + text
        }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else {
            return text
        }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The whole table as text, CRLF after every record.
    public var text: String {
        var out = ""
        for record in [header] + rows {
            out += record.map(Self.cell).joined(separator: ",")
            out += "\r\n"
        }
        return out
    }

    /// UTF-8 bytes of ``text``.
    public var data: Data { Data(text.utf8) }
}

/// Number and time formats of report cells.
public enum CSVFormat {
    /// Seconds with at most three decimals; empty for nil.
    public static func seconds(_ value: Double?) -> String {
        guard let value else { return "" }
        let rounded = (value * 1000).rounded() / 1000
        return rounded == rounded.rounded() ? String(Int64(rounded)) : String(rounded)
    }

    public static func percent(_ value: Double?) -> String {
        guard let value else { return "" }
        return String((value * 100).rounded() / 100)
    }

    /// RFC 3339 UTC with milliseconds.
    public static func time(_ date: Date?) -> String {
        date.map(Timestamp.format) ?? ""
    }
}

extension KPISummary {
    /// Column names of ``csvCells``.
    public static let csvHeader = [
        "created", "sessions", "claimed", "resolved", "auto_closed", "transferred_out", "still_open",
        "claim_count", "claim_mean_s", "claim_median_s", "claim_p90_s", "claim_p95_s", "claim_max_s",
        "resolve_count", "resolve_mean_s", "resolve_median_s", "resolve_p90_s", "resolve_p95_s", "resolve_max_s",
        "sla_claim_threshold_s", "sla_claim_reached", "sla_claim_met", "sla_claim_pct",
        "sla_resolve_threshold_s", "sla_resolve_reached", "sla_resolve_met", "sla_resolve_pct",
    ]

    public var csvCells: [String] {
        [String(created), String(sessions), String(claimed), String(resolved), String(autoClosed),
         String(transferredOut), String(stillOpen)]
            + timeToClaim.csvCells + timeToResolve.csvCells + sla.csvCells
    }
}

extension DurationStats {
    var csvCells: [String] {
        [String(count), CSVFormat.seconds(mean), CSVFormat.seconds(median), CSVFormat.seconds(p90),
         CSVFormat.seconds(p95), CSVFormat.seconds(max)]
    }
}

extension SLAStats {
    static let csvHeader = [
        "sla_claim_threshold_s", "sla_claim_reached", "sla_claim_met", "sla_claim_pct",
        "sla_resolve_threshold_s", "sla_resolve_reached", "sla_resolve_met", "sla_resolve_pct",
    ]

    var csvCells: [String] {
        [CSVFormat.seconds(claimThresholdSeconds), String(claim.reached), String(claim.met),
         CSVFormat.percent(claim.percent), CSVFormat.seconds(resolveThresholdSeconds), String(resolve.reached),
         String(resolve.met), CSVFormat.percent(resolve.percent)]
    }
}

extension DepartmentReport {
    public var csv: CSVTable {
        CSVTable(
            header: ["department_id", "department", "transferred_in", "workload_share_pct"] + KPISummary.csvHeader,
            rows: departments.map {
                [String($0.departmentID.rawValue), $0.name ?? "", String($0.transferredIn),
                 CSVFormat.percent($0.workloadSharePercent)] + $0.summary.csvCells
            })
    }
}

extension SLAReport {
    public var csv: CSVTable {
        CSVTable(
            header: ["incident_id", "number", "chat_id", "department_id", "department", "step", "assigned_at",
                     "duration_s", "threshold_s", "over_by_s"],
            rows: breaches.map {
                [String($0.incidentID.rawValue), $0.number, String($0.chatID.rawValue), String($0.departmentID.rawValue),
                 $0.departmentName ?? "", $0.step.rawValue, CSVFormat.time($0.assignedAt),
                 CSVFormat.seconds($0.durationSeconds), CSVFormat.seconds($0.thresholdSeconds),
                 CSVFormat.seconds($0.overBySeconds)]
            })
    }
}

extension TrendsReport {
    public var csv: CSVTable {
        CSVTable(
            header: ["start", "end", "label", "created", "resolved", "auto_closed", "reopened", "backlog"],
            rows: points.map {
                [CSVFormat.time($0.start), CSVFormat.time($0.end), $0.label, String($0.created), String($0.resolved),
                 String($0.autoClosed), String($0.reopened), String($0.backlog)]
            })
    }
}

extension PersonReport {
    public var csv: CSVTable {
        CSVTable(
            header: ["user_id", "name", "claimed", "joined", "resolved", "active_s"] + SLAStats.csvHeader,
            rows: people.map {
                [String($0.userID.rawValue), $0.name ?? "", String($0.claimed), String($0.joined), String($0.resolved),
                 CSVFormat.seconds($0.activeSeconds)] + $0.sla.csvCells
            })
    }
}

extension GroupReport {
    public var csv: CSVTable {
        CSVTable(
            header: ["chat_id", "title"] + KPISummary.csvHeader,
            rows: groups.map { [String($0.chatID.rawValue), $0.title ?? ""] + $0.summary.csvCells })
    }
}

extension ComparisonReport {
    public var csv: CSVTable {
        CSVTable(
            header: ["period", "from", "to"] + KPISummary.csvHeader,
            rows: [
                ["current", CSVFormat.time(current.from), CSVFormat.time(current.to)] + currentSummary.csvCells,
                ["previous", CSVFormat.time(previous.from), CSVFormat.time(previous.to)] + previousSummary.csvCells,
            ])
    }
}
