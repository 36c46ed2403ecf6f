import Foundation
import Hummingbird
import IncidentCore
import IncidentShifts
import Storage

/// The Shifts page (docs/shifts.md): the company's weekly shifts by department and group,
/// added, changed and deleted with the store operations the admin API uses. The time zone,
/// the escalation ladder and the leads share the page (Dashboard+Escalation.swift).
extension Dashboard {
    static let shiftNotices = [
        "created": "Shift added.", "created-several": "Shifts added, one per day.", "updated": "Shift changed.",
        "deleted": "Shift deleted.", "lead-marked": "Lead marked: they are mentioned when an incident escalates.",
        "lead-unmarked": "No longer a lead.", "escalation": "Escalation ladder saved.",
        "timezone": "Time zone saved. Shifts and reports are read in it.",
    ]

    /// A shift of the viewer's company named by the path, or nil (another company's shift is
    /// no shift here).
    func ownShift(_ context: BasicRequestContext, _ viewer: Viewer) async throws -> ShiftRecord? {
        guard let text = context.parameters.get("shift"), let id = Int64(text), id > 0 else { return nil }
        return try await store.shifts(company: viewer.company!.id).first { $0.id == id }
    }

    /// How a person appears in a row: name and @handle once seen, else the user id.
    static func personLabel(_ id: UserID, _ person: Person?) -> String {
        guard let person else { return "user \(id.rawValue) (not seen yet)" }
        return person.displayName + (person.handle.map { " (\($0))" } ?? "")
    }

    // MARK: The page

    func shiftList(
        _ viewer: Viewer, request: Request? = nil, error: String? = nil, form: ShiftFormValues = .init(),
        settingsForm: [String: Any]? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let company = viewer.company!
        let settings = try await store.kpiSettings(company: company.id)
        let departments = try await store.departments(company: company.id)
        let groups = try await ownGroups(company.id)
        let shifts = try await store.shifts(company: company.id)
        var memberships: [DepartmentID: [Membership]] = [:]
        for department in departments { memberships[department.id] = try await store.members(of: department.id) }
        let people = try await store.people(Array(Set(shifts.map(\.userID))))
        let titles = Dictionary(groups.map { ($0.chatID, $0.title ?? String($0.chatID.rawValue)) }) { first, _ in first }
        let calendar = ShiftCalendar(timeZone: settings.timeZone)
        let at = now()

        func row(_ record: ShiftRecord) -> [String: Any] {
            let member = memberships[record.departmentID]?.contains { $0.member == .user(record.userID) } ?? false
            return [
                "id": record.id, "group": titles[record.chatID] ?? String(record.chatID.rawValue),
                "person": Self.personLabel(record.userID, people[record.userID]),
                "day": record.shift.day.label, "hours": record.shift.hoursLabel, "overnight": record.shift.isOvernight,
                "onShift": calendar.isOnShift(record.shift, at: at), "ignored": !member,
            ]
        }
        // By department (the card's order), then group, day and start.
        var sections: [[String: Any]] = []
        func sorted(_ records: [ShiftRecord]) -> [ShiftRecord] {
            records.sorted {
                let left = titles[$0.chatID] ?? "", right = titles[$1.chatID] ?? ""
                if left != right { return left < right }
                if $0.shift.day != $1.shift.day { return $0.shift.day < $1.shift.day }
                return $0.shift.start < $1.shift.start
            }
        }
        for department in departments {
            sections.append([
                "id": department.id.rawValue, "name": department.name,
                "rows": sorted(shifts.filter { $0.departmentID == department.id }).map(row),
            ])
        }
        // Shifts of a deleted department call nobody; they are listed so they can be removed.
        for id in Set(shifts.map(\.departmentID)).subtracting(departments.map(\.id)).sorted(by: { $0.rawValue < $1.rawValue }) {
            let name = try await store.department(id)?.name ?? "department \(id.rawValue)"
            sections.append(["id": id.rawValue, "name": "\(name) (deleted)", "rows": sorted(shifts.filter { $0.departmentID == id }).map(row)])
        }

        let done = request?.uri.queryParameters.get("done").flatMap { Self.shiftNotices[$0] }
        var values: [String: Any] = [
            "title": "Shifts", "shiftDepartments": sections,
            "form": form.context(departments: departments, groups: groups.filter { $0.status == .active }),
        ]
        for (key, value) in try await escalationContext(company, settings: settings, departments: departments, memberships: memberships, form: settingsForm) {
            values[key] = value
        }
        return try render("shifts", status: status, viewer: viewer, nav: "shifts", error: error, notice: done, values)
    }

