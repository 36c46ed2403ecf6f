import Foundation
import IncidentCore

/// A half-open interval of time [from, to) a report covers.
public struct ReportPeriod: Hashable, Codable, Sendable {
    public var from: Date
    public var to: Date

    public init(from: Date, to: Date) {
        self.from = from
        self.to = to
    }

    public var length: TimeInterval { to.timeIntervalSince(from) }

    public func contains(_ date: Date) -> Bool { date >= from && date < to }

    /// The period of the same length just before this one.
    public var previous: ReportPeriod { ReportPeriod(from: from.addingTimeInterval(-length), to: from) }
}

/// Trend bucket sizes.
public enum BucketSize: String, Hashable, Codable, Sendable, CaseIterable {
    case hour, day, week
}

/// A calendar period for `/report`.
public enum CalendarPeriod: String, Hashable, Codable, Sendable, CaseIterable {
    case day, week, month
}

/// Calendar arithmetic in a company's time zone: local midnights, weeks from the configured
/// day, months, and hour/day/week buckets, all DST-correct (a local day is 23 or 25 hours on
/// the days the clocks change).
public struct KPICalendar: Sendable {
    public let settings: KPISettings
    public let calendar: Calendar

    public init(_ settings: KPISettings) {
        self.settings = settings
        self.calendar = settings.calendar
    }

    /// The local calendar day, week or month containing `now`, as a period.
    public func period(_ kind: CalendarPeriod, containing now: Date) -> ReportPeriod {
        let component: Calendar.Component = switch kind {
        case .day: .day
        case .week: .weekOfYear
        case .month: .month
        }
        let interval = calendar.dateInterval(of: component, for: now)
            ?? DateInterval(start: calendar.startOfDay(for: now), duration: 86_400)
        return ReportPeriod(from: interval.start, to: interval.end)
    }

    /// Local midnight at the start of `text` (`YYYY-MM-DD`) in the company's zone; nil if
    /// it is not a valid date.
    public func startOfDay(_ text: String) -> Date? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.utf8.count == 10, parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]),
            let day = Int(parts[2]), (1...9999).contains(year), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var components = DateComponents()
        components.year = year
        components.month = month
        components.day = day
        guard let date = calendar.date(from: components) else { return nil }
        // Reject 31 April, which Calendar rolls over to 1 May.
        let check = calendar.dateComponents([.year, .month, .day], from: date)
        guard check.year == year, check.month == month, check.day == day else { return nil }
        return calendar.startOfDay(for: date)
    }

    /// The start of the local day after the one containing `date`.
    public func startOfNextDay(after date: Date) -> Date {
        calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: date))
            ?? date.addingTimeInterval(86_400)
    }

    /// Bucket boundaries covering `period`: the first is the start of the bucket containing
    /// `period.from`, the last is at or after `period.to`. nil if there would be more than
    /// `limit` buckets.
    public func boundaries(_ period: ReportPeriod, size: BucketSize, limit: Int = 5000) -> [Date]? {
        let component: Calendar.Component = switch size {
        case .hour: .hour
        case .day: .day
        case .week: .weekOfYear
        }
        guard let first = calendar.dateInterval(of: component, for: period.from) else { return nil }
        var boundaries = [first.start]
        var current = first.end
        boundaries.append(current)
        while current < period.to {
            guard boundaries.count <= limit, let next = calendar.dateInterval(of: component, for: current)
            else { return nil }
            current = next.end > current ? next.end : current.addingTimeInterval(3600)
            boundaries.append(current)
        }
        return boundaries.count - 1 <= limit ? boundaries : nil
    }

    /// `2025-03-30` (day, week) or `2025-03-30 03:00 +02:00` (hour), in the company's zone.
    public func label(_ date: Date, size: BucketSize) -> String {
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        func two(_ value: Int?) -> String { let v = value ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        let day = "\(parts.year ?? 0)-\(two(parts.month))-\(two(parts.day))"
        guard size == .hour else { return day }
        let offset = calendar.timeZone.secondsFromGMT(for: date)
        let sign = offset < 0 ? "-" : "+"
        let minutes = abs(offset) / 60
        return "\(day) \(two(parts.hour)):\(two(parts.minute)) \(sign)\(two(minutes / 60)):\(two(minutes % 60))"
    }
}
