import Foundation
import Hummingbird
import IncidentCore
import Storage

extension Dashboard {
    /// A store refusal as a sentence for the page (nil: not the person's mistake).
    func sentence(_ error: StoreError) -> String? {
        switch error.code {
        case .invalidInput, .duplicate, .notFound, .conflict: return sentence(error.message)
        default: return nil
        }
    }

    /// A refusal worded for the admin API (`start must be ...`) as a sentence for the page.
    func sentence(_ message: String) -> String {
        message.prefix(1).uppercased() + message.dropFirst() + (message.hasSuffix(".") ? "" : ".")
    }

    /// A department (not deleted) of the viewer's company named by the path, or nil.
    func department(_ context: BasicRequestContext, _ viewer: Viewer) async throws -> Department? {
        guard let text = context.parameters.get("department"), let id = Int64(text), id > 0,
              let department = try await store.liveDepartment(DepartmentID(id)), department.companyID == viewer.company?.id
        else { return nil }
        return department
    }

    // MARK: List and create

    func departmentList(
        _ viewer: Viewer, request: Request? = nil, error: String? = nil, form: [String: Any] = [:], status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let company = viewer.company!
        var rows: [[String: Any]] = []
        for department in try await store.departments(company: company.id) {
            let members = try await store.members(of: department.id)
            rows.append(["id": department.id.rawValue, "name": department.name, "restricted": department.restricted, "members": members.count])
        }
        let done = request?.uri.queryParameters.get("done").flatMap { Self.doneNotices[$0] }
        return try render("departments", status: status, viewer: viewer, nav: "departments", error: error, notice: done, [
            "title": "Departments", "rows": rows, "form": form,
        ])
    }

    func createDepartment(_ request: Request, _ viewer: Viewer) async throws -> Response {
        let company = viewer.company!
        let name = viewer.form.text("name")
        let restricted = viewer.form.values["restricted"] != nil
        let echo: [String: Any] = ["name": viewer.form.values["name"] ?? "", "restricted": restricted]
        guard let name else {
            return try await departmentList(viewer, error: "Give the department a name.", form: echo, status: .badRequest)
        }
        do {
            let department = try await store.createDepartment(company: company.id, name: name, restricted: restricted, now: now())
            logger.info("department created on the dashboard", metadata: ["company.id": "\(company.id)", "department.id": "\(department.id)"])
            return redirect("/dashboard/departments/\(department.id.rawValue)?done=created")
        } catch {
            guard let message = sentence(error) else { throw error }
            return try await departmentList(viewer, error: message, form: echo, status: .badRequest)
        }
    }

    // MARK: One department and its members

    static let doneNotices = [
        "created": "Department created.", "member-added": "Member added.", "member-removed": "Member removed.",
        "renamed": "Department renamed.", "restricted": "Only its members may now claim its incidents.",
        "opened": "Anyone in the group may now claim its incidents.",
        "deleted": "Department deleted. Its incidents and reports keep its name.",
    ]

    func departmentPage(
        _ context: BasicRequestContext, _ viewer: Viewer, request: Request? = nil, error: String? = nil,
        form: [String: Any] = [:], status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        guard let department = try await department(context, viewer) else { return try notFound(viewer, "such department") }
        let members = try await store.members(of: department.id)
        let done = request?.uri.queryParameters.get("done").flatMap { Self.doneNotices[$0] }
        return try render("department", status: status, viewer: viewer, nav: "departments", error: error, notice: done, [
            "title": department.name,
            "department": [
                "id": department.id.rawValue, "name": department.name, "restricted": department.restricted,
                "members": members.map { membership -> [String: Any] in
                    switch membership.member {
                    case .user(let id):
                        return ["departmentID": department.id.rawValue, "ref": String(id.rawValue),
                                "name": membership.person?.displayName ?? "user \(id.rawValue) (not seen yet)",
                                "handle": membership.person?.handle?.description ?? ""]
                    case .handle(let handle):
                        return ["departmentID": department.id.rawValue, "ref": handle.description,
                                "name": "(joins when first seen)", "handle": handle.description]
                    }
                },
                "form": form.merging(["name": department.name]) { given, _ in given },
            ] as [String: Any],
        ])
    }

