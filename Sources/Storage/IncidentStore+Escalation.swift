import Foundation
import GRDB
import IncidentCore
import IncidentShifts
import Timestamps

/// An escalation step taken by a tick.
public struct AppliedEscalation: Hashable, Sendable {
    public var incidentID: IncidentID
    public var step: EscalationStep

    public init(incidentID: IncidentID, step: EscalationStep) {
        self.incidentID = incidentID
        self.step = step
    }
}

/// A shift whose start was announced by a tick.
public struct AnnouncedShift: Hashable, Sendable {
    public var shiftID: Int64
    public var occurrenceStart: Date
    /// The incidents its person was pinged about (none: nothing was waiting, nothing sent).
    public var waiting: [IncidentID]
}

extension IncidentStore {
    /// Takes every escalation step due at `now`, in order, each in its own transaction and
    /// each once per waiting episode: the step is recorded with the incident's
    /// `waiting_since`, so a second tick, or one after a restart, finds it taken. Incidents of
    /// groups that are not active are not escalated.
    public func applyEscalations(now: Date, limit: Int = 500) async throws(StoreError) -> [AppliedEscalation] {
        let now = Timestamp.rounded(now)
        let defaults = configuration.escalation
        let candidates = try await read { db -> [IncidentID] in
            let shortest = try Double.fetchOne(
                db.cachedStatement(sql: "SELECT MIN(escalate_after_seconds) FROM company_escalation_settings")) ?? defaults.escalateAfter
            let cutoff = stamp(now.addingTimeInterval(-min(shortest, defaults.escalateAfter)))
            return try Int64.fetchAll(
                db.cachedStatement(sql: """
                    SELECT i.id FROM incidents i JOIN groups g ON g.id = i.group_id
                    WHERE i.status = 'awaiting_claim' AND g.status = 'active' AND i.waiting_since <= ?
                    ORDER BY i.id LIMIT ?
                    """), arguments: [cutoff, limit]
            ).map(IncidentID.init)
        }
        var applied: [AppliedEscalation] = []
        for incident in candidates {
            // Each due step in order, one transaction each.
            while let step = try await write({ db in try Self.escalate(incident, in: db, now: now, defaults: defaults) }) {
                applied.append(AppliedEscalation(incidentID: incident, step: step))
            }
        }
        return applied
    }

    /// Takes the next due escalation step of `id`, if any; returns it.
    static func escalate(_ id: IncidentID, in db: Database, now: Date, defaults: EscalationLadder) throws -> EscalationStep? {
        guard let stored = try db.storedIncident(id), let since = stored.incident.waitingSince,
            let group = try db.group(rowID: stored.groupRowID), group.group.status == .active,
            let departmentID = stored.incident.departmentID, let department = try db.department(departmentID)
        else { return nil }
        let incident = stored.incident
        let taken = Set(try String.fetchAll(
            db.cachedStatement(sql: "SELECT step FROM escalations WHERE incident_id = ? AND waiting_since = ?"),
            arguments: [id.rawValue, stamp(since)]
        ).compactMap(EscalationStep.init(rawValue:)))
        let ladder = try db.escalationLadder(company: incident.companyID, defaults: defaults)
        guard let step = Escalation.next(for: incident, taken: taken, ladder: ladder, at: now) else { return nil }
        let leads = try db.leadIDs(department: departmentID)
        let managers = group.group.managerIDs.sorted()
        let people = try db.people(leads + managers)
        func mention(_ user: UserID) -> Mention {
            people[user]?.mention ?? .user(id: user, handle: nil, name: Texts.unseenUser(user))
        }
        let effects = Escalation.effects(
            step, incident: incident, department: department,
            addressees: Escalation.addressees(leads: leads.map(mention), managers: managers.map(mention)),
            directMessageUsers: try db.directMessageUsers(), groupTitle: group.group.title, now: now)
        try db.run(
            "INSERT INTO escalations (incident_id, waiting_since, step, at) VALUES (?, ?, ?, ?)",
            [id.rawValue, stamp(since), step.rawValue, stamp(now)])
        var transaction = Transaction(db: db, now: now, chat: ChatRef(id: incident.chatID, kind: .supergroup), policy: .standard)
        transaction.group = group
        _ = try transaction.persist(effects, incident: id, group: group)
        return step
    }

    /// Pings the people of shifts that have started and are still running, once per shift
    /// occurrence, about their department's incidents waiting for a claim in the shift's group.
    /// An occurrence with nothing waiting is recorded too (and sends nothing), so a later
    /// tick in the same shift says nothing: new incidents call whoever is on shift anyway.
    public func applyShiftStarts(now: Date) async throws(StoreError) -> [AnnouncedShift] {
        let now = Timestamp.rounded(now)
        return try await write { db in
            var announced: [AnnouncedShift] = []
            let groups = try Int64.fetchAll(db.cachedStatement(sql: """
                SELECT DISTINCT s.group_id FROM shifts s JOIN groups g ON g.id = s.group_id
                WHERE g.status = 'active' AND g.company_id IS NOT NULL
                """))
            for groupRowID in groups {
                guard let group = try db.group(rowID: groupRowID), let company = group.group.companyID else { continue }
                let calendar = try db.shiftCalendar(company: company)
                let running = ShiftRoster.running(
                    try db.shiftAssignments(groupRowID: groupRowID, chat: group.group.chatID), at: now, calendar: calendar)
                for shift in running {
                    let start = stamp(shift.occurrence.start)
                    guard try db.row(
                        "SELECT 1 FROM shift_pings WHERE shift_id = ? AND occurrence_start = ?", [shift.assignment.id, start]) == nil
                    else { continue }
                    try db.run(
                        "INSERT INTO shift_pings (shift_id, occurrence_start, at) VALUES (?, ?, ?)",
                        [shift.assignment.id, start, stamp(now)])
                    let waiting = try db.rows(
                        """
                        SELECT id, number FROM incidents
                        WHERE group_id = ? AND department_id = ? AND status = 'awaiting_claim' ORDER BY number
                        """, [groupRowID, shift.assignment.departmentID.rawValue])
                    let isMember = try db.row(
                        "SELECT 1 FROM memberships WHERE department_id = ? AND user_id = ?",
                        [shift.assignment.departmentID.rawValue, shift.assignment.userID.rawValue]) != nil
                    guard !waiting.isEmpty, isMember, let department = try db.department(shift.assignment.departmentID) else {
                        announced.append(AnnouncedShift(shiftID: shift.assignment.id, occurrenceStart: shift.occurrence.start, waiting: []))
                        continue
                    }
                    let user = shift.assignment.userID
                    let person = try db.people([user])[user]?.mention ?? .user(id: user, handle: nil, name: Texts.unseenUser(user))
                    let effects = ShiftDecisions.shiftStarted(
                        person, department: department,
                        waiting: waiting.map { IncidentNumber(Int($0[1] as Int64)) })
                    var transaction = Transaction(db: db, now: now, chat: ChatRef(id: group.group.chatID, kind: .supergroup), policy: .standard)
                    transaction.group = group
                    _ = try transaction.persist(effects, incident: nil, group: group)
                    announced.append(AnnouncedShift(
                        shiftID: shift.assignment.id, occurrenceStart: shift.occurrence.start,
                        waiting: waiting.map { IncidentID($0[0] as Int64) }))
                }
            }
            return announced
        }
    }
}
