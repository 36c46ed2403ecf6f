import Foundation
import IncidentCore

/// Who is called for a department in a group, given its shifts.
public enum ShiftRoster {
    /// The department's people to mention in group `chat` at `now`.
    ///
    /// - No shift of this department is set for this group: every member (as before shifts).
    /// - Someone assigned to this group is on shift: those members.
    /// - Nobody is: every member assigned to this group (or every member, if none of the
    ///   people assigned is a member any more), and the roster says nobody is on shift.
    ///
    /// `members` keeps its order (the order they were added); a shift of someone who is no
    /// longer a member is ignored.
    public static func roster(
        department: DepartmentID, chat: ChatID, members: [Mention], shifts: [ShiftAssignment],
        at now: Date, calendar: ShiftCalendar
    ) -> Roster {
        let assigned = shifts.filter { $0.departmentID == department && $0.chatID == chat }
        guard !assigned.isEmpty else { return Roster(mentions: members, nobodyOnShift: false) }
        let onShift = Set(assigned.filter { calendar.isOnShift($0.shift, at: now) }.map(\.userID))
        let working = members.filter { $0.userID.map(onShift.contains) ?? false }
        if !working.isEmpty { return Roster(mentions: working, nobodyOnShift: false) }
        let people = Set(assigned.map(\.userID))
        let everyone = members.filter { $0.userID.map(people.contains) ?? false }
        return Roster(mentions: everyone.isEmpty ? members : everyone, nobodyOnShift: true)
    }

    /// A shift occurrence running now: who, where, and when it runs.
    public struct Running: Hashable, Sendable {
        public var assignment: ShiftAssignment
        public var occurrence: DateInterval
    }

    /// The shifts that are running at `now`, each with its current occurrence. The store pings
    /// each occurrence's person once (see `IncidentStore.applyShiftStarts`).
    public static func running(_ shifts: [ShiftAssignment], at now: Date, calendar: ShiftCalendar) -> [Running] {
        shifts.compactMap { assignment in
            calendar.occurrence(of: assignment.shift, containing: now).map { Running(assignment: assignment, occurrence: $0) }
        }
    }
}