    /// A member named by a Telegram user id or an @handle.
    static func member(_ text: String) -> MemberRef? {
        if let id = Int64(text) { return id > 0 ? .user(UserID(id)) : nil }
        return Handle(text).map(MemberRef.handle)
    }

    func addMember(_ request: Request, _ context: BasicRequestContext, _ viewer: Viewer) async throws -> Response {
        guard let department = try await department(context, viewer) else { return try notFound(viewer, "such department") }
        let text = viewer.form.text("member")
        let echo: [String: Any] = ["member": viewer.form.values["member"] ?? ""]
        guard let text, let member = Self.member(text) else {
            return try await departmentPage(
                context, viewer, error: "Name the member by Telegram user id (a positive number) or @handle (5-32 letters, digits or _).",
                form: echo, status: .badRequest)
        }
        do {
            try await store.addMember(member, to: department.id, now: now())
            return redirect("/dashboard/departments/\(department.id.rawValue)?done=member-added")
        } catch {
            guard let message = sentence(error) else { throw error }
            return try await departmentPage(context, viewer, error: message, form: echo, status: .badRequest)
        }
    }

    func removeMember(_ request: Request, _ context: BasicRequestContext, _ viewer: Viewer) async throws -> Response {
        guard let department = try await department(context, viewer) else { return try notFound(viewer, "such department") }
        guard let text = viewer.form.text("member"), let member = Self.member(text) else {
            return try await departmentPage(context, viewer, error: "Name the member by Telegram user id or @handle.", status: .badRequest)
        }
        do {
            try await store.removeMember(member, from: department.id)
            return redirect("/dashboard/departments/\(department.id.rawValue)?done=member-removed")
        } catch {
            guard let message = sentence(error) else { throw error }
            return try await departmentPage(context, viewer, error: message, status: .badRequest)
        }
    }

    // MARK: Rename, restrict, delete

    func renameDepartment(_ request: Request, _ context: BasicRequestContext, _ viewer: Viewer) async throws -> Response {
        guard let department = try await department(context, viewer) else { return try notFound(viewer, "such department") }
        let echo: [String: Any] = ["name": viewer.form.values["name"] ?? ""]
        guard let name = viewer.form.text("name") else {
            return try await departmentPage(context, viewer, error: "Give the department a name.", form: echo, status: .badRequest)
        }
        do {
            _ = try await store.renameDepartment(department.id, to: name)
            return redirect("/dashboard/departments/\(department.id.rawValue)?done=renamed")
        } catch {
            guard let message = sentence(error) else { throw error }
            return try await departmentPage(context, viewer, error: message, form: echo, status: .badRequest)
        }
    }

    func restrictDepartment(_ request: Request, _ context: BasicRequestContext, _ viewer: Viewer) async throws -> Response {
        guard let department = try await department(context, viewer) else { return try notFound(viewer, "such department") }
        let restricted: Bool
        switch viewer.form.values["restricted"] {
        case "1": restricted = true
        case "0": restricted = false
        default:
            return try await departmentPage(context, viewer, error: "Say whether the department is restricted (1) or open (0).", status: .badRequest)
        }
        _ = try await store.setDepartmentRestricted(department.id, restricted)
        return redirect("/dashboard/departments/\(department.id.rawValue)?done=\(restricted ? "restricted" : "opened")")
    }

    func deleteDepartment(_ request: Request, _ context: BasicRequestContext, _ viewer: Viewer) async throws -> Response {
        guard let department = try await department(context, viewer) else { return try notFound(viewer, "such department") }
        do {
            try await store.deleteDepartment(department.id, now: now())
            logger.info("department deleted on the dashboard", metadata: ["department.id": "\(department.id)"])
            return redirect("/dashboard/departments?done=deleted")
        } catch {
            guard let message = sentence(error) else { throw error }
            return try await departmentPage(context, viewer, error: message, status: .badRequest)
        }
    }
}
