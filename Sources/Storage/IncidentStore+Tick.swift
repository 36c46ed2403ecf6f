import Foundation
import GRDB
import IncidentCore
import Timestamps

/// A reminder or auto-close that is due.
public struct DueReminder: Hashable, Sendable {
    public var incidentID: IncidentID
    public var action: DueAction
    public var dueAt: Date
}

/// What a tick did.
public struct TickReport: Hashable, Sendable {
    /// Reminders sent and incidents closed, in the order they were applied.
    public var applied: [DueReminder]
    /// Outbox items written.
    public var outboxIDs: [Int64]
    /// Escalation steps taken, in order.
    public var escalations: [AppliedEscalation] = []
    /// Shift starts announced.
    public var shiftStarts: [AnnouncedShift] = []
}

extension IncidentStore {
    /// Reminders and auto-closes due at `now`, computed from the stored timestamps. Incidents
    /// of groups that are not active get no reminders (auto-close still applies).
    public func dueReminders(now: Date, limit: Int = 500) async throws(StoreError) -> [DueReminder] {
        let policy = self.policy
        return try await read { db in try Self.dueReminders(db, now: Timestamp.rounded(now), policy: policy, limit: limit) }
    }

    /// Applies everything due at `now`, each incident in its own transaction. Each reminder is
    /// sent once: applying it moves the stored reminder state on, so a second tick (in this
    /// process or after a restart) finds nothing due until the next period.
    public func applyTick(now: Date, limit: Int = 500) async throws(StoreError) -> TickReport {
        let now = Timestamp.rounded(now)
        let policy = self.policy
        var report = TickReport(applied: [], outboxIDs: [])
        for due in try await dueReminders(now: now, limit: limit) {
            var attempt = 0
            while true {
                do {
                    let ids = try await write { db -> [Int64]? in
                        guard let stored = try db.storedIncident(due.incidentID) else { return nil }
                        var transaction = Transaction(db: db, now: now, chat: ChatRef(id: stored.incident.chatID, kind: .supergroup), policy: policy)
                        transaction.group = try db.group(rowID: stored.groupRowID)
                        let result = try transaction.decide(due.action.action, on: stored, by: .clock, trigger: .clock)
                        return result.outcome == .applied ? result.outboxIDs : nil
                    }
                    if let ids {
                        report.applied.append(due)
                        report.outboxIDs += ids
                    }
                    break
                } catch let error where error.code == .conflict && attempt < configuration.conflictRetries {
                    attempt += 1
                }
            }
        }
        report.escalations = try await applyEscalations(now: now, limit: limit)
        report.shiftStarts = try await applyShiftStarts(now: now)
        return report
    }

    static func dueReminders(_ db: Database, now: Date, policy: SLAPolicy, limit: Int) throws -> [DueReminder] {
        // A coarse filter in SQL (text timestamps compare in time order), then the exact rule.
        // A company may remind more often than the installation (docs/shifts.md).
        let shortest = try Double.fetchOne(
            db.cachedStatement(sql: "SELECT MIN(reminder_seconds) FROM company_escalation_settings"))
        let cutoff = stamp(now.addingTimeInterval(-min(policy.unclaimedNudge, shortest ?? policy.unclaimedNudge)))
        let rows = try db.rows(
            Database.incidentSelect + """

            WHERE (i.status = 'awaiting_department' AND i.reporter_nudged = 0 AND i.created_at <= ?
                    AND g.status = 'active')
               OR (i.status = 'awaiting_claim' AND g.status = 'active'
                    AND MAX(COALESCE(i.last_nudge_at, i.waiting_since), i.waiting_since) <= ?)
               OR (i.status = 'awaiting_summary' AND i.summary_deadline <= ?)
            ORDER BY i.id
            LIMIT ?
            """, [cutoff, cutoff, stamp(now), limit])
        var policies: [CompanyID: SLAPolicy] = [:]
        return try rows.compactMap { row -> DueReminder? in
            let incident = try db.storedIncident(row).incident
            let own = try policies[incident.companyID] ?? db.policy(policy, company: incident.companyID)
            policies[incident.companyID] = own
            guard let next = own.nextDue(for: incident), next.at <= now else { return nil }
            return DueReminder(incidentID: incident.id, action: next.action, dueAt: next.at)
        }
    }
}
