import Foundation
import IncidentCore
import IncidentShifts
import Storage

/// The fields of the shift forms as typed, to check and to show again with a message.
struct ShiftFormValues: Sendable {
    var department = ""
    var chat = ""
    var member = ""
    /// Day names (`monday`): the add form's checkboxes, or the edit form's one choice.
    var days: Set<String> = []
    var start = ""
    var end = ""

    init() {}

    /// The add form has a checkbox per day (`day_monday`); the edit form one `day`.
    init(_ form: Form) {
        department = form.values["department"] ?? ""
        chat = form.values["chat"] ?? ""
        member = form.values["member"] ?? ""
        if let day = form.text("day") {
            days = [day]
        } else {
            days = Set(ShiftDay.allCases.map(\.name).filter { form.values["day_\($0)"] != nil })
        }
        start = form.values["start"] ?? ""
        end = form.values["end"] ?? ""
    }

    /// A stored shift, its person named by user id (what the store keeps).
    init(_ record: ShiftRecord) {
        department = String(record.departmentID.rawValue)
        chat = String(record.chatID.rawValue)
        member = String(record.userID.rawValue)
        days = [record.shift.day.name]
        start = record.shift.start.description
        end = record.shift.end.description
    }

    /// The template's view: the choices with the typed ones selected.
    func context(departments: [Department], groups: [GroupInfo]) -> [String: Any] {
        [
            "departments": departments.map {
                ["id": $0.id.rawValue, "name": $0.name, "selected": String($0.id.rawValue) == department] as [String: Any]
            },
            "groups": groups.map {
                ["chat": $0.chatID.rawValue, "title": $0.title ?? String($0.chatID.rawValue), "selected": String($0.chatID.rawValue) == chat]
                    as [String: Any]
            },
            "member": member,
            "days": ShiftDay.allCases.map {
                ["name": $0.name, "label": $0.label, "selected": days.contains($0.name)] as [String: Any]
            },
            "start": start, "end": end,
        ]
    }
}

extension ShiftDay {
    /// `Monday`.
    var label: String { name.prefix(1).uppercased() + name.dropFirst() }
}

extension WeeklyShift {
    /// `22:00–06:00 (+1 day)`: an overnight shift says that it ends the next day.
    var hoursLabel: String { "\(start)–\(end)" + (isOvernight ? " (+1 day)" : "") }
}

extension Dashboard {
    /// The company's active groups: the ones a shift may be in.
    func shiftGroups(_ company: CompanyID) async throws -> [GroupInfo] {
        try await ownGroups(company).filter { $0.status == .active }
    }

    /// What a shift form names, checked against the viewer's company before anything is
    /// written: one input per chosen day. Throws ``FormError`` with what to fix. The store
    /// checks department, group and membership again when it writes (its messages name the
    /// admin API's routes, so the page's own come first).
    func shiftInputs(_ values: ShiftFormValues, company: Company) async throws -> [ShiftInput] {
        let department = try await ownDepartment(values.department, company)
        guard !values.chat.isEmpty else { throw FormError("Choose a group.") }
        guard let chat = Int64(values.chat), chat != 0,
              try await shiftGroups(company.id).contains(where: { $0.chatID.rawValue == chat })
        else { throw FormError("\(company.name) has no active group \(values.chat.prefix(24)).") }
        let user = try await memberID(values.member, of: department)
        guard !values.days.isEmpty else { throw FormError("Choose at least one day.") }
        let days = values.days.sorted { (ShiftDay(name: $0)?.rawValue ?? 0) < (ShiftDay(name: $1)?.rawValue ?? 0) }
        return try days.map { day in
            switch WeeklyShift.parse(day: day, start: values.start, end: values.end) {
            case .failure(let problem): throw FormError(sentence(problem.description))
            case .success(let shift):
                return ShiftInput(departmentID: department.id, chatID: ChatID(chat), userID: user, shift: shift)
            }
        }
    }

    /// A live department of `company` named by its id as typed in a form.
    func ownDepartment(_ text: String, _ company: Company) async throws -> Department {
        let text = text.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { throw FormError("Choose a department.") }
        guard let id = Int64(text), id > 0, let department = try await store.liveDepartment(DepartmentID(id)),
              department.companyID == company.id
        else { throw FormError("\(company.name) has no department \(text.prefix(24)).") }
        return department
    }

    /// The user id of the member of `department` named by a Telegram user id or an @handle.
    /// Shifts and leads are kept by user id: a member added by @handle whom the bot has not
    /// seen yet has none, so cannot be given one until then.
    func memberID(_ text: String, of department: Department) async throws -> UserID {
        guard let member = Self.member(text.trimmingCharacters(in: .whitespaces)) else {
            throw FormError("Name the person by Telegram user id (a positive number) or @handle (5-32 letters, digits or _).")
        }
        let memberships = try await store.members(of: department.id)
        switch member {
        case .user(let id):
            guard memberships.contains(where: { $0.member == .user(id) }) else {
                throw FormError("User \(id.rawValue) is not a member of \(department.name): add them on the department's page first.")
            }
            return id
        case .handle(let handle):
            for membership in memberships where membership.person?.handle == handle {
                if case .user(let id) = membership.member { return id }
            }
            if memberships.contains(where: { $0.member == .handle(handle) }) {
                throw FormError(
                    "\(handle) is a member of \(department.name) whom the bot has not seen yet, so their user id is not known: they can be given shifts and made a lead once they have written in a group with the bot.")
            }
            throw FormError("\(handle) is not a member of \(department.name): add them on the department's page first.")
        }
    }
}
