import Foundation
import IncidentCore

/// What a report is computed from: loaded by the store for one company (and group, when
/// filtered), covering the period (and the one before it, for comparisons).
public struct KPIDataset: Hashable, Sendable {
    /// Incidents created in the loaded span.
    public var incidents: [IncidentFact]
    /// Sessions that overlap the loaded span (assigned before its end, not ended before its
    /// start).
    public var sessions: [SessionFact]
    /// The participations of those sessions.
    public var participations: [ParticipationFact]
    /// Episodes open at the start of the loaded span (for the backlog).
    public var openAtStart: Int
    public var departmentNames: [DepartmentID: String]
    public var personNames: [UserID: String]
    public var groupTitles: [ChatID: String]

    public init(
        incidents: [IncidentFact] = [], sessions: [SessionFact] = [], participations: [ParticipationFact] = [],
        openAtStart: Int = 0, departmentNames: [DepartmentID: String] = [:], personNames: [UserID: String] = [:],
        groupTitles: [ChatID: String] = [:]
    ) {
        self.incidents = incidents
        self.sessions = sessions
        self.participations = participations
        self.openAtStart = openAtStart
        self.departmentNames = departmentNames
        self.personNames = personNames
        self.groupTitles = groupTitles
    }

    /// Builds a dataset from incidents' facts (as derived from their timelines), keeping what
    /// touches `span`; `openAtStart` counts the episodes open at `span.from`.
    public init(facts: [IncidentFacts], span: ReportPeriod) {
        self.init()
        for fact in facts {
            if span.contains(fact.incident.createdAt) { incidents.append(fact.incident) }
            var open = fact.incident.createdAt < span.from ? 1 : 0
            for session in fact.sessions {
                if session.assignedAt < span.from {
                    if session.isReopen { open += 1 }
                    if let end = session.endedAt, end < span.from, session.end == .resolved || session.end == .closed {
                        open -= 1
                    }
                }
                guard session.assignedAt < span.to, (session.endedAt ?? .distantFuture) >= span.from else { continue }
                sessions.append(session)
                participations += fact.participations.filter { $0.sessionSeq == session.seq }
            }
            openAtStart += open
        }
    }
}

/// Which part of a company's data a report covers.
public struct KPIFilter: Hashable, Codable, Sendable {
    public var departmentID: DepartmentID?
    public var chatID: ChatID?
    public var userID: UserID?

    public init(departmentID: DepartmentID? = nil, chatID: ChatID? = nil, userID: UserID? = nil) {
        self.departmentID = departmentID
        self.chatID = chatID
        self.userID = userID
    }
}

/// SLA compliance for both steps, with the thresholds used.
public struct SLAStats: Hashable, Codable, Sendable {
    public var claimThresholdSeconds: Double
    public var resolveThresholdSeconds: Double
    public var claim: Compliance
    public var resolve: Compliance
}

/// A session that took longer than its SLA threshold.
public struct Breach: Hashable, Codable, Sendable {
    public enum Step: String, Hashable, Codable, Sendable { case claim, resolve }
    public var incidentID: IncidentID
    public var number: String
    public var chatID: ChatID
    public var departmentID: DepartmentID
    public var departmentName: String?
    public var step: Step
    public var assignedAt: Date
    public var durationSeconds: Double
    public var thresholdSeconds: Double
    public var overBySeconds: Double
}

/// The headline numbers of a set of sessions.
public struct KPISummary: Hashable, Codable, Sendable {
    /// Incidents created in the period.
    public var created: Int
    /// Department sessions assigned in the period (choices, transfers, reopens).
    public var sessions: Int
    /// Of those sessions: claimed, resolved, auto-closed, transferred out, still open.
    public var claimed: Int
    public var resolved: Int
    public var autoClosed: Int
    public var transferredOut: Int
    public var stillOpen: Int
    public var timeToClaim: DurationStats
    public var timeToResolve: DurationStats
    public var sla: SLAStats
}

public struct DepartmentKPI: Hashable, Codable, Sendable {
    public var departmentID: DepartmentID
    public var name: String?
    public var summary: KPISummary
    /// Sessions that began with a transfer to this department.
    public var transferredIn: Int
    /// This department's share of all sessions in the report, in percent.
    public var workloadSharePercent: Double?
}