    // MARK: Add, change, delete

    /// Adds one shift per chosen day. Everything the form names is checked for every day
    /// before the first is written, so a refusal writes none.
    func createShifts(_ viewer: Viewer) async throws -> Response {
        let company = viewer.company!
        let values = ShiftFormValues(viewer.form)
        let inputs: [ShiftInput]
        do {
            inputs = try await shiftInputs(values, company: company)
        } catch let problem as FormError {
            return try await shiftList(viewer, error: problem.message, form: values, status: .badRequest)
        }
        do {
            for input in inputs {
                let record = try await store.createShift(company: company.id, input, now: now())
                logger.info("shift created on the dashboard", metadata: ["company.id": "\(company.id)", "shift.id": "\(record.id)"])
            }
        } catch {
            guard let message = sentence(error) else { throw error }
            return try await shiftList(viewer, error: message, form: values, status: .badRequest)
        }
        return redirect("/dashboard/shifts?done=\(inputs.count == 1 ? "created" : "created-several")")
    }

    /// One shift's form: change it or delete it.
    func shiftPage(
        _ context: BasicRequestContext, _ viewer: Viewer, error: String? = nil, form: ShiftFormValues? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        guard let record = try await ownShift(context, viewer) else { return try notFound(viewer, "such shift") }
        let company = viewer.company!
        let departments = try await store.departments(company: company.id)
        let groups = try await ownGroups(company.id)
        let person = try await store.people([record.userID])[record.userID]
        let department = try await store.department(record.departmentID)?.name ?? "department \(record.departmentID.rawValue)"
        let group = groups.first { $0.chatID == record.chatID }.flatMap(\.title) ?? String(record.chatID.rawValue)
        let values = form ?? ShiftFormValues(record)
        return try render("shift", status: status, viewer: viewer, nav: "shifts", error: error, [
            "title": "Shift",
            "shift": [
                "id": record.id, "person": Self.personLabel(record.userID, person), "department": department, "group": group,
                "day": record.shift.day.label, "hours": record.shift.hoursLabel,
            ] as [String: Any],
            "form": values.context(departments: departments, groups: groups.filter { $0.status == .active }),
        ])
    }

    func updateShift(_ context: BasicRequestContext, _ viewer: Viewer) async throws -> Response {
        guard let record = try await ownShift(context, viewer) else { return try notFound(viewer, "such shift") }
        let company = viewer.company!
        let values = ShiftFormValues(viewer.form)
        let input: ShiftInput
        do {
            let inputs = try await shiftInputs(values, company: company)
            guard inputs.count == 1 else { throw FormError("A shift has one day: choose one.") }
            input = inputs[0]
        } catch let problem as FormError {
            return try await shiftPage(context, viewer, error: problem.message, form: values, status: .badRequest)
        }
        do {
            _ = try await store.updateShift(company: company.id, id: record.id, input, now: now())
        } catch {
            guard let message = sentence(error) else { throw error }
            return try await shiftPage(context, viewer, error: message, form: values, status: .badRequest)
        }
        logger.info("shift changed on the dashboard", metadata: ["company.id": "\(company.id)", "shift.id": "\(record.id)"])
        return redirect("/dashboard/shifts?done=updated")
    }

    func deleteShift(_ context: BasicRequestContext, _ viewer: Viewer) async throws -> Response {
        guard let record = try await ownShift(context, viewer) else { return try notFound(viewer, "such shift") }
        let company = viewer.company!
        do {
            try await store.deleteShift(company: company.id, id: record.id)
        } catch {
            guard let message = sentence(error) else { throw error }
            return try await shiftList(viewer, error: message, status: .badRequest)
        }
        logger.info("shift deleted on the dashboard", metadata: ["company.id": "\(company.id)", "shift.id": "\(record.id)"])
        return redirect("/dashboard/shifts?done=deleted")
    }
}
