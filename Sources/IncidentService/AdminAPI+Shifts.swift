import Foundation
import Hummingbird
import IncidentCore
import IncidentShifts
import Storage

/// Shifts, department leads and the escalation ladder (docs/shifts.md). Every route takes the
/// company from its path.
extension AdminAPI {
    // MARK: Shifts

    struct ShiftBody: Decodable {
        var department_id: Int64
        var chat_id: Int64
        var user_id: Int64
        var day: String
        var start: String
        var end: String
    }

    struct ShiftJSON: Encodable {
        var id: Int64; var company_id: Int64; var department_id: Int64; var chat_id: Int64; var user_id: Int64
        var day: String; var start: String; var end: String; var overnight: Bool
        init(_ record: ShiftRecord) {
            id = record.id; company_id = record.companyID.rawValue; department_id = record.departmentID.rawValue
            chat_id = record.chatID.rawValue; user_id = record.userID.rawValue
            day = record.shift.day.name; start = record.shift.start.description; end = record.shift.end.description
            overnight = record.shift.isOvernight
        }
    }

    static let shiftFields: Set<String> = ["department_id", "chat_id", "user_id", "day", "start", "end"]

    func shiftInput(_ request: Request) async throws -> ShiftInput {
        let body = try await decode(ShiftBody.self, from: request, fields: Self.shiftFields)
        guard body.department_id > 0 else { throw APIError(.badRequest, "department_id must be a positive integer") }
        guard body.chat_id != 0 else { throw APIError(.badRequest, "chat_id must be a Telegram chat id (negative for groups)") }
        guard body.user_id > 0 else { throw APIError(.badRequest, "user_id must be a positive Telegram user id") }
        switch WeeklyShift.parse(day: body.day, start: body.start, end: body.end) {
        case .failure(let problem): throw APIError(.badRequest, problem.description)
        case .success(let shift):
            return ShiftInput(
                departmentID: DepartmentID(body.department_id), chatID: ChatID(body.chat_id),
                userID: UserID(body.user_id), shift: shift)
        }
    }

    func listShifts(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let company = CompanyID(try pathID("id", context))
        let query = request.uri.queryParameters
        var department: DepartmentID?
        if let text = query.get("department_id") {
            guard let id = Int64(text), id > 0 else { throw APIError(.badRequest, "department_id must be a positive integer") }
            department = DepartmentID(id)
        }
        var chat: ChatID?
        if let text = query.get("chat_id") {
            guard let id = Int64(text), id != 0 else { throw APIError(.badRequest, "chat_id must be a Telegram chat id") }
            chat = ChatID(id)
        }
        let shifts = try await store.shifts(company: company, department: department, chat: chat)
        return try json(["shifts": shifts.map(ShiftJSON.init)])
    }

    func createShift(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let company = CompanyID(try pathID("id", context))
        let input = try await shiftInput(request)
        let record = try await store.createShift(company: company, input, now: now())
        logger.info("shift created", metadata: ["company.id": "\(company)", "shift.id": "\(record.id)"])
        return try json(ShiftJSON(record), status: .created)
    }

    func updateShift(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let company = CompanyID(try pathID("id", context))
        let id = try pathID("shift", context)
        let input = try await shiftInput(request)
        return try json(ShiftJSON(try await store.updateShift(company: company, id: id, input, now: now())))
    }

    func deleteShift(_ context: BasicRequestContext) async throws -> Response {
        let company = CompanyID(try pathID("id", context))
        try await store.deleteShift(company: company, id: try pathID("shift", context))
        return Response(status: .noContent)
    }

    // MARK: Leads

    struct LeadBody: Decodable { var lead: Bool }

    func putLead(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let department = DepartmentID(try pathID("id", context))
        let user = UserID(try pathID("user", context))
        let body = try await decode(LeadBody.self, from: request, fields: ["lead"])
        try await store.setLead(user, of: department, lead: body.lead)
        return try json(LeadsJSON(department_id: department.rawValue, lead_user_ids: try await store.leads(of: department).map(\.rawValue)))
    }

    struct LeadsJSON: Encodable { var department_id: Int64; var lead_user_ids: [Int64] }

    func listLeads(_ context: BasicRequestContext) async throws -> Response {
        let department = DepartmentID(try pathID("id", context))
        return try json(LeadsJSON(department_id: department.rawValue, lead_user_ids: try await store.leads(of: department).map(\.rawValue)))
    }

    // MARK: Escalation ladder

    struct EscalationJSON: Codable {
        var escalation_minutes: Double?
        var direct_message_minutes: Double?
        var reminder_minutes: Double?
    }

    func getEscalation(_ context: BasicRequestContext) async throws -> Response {
        let company = CompanyID(try pathID("id", context))
        let ladder = try await store.escalationLadder(company: company)
        return try json(Self.escalationJSON(ladder))
    }

    static func escalationJSON(_ ladder: EscalationLadder) -> EscalationJSON {
        EscalationJSON(
            escalation_minutes: ladder.escalateAfter / 60, direct_message_minutes: ladder.directAfter / 60,
            reminder_minutes: ladder.reminderEvery.map { $0 / 60 })
    }

    /// Either field may be left out (it keeps its value); an unknown field is a 400.
    func putEscalation(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let company = CompanyID(try pathID("id", context))
        let body = try await decode(
            EscalationJSON.self, from: request, fields: ["escalation_minutes", "direct_message_minutes", "reminder_minutes"])
        var ladder = try await store.escalationLadder(company: company, ownReminder: true)
        if let minutes = body.escalation_minutes { ladder.escalateAfter = minutes * 60 }
        if let minutes = body.direct_message_minutes { ladder.directAfter = minutes * 60 }
        if let minutes = body.reminder_minutes {
            guard let seconds = SLAPolicy.seconds(minutes: minutes), seconds <= 366 * 86_400 else {
                throw APIError(.badRequest, "reminder_minutes must be a number of minutes > 0 and at most a year")
            }
            ladder.reminderEvery = seconds
        }
        if let problem = ladder.problem { throw APIError(.badRequest, problem) }
        _ = try await store.setEscalationLadder(company: company, ladder, now: now())
        return try json(Self.escalationJSON(try await store.escalationLadder(company: company)))
    }
}