public struct DepartmentReport: Hashable, Codable, Sendable {
    public var period: ReportPeriod
    public var departments: [DepartmentKPI]
}

public struct SLAReport: Hashable, Codable, Sendable {
    public var period: ReportPeriod
    public var overall: SLAStats
    public var byDepartment: [DepartmentSLA]
    /// Worst first (largest overrun), at most `breachLimit`.
    public var breaches: [Breach]
    /// All breaches, including those not listed.
    public var breachCount: Int

    public struct DepartmentSLA: Hashable, Codable, Sendable {
        public var departmentID: DepartmentID
        public var name: String?
        public var sla: SLAStats
    }
}

public struct TrendPoint: Hashable, Codable, Sendable {
    public var start: Date
    public var end: Date
    /// The bucket's start in the company's zone.
    public var label: String
    public var created: Int
    public var resolved: Int
    public var autoClosed: Int
    public var reopened: Int
    /// Incidents open (not resolved or closed) at the bucket's end.
    public var backlog: Int
}

public struct TrendsReport: Hashable, Codable, Sendable {
    public var period: ReportPeriod
    public var bucket: BucketSize
    public var timeZone: String
    public var points: [TrendPoint]
}

public struct PersonKPI: Hashable, Codable, Sendable {
    public var userID: UserID
    public var name: String?
    /// Sessions this person claimed first.
    public var claimed: Int
    /// Sessions this person joined.
    public var joined: Int
    /// Sessions this person resolved (wrote the summary of).
    public var resolved: Int
    /// Time spent on incidents (claim or join to leave, transfer or end), clipped to the period.
    public var activeSeconds: Double
    /// Claim SLA over the sessions they claimed first; resolve SLA over the sessions they
    /// worked on that were resolved.
    public var sla: SLAStats
}

public struct PersonReport: Hashable, Codable, Sendable {
    public var period: ReportPeriod
    public var people: [PersonKPI]
}

public struct GroupKPI: Hashable, Codable, Sendable {
    public var chatID: ChatID
    public var title: String?
    public var summary: KPISummary
}

public struct GroupReport: Hashable, Codable, Sendable {
    public var period: ReportPeriod
    public var groups: [GroupKPI]
}

public struct ComparisonReport: Hashable, Codable, Sendable {
    public var current: ReportPeriod
    public var previous: ReportPeriod
    public var currentSummary: KPISummary
    public var previousSummary: KPISummary
    /// current - previous, for the counts and medians (nil when either side has none).
    public var change: Change

    public struct Change: Hashable, Codable, Sendable {
        public var created: Int
        public var sessions: Int
        public var resolved: Int
        public var autoClosed: Int
        public var medianTimeToClaimSeconds: Double?
        public var medianTimeToResolveSeconds: Double?
        public var claimCompliancePercent: Double?
        public var resolveCompliancePercent: Double?
    }
}

/// The KPI formulas. Pure: the data, the settings and `now` are inputs.
public struct KPIEngine: Sendable {
    public let settings: KPISettings
    public let now: Date
    public var breachLimit = 100

    public init(settings: KPISettings, now: Date) {
        self.settings = settings
        self.now = now
    }

    // MARK: Selection

    /// Sessions assigned in `period` that pass the filter.
    public func sessions(_ data: KPIDataset, in period: ReportPeriod, filter: KPIFilter) -> [SessionFact] {
        var worked: Set<SessionKey>? = nil
        if let user = filter.userID {
            worked = Set(data.participations.filter { $0.userID == user }.map { SessionKey($0.incidentID, $0.sessionSeq) })
        }
        return data.sessions.filter { session in
            Self.selects(session, period: period, filter: filter)
                && (worked == nil || worked!.contains(SessionKey(session.incidentID, session.seq)))
        }
    }

    /// Assigned in `period`, in the filter's department and group (the person filter aside).
    static func selects(_ session: SessionFact, period: ReportPeriod, filter: KPIFilter) -> Bool {
        period.contains(session.assignedAt)
            && (filter.departmentID == nil || session.departmentID == filter.departmentID)
            && (filter.chatID == nil || session.chatID == filter.chatID)
    }

