import Foundation
import IncidentCore
import IncidentKPI
import Testing

/// The formulas against hand-computed fixtures (see docs/kpi.md for the same examples).
@Suite("KPI formulas")
struct KPIFormulaTests {
    typealias F = KPIFixtures
    let engine = KPIEngine(settings: KPIFixtures.settings, now: KPIFixtures.t("2025-03-02T00:00:00Z"))

    @Test("percentiles interpolate between closest ranks (PERCENTILE.INC)")
    func percentiles() {
        let stats = DurationStats([600, 60, 180, 120])
        #expect(stats.count == 4)
        #expect(stats.median == 150)
        #expect(stats.p90 == 474)
        #expect(stats.p95 == 537)
        #expect(stats.mean == 240)
        #expect(stats.max == 600)
        #expect(DurationStats([42]).median == 42)
        #expect(DurationStats([42]).p95 == 42)
        #expect(DurationStats([]).median == nil)
        #expect(Percentile.of([1, 2, 3, 4, 5], 0.5) == 3)
    }

    @Test("a transfer starts a new session: each department is measured on its own part")
    func transfer() throws {
        let sessions = F.transfer.sessions
        #expect(sessions.count == 2)
        #expect(sessions[0].departmentID == F.dispatch)
        #expect(sessions[0].timeToClaim == 240)
        #expect(sessions[0].end == .transferred)
        #expect(sessions[0].timeToResolve == nil)
        #expect(sessions[1].departmentID == F.maintenance)
        #expect(sessions[1].transferredIn)
        #expect(sessions[1].timeToClaim == 1800)
        #expect(sessions[1].timeToResolve == 3120)
        // Ann's work ended with the transfer.
        #expect(F.transfer.participations[0].endedAt == F.t("2025-03-01T08:20:00Z"))

        let report = engine.departments(F.dataset([F.transfer]), period: F.day)
        let dispatch = try #require(report.departments.first { $0.departmentID == F.dispatch })
        let maintenance = try #require(report.departments.first { $0.departmentID == F.maintenance })
        #expect(dispatch.summary.sessions == 1)
        #expect(dispatch.summary.transferredOut == 1)
        #expect(dispatch.summary.timeToClaim.median == 240)
        #expect(dispatch.summary.timeToResolve.count == 0)
        #expect(dispatch.transferredIn == 0)
        #expect(dispatch.workloadSharePercent == 50)
        #expect(maintenance.transferredIn == 1)
        #expect(maintenance.summary.resolved == 1)
        #expect(maintenance.summary.timeToClaim.median == 1800)
        #expect(maintenance.summary.timeToResolve.median == 3120)
        #expect(maintenance.summary.sla.claim == Compliance(reached: 1, met: 0))
        #expect(maintenance.summary.sla.resolve == Compliance(reached: 1, met: 1))

        let sla = engine.slaReport(F.dataset([F.transfer]), period: F.day)
        #expect(sla.overall.claim.percent == 50)
        #expect(sla.overall.resolve.percent == 100)
        #expect(sla.breaches.map(\.step) == [.claim])
        #expect(sla.breaches.first?.overBySeconds == 900)
        #expect(sla.breaches.first?.departmentName == "Maintenance")

        let people = engine.people(F.dataset([F.transfer]), period: F.day).people
        let ann = try #require(people.first { $0.userID == F.ann })
        let otto = try #require(people.first { $0.userID == F.otto })
        #expect(ann.claimed == 1)
        #expect(ann.resolved == 0)
        #expect(ann.activeSeconds == 900)
        #expect(otto.claimed == 1)
        #expect(otto.resolved == 1)
        #expect(otto.activeSeconds == 1320)
        #expect(otto.sla.claim == Compliance(reached: 1, met: 0))
        #expect(otto.sla.resolve == Compliance(reached: 1, met: 1))
    }

