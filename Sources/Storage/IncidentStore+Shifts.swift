import Foundation
import GRDB
import IncidentCore
import IncidentShifts
import Timestamps

/// A stored weekly shift.
public struct ShiftRecord: Hashable, Sendable {
    public var id: Int64
    public var companyID: CompanyID
    public var departmentID: DepartmentID
    /// The group's current chat id.
    public var chatID: ChatID
    public var userID: UserID
    public var shift: WeeklyShift
}

/// What an administrator gives for a shift.
public struct ShiftInput: Hashable, Sendable {
    public var departmentID: DepartmentID
    public var chatID: ChatID
    public var userID: UserID
    public var shift: WeeklyShift

    public init(departmentID: DepartmentID, chatID: ChatID, userID: UserID, shift: WeeklyShift) {
        self.departmentID = departmentID
        self.chatID = chatID
        self.userID = userID
        self.shift = shift
    }
}

extension IncidentStore {
    /// The shifts of `company`, optionally of one department and/or one group, ordered by
    /// department, group, day and start.
    public func shifts(company: CompanyID, department: DepartmentID? = nil, chat: ChatID? = nil) async throws(StoreError) -> [ShiftRecord] {
        try await read { db in
            guard try db.row("SELECT 1 FROM companies WHERE id = ?", [company.rawValue]) != nil else {
                throw StoreError.notFound("company \(company)")
            }
            return try db.shiftRecords(company: company).filter {
                (department == nil || $0.departmentID == department) && (chat == nil || $0.chatID == chat)
            }
        }
    }