    struct SessionKey: Hashable {
        var incident: IncidentID
        var seq: Int
        init(_ incident: IncidentID, _ seq: Int) {
            self.incident = incident
            self.seq = seq
        }
    }

    // MARK: Summary

    public func summary(_ sessions: [SessionFact], created: Int) -> KPISummary {
        summary(of: sessions, created: created)
    }

    /// ``summary(_:created:)`` of any collection (a department's sessions, picked by index,
    /// without copying them into an array of their own).
    func summary<Sessions: Collection<SessionFact>>(of sessions: Sessions, created: Int) -> KPISummary {
        var claims: [Double] = []
        var resolutions: [Double] = []
        var summary = KPISummary(
            created: created, sessions: sessions.count, claimed: 0, resolved: 0, autoClosed: 0, transferredOut: 0,
            stillOpen: 0, timeToClaim: DurationStats([]), timeToResolve: DurationStats([]), sla: sla([]))
        for session in sessions {
            if let claim = session.timeToClaim { claims.append(claim); summary.claimed += 1 }
            if let resolve = session.timeToResolve { resolutions.append(resolve) }
            switch session.end {
            case .resolved?: summary.resolved += 1
            case .closed?: summary.autoClosed += 1
            case .transferred?: summary.transferredOut += 1
            case nil: summary.stillOpen += 1
            }
        }
        summary.timeToClaim = DurationStats(claims)
        summary.timeToResolve = DurationStats(resolutions)
        // The SLA from the same durations, rather than working them out again per session.
        var claim = Compliance()
        var resolve = Compliance()
        for duration in claims { claim.add(duration, threshold: settings.claimThreshold) }
        for duration in resolutions { resolve.add(duration, threshold: settings.resolveThreshold) }
        summary.sla = SLAStats(
            claimThresholdSeconds: settings.claimThreshold, resolveThresholdSeconds: settings.resolveThreshold,
            claim: claim, resolve: resolve)
        return summary
    }

    public func sla(_ sessions: [SessionFact]) -> SLAStats { sla(of: sessions) }

    func sla<Sessions: Collection<SessionFact>>(of sessions: Sessions) -> SLAStats {
        var claim = Compliance()
        var resolve = Compliance()
        for session in sessions {
            claim.add(session.timeToClaim, threshold: settings.claimThreshold)
            resolve.add(session.timeToResolve, threshold: settings.resolveThreshold)
        }
        return SLAStats(
            claimThresholdSeconds: settings.claimThreshold, resolveThresholdSeconds: settings.resolveThreshold,
            claim: claim, resolve: resolve)
    }

    func created(_ data: KPIDataset, in period: ReportPeriod, filter: KPIFilter) -> Int {
        data.incidents.reduce(0) { count, incident in
            count + (period.contains(incident.createdAt) && (filter.chatID == nil || incident.chatID == filter.chatID) ? 1 : 0)
        }
    }

    // MARK: Reports

    public func departments(_ data: KPIDataset, period: ReportPeriod, filter: KPIFilter = .init()) -> DepartmentReport {
        let selected = sessions(data, in: period, filter: filter)
        // Indices, not copies of the sessions.
        var grouped: [DepartmentID: [Int]] = [:]
        for (index, session) in selected.enumerated() { grouped[session.departmentID, default: []].append(index) }
        let total = selected.count
        let departments = grouped.keys.sorted().map { id in
            let own = (grouped[id] ?? []).lazy.map { selected[$0] }
            return DepartmentKPI(
                departmentID: id, name: data.departmentNames[id], summary: summary(of: own, created: 0),
                transferredIn: own.reduce(0) { $0 + ($1.transferredIn ? 1 : 0) },
                workloadSharePercent: total == 0 ? nil : Double(own.count) * 100 / Double(total))
        }
        return DepartmentReport(period: period, departments: departments)
    }

    public func slaReport(_ data: KPIDataset, period: ReportPeriod, filter: KPIFilter = .init()) -> SLAReport {
        let selected = sessions(data, in: period, filter: filter)
        var grouped: [DepartmentID: [Int]] = [:]
        for (index, session) in selected.enumerated() { grouped[session.departmentID, default: []].append(index) }
        let (listed, count) = breaches(selected, names: data.departmentNames, limit: breachLimit)
        return SLAReport(
            period: period, overall: sla(selected),
            byDepartment: grouped.keys.sorted().map { id in
                SLAReport.DepartmentSLA(
                    departmentID: id, name: data.departmentNames[id], sla: sla(of: (grouped[id] ?? []).lazy.map { selected[$0] }))
            },
            breaches: listed, breachCount: count)
    }