    @Test("a reopen starts a new episode, measured from the reopen")
    func reopen() throws {
        let sessions = F.reopen.sessions
        #expect(sessions.map(\.episode) == [0, 1])
        #expect(sessions.map(\.isReopen) == [false, true])
        #expect(sessions.map(\.timeToClaim) == [600, 1200])
        #expect(sessions.map(\.timeToResolve) == [2400, 5400])
        #expect(sessions.map(\.resolverID) == [F.ann, F.bob])

        let summary = engine.summary(F.dataset([F.reopen]), period: F.day)
        #expect(summary.created == 1)
        #expect(summary.sessions == 2)
        #expect(summary.resolved == 2)
        #expect(summary.timeToResolve.median == 3900)
        #expect(summary.sla.claim == Compliance(reached: 2, met: 1))
        #expect(summary.sla.resolve == Compliance(reached: 2, met: 1))
        // Worst first: the resolve overran by 30 minutes, the claim by 5.
        let breaches = engine.slaReport(F.dataset([F.reopen]), period: F.day).breaches
        #expect(breaches.map(\.step) == [.resolve, .claim])
        #expect(breaches.map(\.overBySeconds) == [1800, 300])

        let trends = try #require(engine.trends(
            F.dataset([F.reopen]), period: ReportPeriod(from: F.t("2025-03-01T10:00:00Z"), to: F.t("2025-03-01T14:00:00Z")),
            bucket: .hour))
        #expect(trends.points.map(\.created) == [1, 0, 0, 0])
        #expect(trends.points.map(\.resolved) == [1, 0, 0, 1])
        #expect(trends.points.map(\.reopened) == [0, 0, 1, 0])
        #expect(trends.points.map(\.backlog) == [0, 0, 1, 0])
    }

    @Test("auto-closed incidents are counted apart from resolved ones")
    func autoClose() {
        let session = F.autoClose.sessions[0]
        #expect(session.end == .closed)
        #expect(session.timeToResolve == nil)
        let summary = engine.summary(F.dataset([F.autoClose, F.cancelled]), period: F.day)
        #expect(summary.autoClosed == 1)
        #expect(summary.resolved == 1)
        #expect(summary.timeToResolve.count == 1)
        #expect(summary.sla.resolve == Compliance(reached: 1, met: 1))
        #expect(DurationStats([]).median == nil)
        let alone = engine.summary(F.dataset([F.autoClose]), period: F.day)
        #expect(alone.sla.resolve.percent == nil)
        #expect(alone.sla.claim.percent == 100)
    }

    @Test("a cancelled resolution does not count: the time runs to the resolution that happened")
    func cancelledResolution() throws {
        let session = F.cancelled.sessions[0]
        #expect(session.timeToResolve == 2700)
        #expect(session.resolverID == F.ann)
        let summary = engine.summary(F.dataset([F.cancelled]), period: F.day)
        #expect(summary.resolved == 1)
        #expect(summary.timeToResolve.median == 2700)
        let people = engine.people(F.dataset([F.cancelled]), period: F.day).people
        let bob = try #require(people.first { $0.userID == F.bob })
        #expect(bob.joined == 1)
        #expect(bob.activeSeconds == 900)
        #expect(bob.resolved == 0)
        #expect(bob.sla.resolve == Compliance(reached: 1, met: 1))
    }

    @Test("filters: department, group, person; sessions outside the period are left out")
    func filters() {
        var other = F.autoClose
        other.incident.chatID = F.otherChat
        for index in other.sessions.indices { other.sessions[index].chatID = F.otherChat }
        let data = F.dataset([F.transfer, F.reopen, other, F.cancelled])
        #expect(engine.summary(data, period: F.day).sessions == 6)
        #expect(engine.summary(data, period: F.day, filter: KPIFilter(departmentID: F.maintenance)).sessions == 1)
        #expect(engine.summary(data, period: F.day, filter: KPIFilter(chatID: F.otherChat)).sessions == 1)
        #expect(engine.summary(data, period: F.day, filter: KPIFilter(chatID: F.otherChat)).created == 1)
        #expect(engine.summary(data, period: F.day, filter: KPIFilter(userID: F.bob)).sessions == 2)
        let morning = ReportPeriod(from: F.t("2025-03-01T08:00:00Z"), to: F.t("2025-03-01T09:00:00Z"))
        #expect(engine.summary(data, period: morning).sessions == 4)
        #expect(engine.summary(data, period: morning).created == 3)
        let groups = engine.groups(data, period: F.day).groups
        #expect(groups.map(\.chatID) == [F.chat, F.otherChat].sorted())
    }

    @Test("comparison: this period against the previous one of the same length")
    func comparison() {
        let data = F.dataset(
            [F.transfer, F.reopen, F.cancelled],
            span: ReportPeriod(from: F.t("2025-03-01T06:00:00Z"), to: F.t("2025-03-01T14:00:00Z")))
        let period = ReportPeriod(from: F.t("2025-03-01T10:00:00Z"), to: F.t("2025-03-01T14:00:00Z"))
        let report = engine.comparison(data, period: period)
        #expect(report.previous == ReportPeriod(from: F.t("2025-03-01T06:00:00Z"), to: F.t("2025-03-01T10:00:00Z")))
        #expect(report.currentSummary.created == 1)
        #expect(report.previousSummary.created == 2)
        #expect(report.currentSummary.sessions == 2)
        #expect(report.previousSummary.sessions == 3)
        #expect(report.change.created == -1)
        #expect(report.change.medianTimeToClaimSeconds == 660.0)  // 900 - 240
    }
}
