import Foundation
import IncidentCore

/// A day of the week of a shift schedule, Monday first (ISO 8601 numbering, 1 to 7).
public enum ShiftDay: Int, Hashable, Codable, Sendable, CaseIterable, Comparable {
    case monday = 1, tuesday, wednesday, thursday, friday, saturday, sunday

    /// `monday` ... `sunday`.
    public var name: String {
        switch self {
        case .monday: "monday"
        case .tuesday: "tuesday"
        case .wednesday: "wednesday"
        case .thursday: "thursday"
        case .friday: "friday"
        case .saturday: "saturday"
        case .sunday: "sunday"
        }
    }

    /// Parses `monday` ... `sunday` (any case); nil for anything else.
    public init?(name: String) {
        guard let day = Self.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
        self = day
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A wall-clock time of day, to the minute: `00:00` to `23:59`.
public struct TimeOfDay: Hashable, Codable, Sendable, Comparable, CustomStringConvertible {
    /// Minutes since midnight, 0 to 1439.
    public let minutes: Int

    public init?(minutes: Int) {
        guard (0..<1440).contains(minutes) else { return nil }
        self.minutes = minutes
    }

    /// Parses `HH:MM` (24-hour, two digits each); nil for anything else.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 5, bytes[2] == 0x3A,
            bytes.enumerated().allSatisfy({ $0.offset == 2 || (0x30...0x39).contains($0.element) })
        else { return nil }
        let hour = Int(bytes[0] - 0x30) * 10 + Int(bytes[1] - 0x30)
        let minute = Int(bytes[3] - 0x30) * 10 + Int(bytes[4] - 0x30)
        guard hour < 24, minute < 60 else { return nil }
        self.minutes = hour * 60 + minute
    }

    public var hour: Int { minutes / 60 }
    public var minute: Int { minutes % 60 }

    /// `HH:MM`.
    public var description: String {
        (hour < 10 ? "0" : "") + String(hour) + ":" + (minute < 10 ? "0" : "") + String(minute)
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.minutes < rhs.minutes }
}

/// One weekly shift: from `start` on `day` to `end`, in the company's time zone. An end at or
/// before the start is on the next day (an overnight shift, 22:00-06:00): the shift belongs to
/// the day it starts, so a Monday 22:00-06:00 shift covers Monday night into Tuesday morning.
public struct WeeklyShift: Hashable, Codable, Sendable {
    public var day: ShiftDay
    public var start: TimeOfDay
    public var end: TimeOfDay

    public init(day: ShiftDay, start: TimeOfDay, end: TimeOfDay) {
        self.day = day
        self.start = start
        self.end = end
    }

    /// Ends on the day after it starts.
    public var isOvernight: Bool { end <= start }

    /// A shift from text as the admin API receives it, or why it is not one.
    public static func parse(day: String, start: String, end: String) -> Result<WeeklyShift, ShiftProblem> {
        guard let parsedDay = ShiftDay(name: day) else {
            return .failure(ShiftProblem("day must be one of monday, tuesday, wednesday, thursday, friday, saturday, sunday; got \"\(day.prefix(20))\""))
        }
        guard let from = TimeOfDay(start) else {
            return .failure(ShiftProblem("start must be a time of day as HH:MM (00:00 to 23:59); got \"\(start.prefix(20))\""))
        }
        guard let to = TimeOfDay(end) else {
            return .failure(ShiftProblem("end must be a time of day as HH:MM (00:00 to 23:59); got \"\(end.prefix(20))\""))
        }
        guard from != to else {
            return .failure(ShiftProblem("start and end are both \(from): a shift must not start and end at the same time"))
        }
        return .success(WeeklyShift(day: parsedDay, start: from, end: to))
    }
}

/// Why a shift cannot be stored: a sentence for the person who sent it.
public struct ShiftProblem: Error, Hashable, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A person's weekly shift in one department, for one group.
public struct ShiftAssignment: Hashable, Codable, Sendable {
    /// The store's id of the shift.
    public var id: Int64
    public var departmentID: DepartmentID
    public var chatID: ChatID
    public var userID: UserID
    public var shift: WeeklyShift

    public init(id: Int64, departmentID: DepartmentID, chatID: ChatID, userID: UserID, shift: WeeklyShift) {
        self.id = id
        self.departmentID = departmentID
        self.chatID = chatID
        self.userID = userID
        self.shift = shift
    }
}