    /// Sessions that reached a step later than its threshold, worst (largest overrun) first;
    /// ties by incident and step.
    public func breaches(_ sessions: [SessionFact], names: [DepartmentID: String] = [:]) -> [Breach] {
        breaches(sessions, names: names, limit: .max).listed
    }

    /// The first `limit` of ``breaches(_:names:)`` and how many there are: ranked on small
    /// values, and only the listed ones made into ``Breach`` values.
    func breaches(_ sessions: [SessionFact], names: [DepartmentID: String], limit: Int) -> (listed: [Breach], count: Int) {
        struct Candidate {
            var over: Double
            var incident: IncidentID
            /// 0 claim, 1 resolve (the order of their names).
            var step: Int
            var index: Int
            var duration: Double
        }
        var candidates: [Candidate] = []
        for (index, session) in sessions.enumerated() {
            if let duration = session.timeToClaim, duration > settings.claimThreshold {
                candidates.append(Candidate(
                    over: Milliseconds.rounded(duration - settings.claimThreshold), incident: session.incidentID, step: 0,
                    index: index, duration: duration))
            }
            if let duration = session.timeToResolve, duration > settings.resolveThreshold {
                candidates.append(Candidate(
                    over: Milliseconds.rounded(duration - settings.resolveThreshold), incident: session.incidentID, step: 1,
                    index: index, duration: duration))
            }
        }
        // Stable, as the sort of whole breaches was: equal keys keep the sessions' order.
        candidates.sort { ($0.over, $1.incident, $1.step) > ($1.over, $0.incident, $0.step) }
        let listed = candidates.prefix(max(0, limit)).map { candidate in
            let session = sessions[candidate.index]
            let threshold = candidate.step == 0 ? settings.claimThreshold : settings.resolveThreshold
            return Breach(
                incidentID: session.incidentID, number: session.number.padded, chatID: session.chatID,
                departmentID: session.departmentID, departmentName: names[session.departmentID],
                step: candidate.step == 0 ? .claim : .resolve, assignedAt: session.assignedAt,
                durationSeconds: candidate.duration, thresholdSeconds: threshold, overBySeconds: candidate.over)
        }
        return (listed, candidates.count)
    }

    /// The span trends need loaded: from the start of the bucket containing `period.from` to
    /// the end of the bucket containing the end of the period; nil if too many buckets.
    public func trendSpan(_ period: ReportPeriod, bucket: BucketSize) -> ReportPeriod? {
        guard let boundaries = KPICalendar(settings).boundaries(period, size: bucket) else { return nil }
        return ReportPeriod(from: boundaries[0], to: boundaries[boundaries.count - 1])
    }

    /// Incidents created, resolved, auto-closed and reopened per bucket (whole local hours,
    /// days or weeks), and the backlog (incidents open) at each bucket's end. `data` must be
    /// loaded for ``trendSpan(_:bucket:)`` (its `openAtStart` is the backlog at the first
    /// bucket's start). Only the group filter applies: trends are about incidents.
    public func trends(
        _ data: KPIDataset, period: ReportPeriod, bucket: BucketSize, chat: ChatID? = nil
    ) -> TrendsReport? {
        let kpiCalendar = KPICalendar(settings)
        guard let boundaries = kpiCalendar.boundaries(period, size: bucket) else { return nil }
        var points = zip(boundaries, boundaries.dropFirst()).map { start, end in
            TrendPoint(
                start: start, end: end, label: kpiCalendar.label(start, size: bucket), created: 0, resolved: 0,
                autoClosed: 0, reopened: 0, backlog: 0)
        }
        var delta = Array(repeating: 0, count: points.count)
        let first = boundaries[0]
        let last = boundaries[boundaries.count - 1]
        func index(_ date: Date) -> Int? {
            guard date >= first, date < last else { return nil }
            var low = 0
            var high = boundaries.count - 1
            while high - low > 1 {
                let mid = (low + high) / 2
                if boundaries[mid] <= date { low = mid } else { high = mid }
            }
            return low
        }
        for incident in data.incidents where chat == nil || incident.chatID == chat {
            guard let i = index(incident.createdAt) else { continue }
            points[i].created += 1
            delta[i] += 1
        }
        for session in data.sessions where chat == nil || session.chatID == chat {
            if session.isReopen, let i = index(session.assignedAt) {
                points[i].reopened += 1
                delta[i] += 1
            }
            guard let end = session.endedAt, session.end == .resolved || session.end == .closed,
                let i = index(end)
            else { continue }
            if session.end == .resolved { points[i].resolved += 1 } else { points[i].autoClosed += 1 }
            delta[i] -= 1
        }
        var backlog = data.openAtStart
        for i in points.indices {
            backlog += delta[i]
            points[i].backlog = backlog
        }
        return TrendsReport(period: period, bucket: bucket, timeZone: settings.timeZoneID, points: points)
    }

