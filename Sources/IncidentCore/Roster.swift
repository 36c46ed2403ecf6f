#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Who a department call or reminder mentions in one group: the people on shift, or, when
/// nobody is, everyone assigned to the group with a line saying so. Computed by the store from
/// the shift schedule (see the IncidentShifts module); without shifts it is every member.
public struct Roster: Hashable, Codable, Sendable {
    public var mentions: [Mention]
    /// The department has shifts for this group but nobody is on shift now.
    public var nobodyOnShift: Bool

    public init(mentions: [Mention], nobodyOnShift: Bool) {
        self.mentions = mentions
        self.nobodyOnShift = nobodyOnShift
    }
}

extension DecisionContext {
    /// Who to call for `department` in this incident's group: its roster when the store gave
    /// one, otherwise every member.
    public func roster(_ department: DepartmentID) -> Roster {
        rosters[department] ?? Roster(mentions: members[department] ?? [], nobodyOnShift: false)
    }
}