    /// Adds a shift. The department and the group must be the company's (the group activated
    /// for it) and the person a member of the department, named by user id (a member added by
    /// @handle gets shifts once the bot has seen them).
    public func createShift(company: CompanyID, _ input: ShiftInput, now: Date) async throws(StoreError) -> ShiftRecord {
        try await write { db in
            let groupRowID = try db.validateShift(company: company, input)
            try db.run(
                """
                INSERT INTO shifts (department_id, group_id, user_id, weekday, start_minute, end_minute, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [input.departmentID.rawValue, groupRowID, input.userID.rawValue, input.shift.day.rawValue,
                 input.shift.start.minutes, input.shift.end.minutes, stamp(now), stamp(now)])
            return ShiftRecord(
                id: db.lastInsertedRowID, companyID: company, departmentID: input.departmentID, chatID: input.chatID,
                userID: input.userID, shift: input.shift)
        }
    }

    /// Replaces shift `id` of `company`.
    public func updateShift(company: CompanyID, id: Int64, _ input: ShiftInput, now: Date) async throws(StoreError) -> ShiftRecord {
        try await write { db in
            guard try db.shiftRecords(company: company).contains(where: { $0.id == id }) else {
                throw StoreError.notFound("shift \(id) of company \(company)")
            }
            let groupRowID = try db.validateShift(company: company, input)
            try db.run(
                """
                UPDATE shifts SET department_id = ?, group_id = ?, user_id = ?, weekday = ?, start_minute = ?,
                    end_minute = ?, updated_at = ?
                WHERE id = ?
                """,
                [input.departmentID.rawValue, groupRowID, input.userID.rawValue, input.shift.day.rawValue,
                 input.shift.start.minutes, input.shift.end.minutes, stamp(now), id])
            return ShiftRecord(
                id: id, companyID: company, departmentID: input.departmentID, chatID: input.chatID,
                userID: input.userID, shift: input.shift)
        }
    }

    /// Deletes shift `id` of `company`.
    public func deleteShift(company: CompanyID, id: Int64) async throws(StoreError) {
        try await write { db in
            guard try db.shiftRecords(company: company).contains(where: { $0.id == id }) else {
                throw StoreError.notFound("shift \(id) of company \(company)")
            }
            try db.run("DELETE FROM shifts WHERE id = ?", [id])
        }
    }

    /// Marks a member of `department` (by user id) as one of its leads, or not. Leads are
    /// mentioned when an incident of the department escalates.
    public func setLead(_ user: UserID, of department: DepartmentID, lead: Bool) async throws(StoreError) {
        try await write { db in
            try db.run(
                "UPDATE memberships SET lead = ? WHERE department_id = ? AND user_id = ?",
                [lead, department.rawValue, user.rawValue])
            guard db.changesCount > 0 else {
                throw StoreError.notFound("user \(user) is not a member of department \(department)")
            }
        }
    }

    /// The user ids of the leads of `department`.
    public func leads(of department: DepartmentID) async throws(StoreError) -> [UserID] {
        try await read { db in
            guard try db.department(department) != nil else { throw StoreError.notFound("department \(department)") }
            return try db.leadIDs(department: department)
        }
    }

    /// The escalation ladder of `company`: its own, or the defaults from the settings. Its
    /// reminder period is given as the installation's when the company set none, unless
    /// `ownReminder` (then nil means "the installation's").
    public func escalationLadder(company: CompanyID, ownReminder: Bool = false) async throws(StoreError) -> EscalationLadder {
        let defaults = configuration.escalation
        let policy = self.policy
        return try await read { db in
            guard try db.row("SELECT 1 FROM companies WHERE id = ?", [company.rawValue]) != nil else {
                throw StoreError.notFound("company \(company)")
            }
            var ladder = try db.escalationLadder(company: company, defaults: defaults)
            if !ownReminder { ladder.reminderEvery = ladder.reminderEvery ?? policy.unclaimedNudge }
            return ladder
        }
    }

    /// Stores `company`'s own escalation ladder.
    public func setEscalationLadder(company: CompanyID, _ ladder: EscalationLadder, now: Date) async throws(StoreError) -> EscalationLadder {
        if let problem = ladder.problem { throw StoreError.invalidInput(problem) }
        return try await write { db in
            guard try db.row("SELECT 1 FROM companies WHERE id = ?", [company.rawValue]) != nil else {
                throw StoreError.notFound("company \(company)")
            }
            try db.run(
                """
                INSERT OR REPLACE INTO company_escalation_settings
                    (company_id, escalate_after_seconds, direct_after_seconds, reminder_seconds, updated_at)
                VALUES (?, ?, ?, ?, ?)
                """, [company.rawValue, ladder.escalateAfter, ladder.directAfter, ladder.reminderEvery, stamp(now)])
            return ladder
        }
    }
}

extension Database {
    /// Every shift of `company`, with its group's current chat id.
    func shiftRecords(company: CompanyID) throws -> [ShiftRecord] {
        try rows(
            """
            SELECT s.id, s.department_id, g.chat_id, s.user_id, s.weekday, s.start_minute, s.end_minute
            FROM shifts s JOIN departments d ON d.id = s.department_id JOIN groups g ON g.id = s.group_id
            WHERE d.company_id = ?
            ORDER BY s.department_id, g.chat_id, s.weekday, s.start_minute, s.id
            """, [company.rawValue]
        ).compactMap { row in
            var columns = Columns(row)
            let id = columns.int64(), department = columns.int64(), chat = columns.int64(), user = columns.int64()
            guard let day = ShiftDay(rawValue: Int(columns.int64())), let start = TimeOfDay(minutes: Int(columns.int64())),
                let end = TimeOfDay(minutes: Int(columns.int64()))
            else { return nil }
            return ShiftRecord(
                id: id, companyID: company, departmentID: DepartmentID(department), chatID: ChatID(chat),
                userID: UserID(user), shift: WeeklyShift(day: day, start: start, end: end))
        }
    }

    /// The shifts of one group, as the roster logic takes them.
    func shiftAssignments(groupRowID: Int64, chat: ChatID) throws -> [ShiftAssignment] {
        try rows(
            """
            SELECT id, department_id, user_id, weekday, start_minute, end_minute FROM shifts
            WHERE group_id = ? ORDER BY id
            """, [groupRowID]
        ).compactMap { row in
            var columns = Columns(row)
            let id = columns.int64(), department = columns.int64(), user = columns.int64()
            guard let day = ShiftDay(rawValue: Int(columns.int64())), let start = TimeOfDay(minutes: Int(columns.int64())),
                let end = TimeOfDay(minutes: Int(columns.int64()))
            else { return nil }
            return ShiftAssignment(
                id: id, departmentID: DepartmentID(department), chatID: chat, userID: UserID(user),
                shift: WeeklyShift(day: day, start: start, end: end))
        }
    }

    /// Checks a shift's department, group and person against `company`; returns the group's
    /// row id. Everything named in the body that does not fit is invalid input (400), with
    /// what to fix.
    func validateShift(company: CompanyID, _ input: ShiftInput) throws -> Int64 {
        guard try row("SELECT 1 FROM companies WHERE id = ?", [company.rawValue]) != nil else {
            throw StoreError.notFound("company \(company)")
        }
        guard let department = try department(input.departmentID), department.companyID == company else {
            throw StoreError.invalidInput("department_id \(input.departmentID) is not a department of company \(company)")
        }
        guard let group = try group(chatID: input.chatID), group.group.companyID == company else {
            throw StoreError.invalidInput("chat_id \(input.chatID) is not a group of company \(company) (activate it with PUT /api/v1/groups/{chat_id})")
        }
        guard try row(
            "SELECT 1 FROM memberships WHERE department_id = ? AND user_id = ?",
            [input.departmentID.rawValue, input.userID.rawValue]) != nil
        else {
            throw StoreError.invalidInput("user \(input.userID) is not a member of department \(department.name) (add them with POST /api/v1/departments/\(department.id)/members)")
        }
        return group.rowID
    }

    func leadIDs(department: DepartmentID) throws -> [UserID] {
        try Int64.fetchAll(
            cachedStatement(sql: "SELECT user_id FROM memberships WHERE department_id = ? AND lead = 1 AND user_id IS NOT NULL ORDER BY id"),
            arguments: [department.rawValue]
        ).map(UserID.init)
    }

    func escalationLadder(company: CompanyID, defaults: EscalationLadder) throws -> EscalationLadder {
        guard let row = try row(
            "SELECT escalate_after_seconds, direct_after_seconds, reminder_seconds FROM company_escalation_settings WHERE company_id = ?",
            [company.rawValue])
        else { return defaults }
        return EscalationLadder(escalateAfter: row[0], directAfter: row[1], reminderEvery: row[2])
    }

    /// `policy` with `company`'s own reminder period, if it set one.
    func policy(_ policy: SLAPolicy, company: CompanyID) throws -> SLAPolicy {
        guard let seconds = try Double.fetchOne(
            cachedStatement(sql: "SELECT reminder_seconds FROM company_escalation_settings WHERE company_id = ?"),
            arguments: [company.rawValue])
        else { return policy }
        var own = policy
        own.unclaimedNudge = seconds
        return own
    }

    /// The company's time zone for shifts (the one its reports use), UTC if it has none.
    func shiftCalendar(company: CompanyID) throws -> ShiftCalendar {
        let name = try String.fetchOne(
            cachedStatement(sql: "SELECT time_zone FROM company_kpi_settings WHERE company_id = ?"),
            arguments: [company.rawValue]) ?? "UTC"
        return ShiftCalendar(timeZoneNamed: name) ?? ShiftCalendar(timeZoneNamed: "UTC")!
    }

    /// Who to call per department of `company` in `group` at `now` (see ``ShiftRoster``).
    func rosters(company: CompanyID, group: StoredGroup, members: [DepartmentID: [Mention]], now: Date) throws -> [DepartmentID: Roster] {
        let shifts = try shiftAssignments(groupRowID: group.rowID, chat: group.group.chatID)
        guard !shifts.isEmpty else { return [:] }
        let calendar = try shiftCalendar(company: company)
        var rosters: [DepartmentID: Roster] = [:]
        for department in Set(shifts.map(\.departmentID)) {
            rosters[department] = ShiftRoster.roster(
                department: department, chat: group.group.chatID, members: members[department] ?? [],
                shifts: shifts, at: now, calendar: calendar)
        }
        return rosters
    }

    // MARK: Personal messages

    /// People whose personal messages are on.
    func directMessageUsers() throws -> Set<UserID> {
        Set(try Int64.fetchAll(cachedStatement(sql: "SELECT user_id FROM direct_chats WHERE enabled = 1")).map(UserID.init))
    }

    /// Whether `user` has personal messages on; nil if they never started the bot in private.
    func directMessagesEnabled(_ user: UserID) throws -> Bool? {
        try Bool.fetchOne(cachedStatement(sql: "SELECT enabled FROM direct_chats WHERE user_id = ?"), arguments: [user.rawValue])
    }

    /// Turns personal messages on or off for `user`; `reason` says why they are off.
    func setDirectMessages(_ user: UserID, enabled: Bool, reason: String?, now: Date) throws {
        try run(
            """
            INSERT INTO direct_chats (user_id, enabled, off_reason, started_at, changed_at) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (user_id) DO UPDATE SET enabled = excluded.enabled, off_reason = excluded.off_reason,
                changed_at = excluded.changed_at
            """, [user.rawValue, enabled, enabled ? nil : reason, stamp(now), stamp(now)])
    }
}

extension IncidentStore {
    /// Telegram refused a personal message to `user` (403: blocked the bot, or never started
    /// it): personal messages are turned off for them, quietly. Someone never registered is
    /// left unregistered.
    public func directMessagesRefused(user: UserID, now: Date) async throws(StoreError) {
        let now = Timestamp.rounded(now)
        try await write { db in
            guard try db.directMessagesEnabled(user) != nil else { return }
            try db.setDirectMessages(user, enabled: false, reason: "blocked", now: now)
        }
    }

    /// Whether `user` has personal messages on (nil: never started the bot in private), and
    /// why they are off.
    public func directMessages(user: UserID) async throws(StoreError) -> (enabled: Bool, offReason: String?)? {
        try await read { db in
            try db.row("SELECT enabled, off_reason FROM direct_chats WHERE user_id = ?", [user.rawValue]).map {
                (enabled: $0[0] as Bool, offReason: $0[1] as String?)
            }
        }
    }
}