    public func people(_ data: KPIDataset, period: ReportPeriod, filter: KPIFilter = .init()) -> PersonReport {
        // The sessions counted, marked in place rather than copied out (over 100,000 incidents
        // a copy is some 15 MB), and each participation's session (an index, -1 for none).
        let sessions = data.sessions
        let selected = sessions.map { Self.selects($0, period: period, filter: filter) }
        let sessionOf = Self.sessionIndices(of: data.participations, in: sessions)
        struct Tally {
            var claimed = 0, joined = 0, resolved = 0
            var active: Double = 0
            var claim = Compliance(), resolve = Compliance()
        }
        // Each person's tally by a slot number, looked up once per participation.
        var slots = UserSlots()
        var tallies: [Tally] = []
        func slot(_ user: UserID) -> Int {
            let slot = slots.slot(user)
            if slot == tallies.count { tallies.append(Tally()) }
            return slot
        }
        // A person counts once per resolved session they worked on, however often they joined:
        // the first person seen on each session, and a set for the others.
        var firstWorker = [Int](repeating: -1, count: sessions.count)
        var otherWorkers = Set<Int>()
        func firstTime(_ slot: Int, on index: Int) -> Bool {
            if firstWorker[index] == -1 {
                firstWorker[index] = slot
                return true
            }
            return firstWorker[index] != slot && otherWorkers.insert(index << 32 | slot).inserted
        }
        let end = min(period.to, now)
        for (position, participation) in data.participations.enumerated() {
            let index = Int(sessionOf[position])
            guard index >= 0, selected[index] else { continue }
            if let user = filter.userID, participation.userID != user { continue }
            let person = slot(participation.userID)
            if participation.kind == .joined { tallies[person].joined += 1 }
            let start = max(participation.startedAt, period.from)
            let stop = min(participation.endedAt ?? now, end)
            if stop > start { tallies[person].active += Milliseconds.between(start, stop) }
            if sessions[index].end == .resolved, firstTime(person, on: index) {
                tallies[person].resolve.add(sessions[index].timeToResolve, threshold: settings.resolveThreshold)
            }
        }
        for (index, session) in sessions.enumerated() where selected[index] {
            if let claimer = session.firstClaimerID, filter.userID == nil || claimer == filter.userID {
                let person = slot(claimer)
                tallies[person].claimed += 1
                tallies[person].claim.add(session.timeToClaim, threshold: settings.claimThreshold)
            }
            if let resolver = session.resolverID, session.end == .resolved, filter.userID == nil || resolver == filter.userID {
                tallies[slot(resolver)].resolved += 1
            }
        }
        let people = slots.people.indices.sorted { slots.people[$0] < slots.people[$1] }.map { index in
            let user = slots.people[index]
            let tally = tallies[index]
            return PersonKPI(
                userID: user, name: data.personNames[user], claimed: tally.claimed, joined: tally.joined,
                resolved: tally.resolved, activeSeconds: tally.active,
                sla: SLAStats(
                    claimThresholdSeconds: settings.claimThreshold, resolveThresholdSeconds: settings.resolveThreshold,
                    claim: tally.claim, resolve: tally.resolve))
        }
        return PersonReport(period: period, people: people)
    }

