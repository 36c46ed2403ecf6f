#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What a decision about an existing incident may consult besides the incident itself:
/// loaded by the store in the same transaction.
public struct DecisionContext: Hashable, Sendable {
    /// The incident's group (managers, status).
    public var group: Group
    /// The departments of the incident's company, in the order the card lists them.
    public var departments: [Department]
    /// Each department's members, for mentions and membership checks.
    public var members: [DepartmentID: [Mention]]
    /// Names of the people the card shows (reporter, participants, resolver).
    public var people: [UserID: Person]
    public var policy: SLAPolicy
    /// Who to call per department in this group now (shifts); a department without an entry
    /// calls every member (see ``roster(_:)``).
    public var rosters: [DepartmentID: Roster] = [:]
    /// People who started the bot in private and want personal messages: the ones called
    /// for an assignment are also told in private.
    public var directMessageUsers: Set<UserID> = []

    public init(
        group: Group, departments: [Department], members: [DepartmentID: [Mention]],
        people: [UserID: Person], policy: SLAPolicy
    ) {
        self.group = group
        self.departments = departments
        self.members = members
        self.people = people
        self.policy = policy
    }

    /// The department with this id, if it belongs to the company.
    public func department(_ id: DepartmentID?) -> Department? {
        guard let id else { return nil }
        return departments.first { $0.id == id }
    }

    /// True if `user` is a member of `department`.
    public func isMember(_ user: UserID, of department: DepartmentID?) -> Bool {
        guard let department else { return false }
        return members[department]?.contains { $0.userID == user } ?? false
    }

    public func isManager(_ user: UserID) -> Bool { group.managerIDs.contains(user) }

    /// The card's name for a user (a placeholder if the user was never seen).
    func name(_ user: UserID) -> CardView.Name {
        guard let person = people[user] else {
            return CardView.Name(displayName: Texts.unseenUser(user), handle: nil)
        }
        return CardView.Name(displayName: person.displayName, handle: person.handle)
    }

    /// How to mention a user in a message.
    func mention(_ user: UserID) -> Mention {
        people[user]?.mention ?? .user(id: user, handle: nil, name: Texts.unseenUser(user))
    }
}

/// What creating an incident may consult: loaded by the store, with the id and number the
/// new incident would get.
public struct CreationContext: Hashable, Sendable {
    /// The group, if the bot knows it.
    public var group: Group?
    /// The departments of the group's company, in card order.
    public var departments: [Department]
    public var members: [DepartmentID: [Mention]]
    /// The reporter registered as a driver in this group.
    public var reporterIsRegisteredDriver: Bool
    /// The id the incident gets if it is created.
    public var incidentID: IncidentID
    /// The number the incident gets if it is created.
    public var number: IncidentNumber
    public var policy: SLAPolicy

    public init(
        group: Group?, departments: [Department], members: [DepartmentID: [Mention]],
        reporterIsRegisteredDriver: Bool, incidentID: IncidentID, number: IncidentNumber,
        policy: SLAPolicy
    ) {
        self.group = group
        self.departments = departments
        self.members = members
        self.reporterIsRegisteredDriver = reporterIsRegisteredDriver
        self.incidentID = incidentID
        self.number = number
        self.policy = policy
    }
}
