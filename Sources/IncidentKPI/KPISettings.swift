import Foundation

/// A day of the week, for the start of report weeks.
public enum Weekday: String, Hashable, Codable, Sendable, CaseIterable {
    case monday, tuesday, wednesday, thursday, friday, saturday, sunday

    /// Foundation's numbering (Sunday = 1).
    public var calendarValue: Int {
        switch self {
        case .sunday: 1
        case .monday: 2
        case .tuesday: 3
        case .wednesday: 4
        case .thursday: 5
        case .friday: 6
        case .saturday: 7
        }
    }
}

/// A company's reporting settings: its time zone (periods are its calendar days, weeks and
/// months), the day its weeks start, and its SLA thresholds.
public struct KPISettings: Hashable, Codable, Sendable {
    /// An IANA time zone name (`Asia/Tashkent`) or `UTC`.
    public var timeZoneID: String
    public var weekStart: Weekday
    /// Assignment to first claim, at most this long, meets the claim SLA.
    public var claimThreshold: TimeInterval
    /// Assignment to resolution, at most this long, meets the resolve SLA.
    public var resolveThreshold: TimeInterval

    public init(timeZoneID: String, weekStart: Weekday, claimThreshold: TimeInterval, resolveThreshold: TimeInterval) {
        self.timeZoneID = timeZoneID
        self.weekStart = weekStart
        self.claimThreshold = claimThreshold
        self.resolveThreshold = resolveThreshold
    }

    /// UTC, weeks from Monday, 15 minutes to claim, 4 hours to resolve.
    public static let standard = KPISettings(
        timeZoneID: "UTC", weekStart: .monday, claimThreshold: 15 * 60, resolveThreshold: 4 * 3600)

    /// The time zone; UTC if the stored name is not one (it is validated when set).
    public var timeZone: TimeZone { Self.timeZone(named: timeZoneID) ?? TimeZone(identifier: "UTC")! }

    /// The Gregorian calendar of this company's zone and week start.
    public var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        calendar.firstWeekday = weekStart.calendarValue
        calendar.minimumDaysInFirstWeek = 4
        return calendar
    }

    /// The zone of an IANA name (`Europe/Berlin`) or `UTC`; nil for anything else, including
    /// abbreviations (`EST`) and offsets (`GMT+5`), which do not follow daylight saving rules.
    public static func timeZone(named name: String) -> TimeZone? {
        if name == "UTC" { return TimeZone(identifier: "UTC") }
        guard TimeZone.knownTimeZoneIdentifiers.contains(name) else { return nil }
        return TimeZone(identifier: name)
    }

    /// Why these settings cannot be stored, or nil if they can.
    public var problem: String? {
        if Self.timeZone(named: timeZoneID) == nil {
            return "timezone \"\(timeZoneID.prefix(64))\" is not an IANA time zone name (like Europe/Berlin, Asia/Tashkent or UTC)"
        }
        let limit: TimeInterval = 366 * 86_400
        if !(claimThreshold.isFinite && claimThreshold > 0 && claimThreshold <= limit) {
            return "sla_claim_minutes must be a number of minutes > 0 and at most a year"
        }
        if !(resolveThreshold.isFinite && resolveThreshold > 0 && resolveThreshold <= limit) {
            return "sla_resolve_minutes must be a number of minutes > 0 and at most a year"
        }
        return nil
    }
}