    /// For each participation, the index of its session in `sessions` (-1 when not there),
    /// found by walking both in (incident, session) order rather than by a hash lookup per
    /// participation (which was a quarter of the people report's time over 100,000 incidents).
    /// Datasets from the store come in that order already, so the sorts are only checks.
    static func sessionIndices(of participations: [ParticipationFact], in sessions: [SessionFact]) -> [Int32] {
        func sessionKey(_ index: Int) -> (Int64, Int) { (sessions[index].incidentID.rawValue, sessions[index].seq) }
        func participationKey(_ index: Int) -> (Int64, Int) {
            (participations[index].incidentID.rawValue, participations[index].sessionSeq)
        }
        func ordered(_ count: Int, _ key: (Int) -> (Int64, Int)) -> [Int] {
            let indices = Array(0..<count)
            if indices.indices.dropFirst().allSatisfy({ key($0 - 1) <= key($0) }) { return indices }
            return indices.sorted { key($0) < key($1) }
        }
        let sessionOrder = ordered(sessions.count, sessionKey)
        let participationOrder = ordered(participations.count, participationKey)
        var result = [Int32](repeating: -1, count: participations.count)
        var next = 0
        for participation in participationOrder {
            let key = participationKey(participation)
            while next < sessionOrder.count, sessionKey(sessionOrder[next]) < key { next += 1 }
            if next < sessionOrder.count, sessionKey(sessionOrder[next]) == key { result[participation] = Int32(sessionOrder[next]) }
        }
        return result
    }

    public func groups(_ data: KPIDataset, period: ReportPeriod, filter: KPIFilter = .init()) -> GroupReport {
        let selected = sessions(data, in: period, filter: filter)
        var grouped: [ChatID: [Int]] = [:]
        for (index, session) in selected.enumerated() { grouped[session.chatID, default: []].append(index) }
        var chats = Set(grouped.keys)
        // Incidents created in the period, per group, in one pass.
        var created: [ChatID: Int] = [:]
        if filter.departmentID == nil, filter.userID == nil {
            for incident in data.incidents where period.contains(incident.createdAt)
                && (filter.chatID == nil || incident.chatID == filter.chatID)
            {
                chats.insert(incident.chatID)
                created[incident.chatID, default: 0] += 1
            }
        }
        let groups = chats.sorted().map { chat in
            GroupKPI(
                chatID: chat, title: data.groupTitles[chat],
                summary: summary(of: (grouped[chat] ?? []).lazy.map { selected[$0] }, created: created[chat] ?? 0))
        }
        return GroupReport(period: period, groups: groups)
    }

    /// The headline numbers of `period` under `filter`.
    public func summary(_ data: KPIDataset, period: ReportPeriod, filter: KPIFilter = .init()) -> KPISummary {
        let created = filter.departmentID == nil && filter.userID == nil ? created(data, in: period, filter: filter) : 0
        return summary(sessions(data, in: period, filter: filter), created: created)
    }

    /// `period` against the one of the same length before it (`data` must cover both).
    public func comparison(_ data: KPIDataset, period: ReportPeriod, filter: KPIFilter = .init()) -> ComparisonReport {
        let current = summary(data, period: period, filter: filter)
        let previous = summary(data, period: period.previous, filter: filter)
        func difference(_ a: Double?, _ b: Double?) -> Double? {
            guard let a, let b else { return nil }
            return a - b
        }
        return ComparisonReport(
            current: period, previous: period.previous, currentSummary: current, previousSummary: previous,
            change: .init(
                created: current.created - previous.created, sessions: current.sessions - previous.sessions,
                resolved: current.resolved - previous.resolved, autoClosed: current.autoClosed - previous.autoClosed,
                medianTimeToClaimSeconds: difference(current.timeToClaim.median, previous.timeToClaim.median)
                    .map(Milliseconds.rounded),
                medianTimeToResolveSeconds: difference(current.timeToResolve.median, previous.timeToResolve.median)
                    .map(Milliseconds.rounded),
                claimCompliancePercent: difference(current.sla.claim.percent, previous.sla.claim.percent),
                resolveCompliancePercent: difference(current.sla.resolve.percent, previous.sla.resolve.percent)))
    }
}
