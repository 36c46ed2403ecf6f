import Foundation
import Hummingbird
import IncidentCore
import IncidentStore

extension Dashboard {
    /// Rename, restrict and delete of departments: shown once the store has them.
    static let departmentManagement = false

    func groupList(_ viewer: Viewer) async throws -> Response {
        let company = viewer.company!
        let groups = try await store.groups(company: company.id)
        let managers = try await store.people(groups.flatMap(\.group.managerIDs))
        func row(_ listing: GroupListing, pending: Bool) -> [String: Any] {
            [
                "chat": listing.group.chatID.rawValue, "title": listing.group.title ?? "(no title)",
                "managers": listing.group.managerIDs.sorted().map { managers[$0]?.displayName ?? "user \($0.rawValue)" }.joined(separator: ", "),
                "incidents": listing.incidentCount, "pending": pending,
            ]
        }
        let sections: [[String: Any]] = [GroupStatus.active, .pending, .inactive].map { status in
            [
                "status": status.rawValue, "label": status.rawValue.capitalized,
                "rows": groups.filter { $0.group.status == status }.map { row($0, pending: status == .pending) },
            ]
        }
        return try render("groups", viewer: viewer, nav: "groups", ["title": "Groups", "sections": sections])
    }

    func peopleList(_ viewer: Viewer) async throws -> Response {
        let company = viewer.company!
        let settings = try await store.kpiSettings(company: company.id)
        let time = LocalTime(settings)
        let people = try await store.people(company: company.id)
        return try render("people", viewer: viewer, nav: "people", [
            "title": "People",
            "rows": people.map {
                [
                    "id": $0.person.id.rawValue, "name": $0.person.displayName, "handle": $0.person.handle?.description ?? "",
                    "departments": $0.departments.joined(separator: ", "), "drives": $0.driverIn.joined(separator: ", "),
                    "manages": $0.managerOf.joined(separator: ", "), "reported": $0.reported, "seen": time.format($0.lastSeenAt),
                ] as [String: Any]
            },
        ])
    }
}
