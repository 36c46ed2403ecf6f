#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Timestamps

/// The time rules: how often to remind, how long to wait for a summary, how long a finished
/// incident can be reopened.
public struct SLAPolicy: Hashable, Codable, Sendable {
    /// Remind while waiting for a claim every this often; also the time after creation at
    /// which a reporter who has not chosen a department is reminded (once).
    public var unclaimedNudge: TimeInterval
    /// How long after Resolve the summary may take before the incident is closed.
    public var summaryTimeout: TimeInterval
    /// How long after resolution or closure Reopen is allowed.
    public var reopenWindow: TimeInterval

    /// Periods given in decimal minutes (`SLA_UNCLAIMED_NUDGE_MINUTES=0.5` is 30 s); nil
    /// unless every period is finite and positive.
    public init?(
        unclaimedNudgeMinutes: Double, summaryTimeoutMinutes: Double, reopenWindowDays: Double = 7
    ) {
        guard let nudge = Self.seconds(minutes: unclaimedNudgeMinutes),
            let summary = Self.seconds(minutes: summaryTimeoutMinutes),
            let reopen = Self.seconds(minutes: reopenWindowDays * 24 * 60)
        else { return nil }
        self.init(unclaimedNudge: nudge, summaryTimeout: summary, reopenWindow: reopen)
    }

    /// Periods in seconds; they must be positive.
    public init(unclaimedNudge: TimeInterval, summaryTimeout: TimeInterval, reopenWindow: TimeInterval) {
        self.unclaimedNudge = unclaimedNudge
        self.summaryTimeout = summaryTimeout
        self.reopenWindow = reopenWindow
    }

    /// Seconds in `minutes` decimal minutes, rounded to the millisecond; nil unless finite
    /// and at least a millisecond.
    public static func seconds(minutes: Double) -> TimeInterval? {
        guard minutes.isFinite, minutes > 0, minutes < 1e9 else { return nil }
        let seconds = (minutes * 60_000).rounded() / 1000
        return seconds >= 0.001 ? seconds : nil
    }

    /// The seed's defaults: remind every 10 minutes, close after 60 without a summary.
    public static let standard = SLAPolicy(
        unclaimedNudge: 600, summaryTimeout: 3600, reopenWindow: 7 * 86_400)

    /// The reopen window in whole days, for messages.
    public var reopenWindowDays: Int { max(1, Int((reopenWindow / 86_400).rounded())) }
}

/// The time-based action an incident needs.
public enum DueAction: String, Hashable, Codable, Sendable {
    /// Remind the reporter to choose a department (once).
    case remindReporter = "remind_reporter"
    /// Remind the department that it waits for a claim.
    case remindDepartment = "remind_department"
    /// Close it: the summary did not come in time.
    case autoClose = "auto_close"

    /// The action that carries it out.
    public var action: IncidentAction { self == .autoClose ? .autoClose : .nudge }
}

extension SLAPolicy {
    /// When `incident` next needs the clock, and for what; nil if it never will in its
    /// current state.
    public func nextDue(for incident: Incident) -> (at: Date, action: DueAction)? {
        switch incident.status {
        case .awaitingDepartment:
            guard !incident.reporterNudged else { return nil }
            return (incident.createdAt.addingTimeInterval(unclaimedNudge), .remindReporter)
        case .awaitingClaim:
            guard let since = incident.waitingSince else { return nil }
            let base = max(incident.lastNudgeAt ?? since, since)
            return (base.addingTimeInterval(unclaimedNudge), .remindDepartment)
        case .awaitingSummary:
            guard let deadline = incident.summaryDeadline else { return nil }
            return (deadline, .autoClose)
        case .inProgress, .resolved, .closed:
            return nil
        }
    }

    /// The action due at `now`, if any.
    public func due(for incident: Incident, at now: Date) -> DueAction? {
        guard let next = nextDue(for: incident), next.at <= now else { return nil }
        return next.action
    }

    /// The latest reminder time at or before `now` on the schedule `since + k * period`
    /// (k >= 1). Reminders stay on that schedule: after downtime one reminder is sent, not a
    /// burst, and the next one is due at the next slot.
    public func reminderSlot(since: Date, at now: Date) -> Date {
        let elapsed = now.timeIntervalSince(since)
        let slots = max(1, (elapsed / unclaimedNudge).rounded(.down))
        return Timestamp.rounded(since.addingTimeInterval(slots * unclaimedNudge))
    }

    /// The summary deadline for a Resolve pressed at `now`.
    public func summaryDeadline(resolveRequestedAt now: Date) -> Date {
        Timestamp.rounded(now.addingTimeInterval(summaryTimeout))
    }

    /// Until when a finished incident can be reopened.
    public func reopenDeadline(for incident: Incident) -> Date? {
        incident.finishedAt.map { $0.addingTimeInterval(reopenWindow) }
    }
}
