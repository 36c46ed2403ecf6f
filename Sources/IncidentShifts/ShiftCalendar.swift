import Foundation

/// Shift times in a company's time zone, daylight saving included.
///
/// A shift's start and end are wall-clock times. On the night the clocks go forward, a time
/// that does not exist (02:30 in Europe/Berlin) is taken as the moment the clocks jump (03:00
/// summer time); on the night they go back, a time that happens twice is its first occurrence.
/// So an overnight shift is an hour shorter or longer on those nights, as the people on it see
/// it on their watches.
public struct ShiftCalendar: Sendable {
    public let timeZone: TimeZone
    let calendar: Calendar

    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    /// The zone of an IANA name (`Asia/Tashkent`, `Europe/Berlin`) or `UTC`; nil otherwise.
    public init?(timeZoneNamed name: String) {
        if name == "UTC" {
            self.init(timeZone: TimeZone(identifier: "UTC")!)
            return
        }
        guard TimeZone.knownTimeZoneIdentifiers.contains(name), let zone = TimeZone(identifier: name) else { return nil }
        self.init(timeZone: zone)
    }

    /// The occurrence of `shift` that `date` falls in (start included, end excluded), if any.
    public func occurrence(of shift: WeeklyShift, containing date: Date) -> DateInterval? {
        let today = localDay(of: date)
        for day in [today.adding(days: -1), today] where day.weekday == shift.day {
            let interval = occurrence(of: shift, on: day)
            if interval.start <= date && date < interval.end { return interval }
        }
        return nil
    }

    /// True if `date` is within an occurrence of `shift`.
    public func isOnShift(_ shift: WeeklyShift, at date: Date) -> Bool {
        occurrence(of: shift, containing: date) != nil
    }

    /// The occurrences of `shift` that start in `[from, to)`, in order.
    public func occurrences(of shift: WeeklyShift, startingFrom from: Date, to: Date) -> [DateInterval] {
        guard from < to else { return [] }
        var result: [DateInterval] = []
        var day = localDay(of: from).adding(days: -1)
        let last = localDay(of: to).adding(days: 1)
        while day <= last {
            if day.weekday == shift.day {
                let interval = occurrence(of: shift, on: day)
                if interval.start >= from && interval.start < to { result.append(interval) }
            }
            day = day.adding(days: 1)
        }
        return result
    }

    /// The occurrence of `shift` that starts on the local day `day` (whatever its weekday).
    func occurrence(of shift: WeeklyShift, on day: LocalDay) -> DateInterval {
        let start = instant(day, shift.start.minutes)
        let end = instant(shift.isOvernight ? day.adding(days: 1) : day, shift.end.minutes)
        return DateInterval(start: start, end: max(end, start))
    }

    /// The local calendar day of `date`.
    func localDay(of date: Date) -> LocalDay {
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return LocalDay(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1)
    }

    /// The first instant at which the local wall clock shows `minutes` after midnight of
    /// `day`, or has passed it (a time skipped by a daylight saving change is the moment of
    /// the jump).
    func instant(_ day: LocalDay, _ minutes: Int) -> Date {
        let wall = Double(day.daysSince1970 * 86_400 + minutes * 60)
        // Offsets in force around that day; a wall time maps to an instant under one of them.
        let offsets = Set([-86_400.0, 0, 86_400].map { Double(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: wall + $0))) })
        let valid = offsets.compactMap { offset -> Date? in
            let candidate = Date(timeIntervalSince1970: wall - offset)
            return Double(timeZone.secondsFromGMT(for: candidate)) == offset ? candidate : nil
        }
        if let first = valid.min() { return first }
        // Skipped: the moment the offset changes between the two readings.
        var low = wall - (offsets.max() ?? 0), high = wall - (offsets.min() ?? 0)
        let before = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: low))
        while high - low > 1 {
            let middle = ((low + high) / 2).rounded(.down)
            if timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: middle)) == before { low = middle } else { high = middle }
        }
        return Date(timeIntervalSince1970: high)
    }
}

/// A calendar day with no time zone attached.
struct LocalDay: Hashable, Comparable, Sendable {
    var year: Int
    var month: Int
    var day: Int

    /// Days since 1970-01-01 (Howard Hinnant's algorithm).
    var daysSince1970: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    init(daysSince1970 days: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    func adding(days: Int) -> LocalDay { LocalDay(daysSince1970: daysSince1970 + days) }

    /// 1970-01-01 was a Thursday.
    var weekday: ShiftDay {
        let index = ((daysSince1970 % 7) + 7 + 3) % 7  // 0 = Monday
        return ShiftDay(rawValue: index + 1)!
    }

    static func < (lhs: Self, rhs: Self) -> Bool { lhs.daysSince1970 < rhs.daysSince1970 }
}
