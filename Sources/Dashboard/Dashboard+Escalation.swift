import Foundation
import Hummingbird
import IncidentCore
import IncidentKPI
import Storage

/// The rest of the Shifts page: the time zone shifts are read in, the escalation ladder, and
/// the department leads the ladder mentions (docs/shifts.md). The same store operations and
/// checks as the admin API's kpi-settings, escalation-settings and leads routes.
extension Dashboard {
    /// The admin API's field names in the ladder's refusals, as the form labels them.
    static let ladderLabels = [
        ("escalation_minutes", "The wait before leads and managers are mentioned"),
        ("direct_message_minutes", "The wait before personal messages"), ("reminder_minutes", "The group reminder period"),
    ]

    /// `30`, `7.5`: minutes as typed back into a form.
    static func minutesText(_ seconds: TimeInterval) -> String { String(format: "%g", seconds / 60) }

    /// The time zone, the ladder and the leads, for the Shifts page. `form` is what was typed
    /// into the time zone or ladder form when it is shown again with a message.
    func escalationContext(
        _ company: Company, settings: KPISettings, departments: [Department], memberships: [DepartmentID: [Membership]],
        form: [String: Any]?
    ) async throws -> [String: Any] {
        let own = try await store.escalationLadder(company: company.id, ownReminder: true)
        let reminder = own.reminderEvery ?? store.policy.unclaimedNudge
        var leadSections: [[String: Any]] = []
        for department in departments {
            let leads = Set(try await store.leads(of: department.id))
            let rows = (memberships[department.id] ?? []).map { membership -> [String: Any] in
                switch membership.member {
                case .user(let id):
                    return ["departmentID": department.id.rawValue, "ref": String(id.rawValue), "name": membership.person?.displayName ?? "user \(id.rawValue) (not seen yet)",
                            "handle": membership.person?.handle?.description ?? "", "lead": leads.contains(id), "canLead": true]
                case .handle(let handle):
                    return ["departmentID": department.id.rawValue, "ref": handle.description, "name": "(joins when first seen)",
                            "handle": handle.description, "lead": false, "canLead": false]
                }
            }
            leadSections.append(["id": department.id.rawValue, "name": department.name, "members": rows])
        }
        return [
            "zone": settings.timeZoneID,
            "zones": ["UTC"] + TimeZone.knownTimeZoneIdentifiers.sorted().filter { $0 != "UTC" },
            "ladder": [
                "reminder": Self.minutesText(reminder), "reminderDefault": own.reminderEvery == nil,
                "escalation": Self.minutesText(own.escalateAfter), "direct": Self.minutesText(own.directAfter),
            ] as [String: Any],
            "settingsForm": form ?? [
                "timezone": settings.timeZoneID, "reminder": own.reminderEvery.map(Self.minutesText) ?? "",
                "escalation": Self.minutesText(own.escalateAfter), "direct": Self.minutesText(own.directAfter),
            ],
            "installationReminder": Self.minutesText(store.policy.unclaimedNudge),
            "leadDepartments": leadSections,
        ]
    }

    // MARK: Time zone

    /// The company's time zone: the one its reports use (kpi-settings), which shifts are read in.
    func setShiftTimeZone(_ viewer: Viewer) async throws -> Response {
        let company = viewer.company!
        let echo: [String: Any] = ["timezone": viewer.form.values["timezone"] ?? ""]
        guard let zone = viewer.form.text("timezone") else {
            return try await shiftList(
                viewer, error: "Give a time zone: an IANA name like Europe/Berlin, or UTC.", settingsForm: echo, status: .badRequest)
        }
        var settings = try await store.kpiSettings(company: company.id)
        settings.timeZoneID = zone
        if let problem = settings.problem {
            return try await shiftList(viewer, error: sentence(problem), settingsForm: echo, status: .badRequest)
        }
        do {
            try await store.setKPISettings(settings, company: company.id, now: now())
        } catch {
            guard let message = sentence(error) else { throw error }
            return try await shiftList(viewer, error: message, settingsForm: echo, status: .badRequest)
        }
        logger.info("time zone changed on the dashboard", metadata: ["company.id": "\(company.id)", "timezone": "\(zone)"])
        return redirect("/dashboard/shifts?done=timezone")
    }

    // MARK: Escalation ladder

    /// The whole ladder as the form shows it. A blank reminder period follows the
    /// installation's (SLA_UNCLAIMED_NUDGE_MINUTES), as when the company never set one.
    func setEscalation(_ viewer: Viewer) async throws -> Response {
        let company = viewer.company!
        let form = viewer.form
        let echo: [String: Any] = [
            "timezone": (try await store.kpiSettings(company: company.id)).timeZoneID,
            "reminder": form.values["reminder_minutes"] ?? "", "escalation": form.values["escalation_minutes"] ?? "",
            "direct": form.values["direct_message_minutes"] ?? "",
        ]
        func refuse(_ message: String) async throws -> Response {
            try await shiftList(viewer, error: message, settingsForm: echo, status: .badRequest)
        }
        var numbers: [String: Double] = [:]
        for (field, label) in Self.ladderLabels where field != "reminder_minutes" {
            guard let text = form.text(field), let value = Double(text) else {
                return try await refuse("\(label) must be a number of minutes.")
            }
            numbers[field] = value
        }
        var ladder = EscalationLadder(escalateAfter: numbers["escalation_minutes"]! * 60, directAfter: numbers["direct_message_minutes"]! * 60)
        if let text = form.text("reminder_minutes") {
            guard let minutes = Double(text), let seconds = SLAPolicy.seconds(minutes: minutes), seconds <= 366 * 86_400 else {
                return try await refuse("The group reminder period must be a number of minutes > 0 and at most a year, or blank for the installation's.")
            }
            ladder.reminderEvery = seconds
        }
        if let problem = ladder.problem {
            return try await refuse(sentence(Self.ladderLabels.reduce(problem) { $0.replacingOccurrences(of: $1.0, with: $1.1) }))
        }
        do {
            _ = try await store.setEscalationLadder(company: company.id, ladder, now: now())
        } catch {
            guard let message = sentence(error) else { throw error }
            return try await refuse(message)
        }
        logger.info("escalation ladder changed on the dashboard", metadata: ["company.id": "\(company.id)"])
        return redirect("/dashboard/shifts?done=escalation")
    }

    // MARK: Leads

    func setLead(_ viewer: Viewer) async throws -> Response {
        let company = viewer.company!
        let lead: Bool
        switch viewer.form.values["lead"] {
        case "1": lead = true
        case "0": lead = false
        default: return try await shiftList(viewer, error: "Say whether the person is a lead (1) or not (0).", status: .badRequest)
        }
        let department: Department
        let user: UserID
        do {
            department = try await ownDepartment(viewer.form.values["department"] ?? "", company)
            user = try await memberID(viewer.form.values["member"] ?? "", of: department)
        } catch let problem as FormError {
            return try await shiftList(viewer, error: problem.message, status: .badRequest)
        }
        do {
            try await store.setLead(user, of: department.id, lead: lead)
        } catch {
            guard let message = sentence(error) else { throw error }
            return try await shiftList(viewer, error: message, status: .badRequest)
        }
        logger.info("lead changed on the dashboard", metadata: ["department.id": "\(department.id)", "lead": "\(lead)"])
        return redirect("/dashboard/shifts?done=\(lead ? "lead-marked" : "lead-unmarked")")
    }
}
