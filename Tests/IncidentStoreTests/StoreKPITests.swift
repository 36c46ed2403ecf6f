import Foundation
import IncidentCore
import IncidentKPI
import Storage
import Testing

/// Reports read from a real SQLite file, after real updates.
@Suite("Store: KPI inputs")
struct StoreKPITests {
    typealias F = StoreFixture

    /// Incident 1 of Acme: Dispatch claims, transfers to Maintenance, which claims, presses
    /// Resolve and cancels, resolves with a summary, is reopened and auto-closed.
    func lifecycle(_ fixture: StoreFixture) async throws -> IncidentID {
        let id = try #require(try await fixture.newIssue(1, minutes: 0).incidentID)
        func press(_ update: Int64, _ action: ButtonAction, by person: Person, _ minutes: Double) async throws {
            let result = try await fixture.press(update, action, on: id, by: person, minutes: minutes)
            #expect(result.outcome == .applied, "update \(update)")
        }
        func summary(_ update: Int64, by person: Person, _ minutes: Double) async throws {
            let delivered = try await fixture.deliverAll(minutes: minutes)
            let item = try #require(delivered.last { if case .sendMessage(let m) = $0.effect { m.forceReply != nil } else { false } })
            let prompt = try #require(try await fixture.promptMessageID(of: item.id))
            #expect(try await fixture.reply(update, to: prompt, text: "fixed", by: person, minutes: minutes).outcome == .applied)
        }
        try await press(2, .chooseDepartment(fixture.dispatch.id), by: F.driver, 1)
        try await press(3, .claim, by: F.ann, 5)
        try await press(4, .openPicker, by: F.ann, 10)
        try await press(5, .pickDepartment(fixture.maintenance.id), by: F.ann, 20)
        try await press(6, .claim, by: F.otto, 50)
        try await press(7, .resolve, by: F.otto, 60)
        try await press(8, .cancelResolve, by: F.otto, 61)
        try await press(9, .resolve, by: F.otto, 70)
        try await summary(10, by: F.otto, 72)
        try await press(11, .reopen, by: F.manager, 100)
        try await press(12, .claim, by: F.otto, 110)
        try await press(13, .resolve, by: F.otto, 120)
        try await fixture.deliverAll(minutes: 120)
        #expect(try await fixture.store.applyTick(now: F.at(minutes: 181)).applied.map(\.action) == [.autoClose])
        return id
    }

    /// A second company with its own group and one incident.
    func otherCompany(_ fixture: StoreFixture) async throws -> (Company, IncidentID) {
        let beta = try await fixture.store.createCompany(name: "Beta", now: F.t0)
        let yard = try await fixture.store.createDepartment(company: beta.id, name: "Yard", now: F.t0)
        try await fixture.store.activateGroup(chat: F.otherChat.id, company: beta.id, managers: [F.manager.id], now: F.t0)
        try await fixture.store.registerDriver(F.driver.id, chat: F.otherChat.id, now: F.t0)
        try await fixture.store.addMember(.user(F.bob.id), to: yard.id, now: F.t0)
        let id = try #require(try await fixture.newIssue(100, chat: F.otherChat, minutes: 2).incidentID)
        _ = try await fixture.press(101, .chooseDepartment(yard.id), on: id, by: F.driver, chat: F.otherChat, minutes: 3)
        _ = try await fixture.press(102, .claim, on: id, by: F.bob, chat: F.otherChat, minutes: 4)
        return (beta, id)
    }

    static let day = ReportPeriod(from: F.t0.addingTimeInterval(-8 * 3600), to: F.t0.addingTimeInterval(16 * 3600))

    @Test("the sessions read from the tables are the ones the timeline gives")
    func tablesMatchTheTimeline() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let id = try await lifecycle(fixture)
        let timeline = try await fixture.store.timeline(of: id)
        let facts = try #require(IncidentFacts(id: id, chatID: F.chat.id, timeline: timeline))
        let data = try await fixture.store.kpiDataset(company: fixture.company.id, span: Self.day, participations: true)
        #expect(data.sessions.sorted { $0.seq < $1.seq } == facts.sessions)
        #expect(Set(data.participations) == Set(facts.participations))
        #expect(data.incidents == [facts.incident])
        #expect(data.openAtStart == 0)

        // What the formulas make of it, by hand: Dispatch claimed in 4 minutes and transferred;
        // Maintenance claimed in 30, resolved in 52 (the cancelled Resolve did not stop the
        // clock); the reopen was claimed in 10 and auto-closed.
        #expect(facts.sessions.map(\.timeToClaim) == [240, 1800, 600])
        #expect(facts.sessions.map(\.timeToResolve) == [nil, 3120, nil])
        #expect(facts.sessions.map(\.end) == [.transferred, .resolved, .closed])
        #expect(facts.sessions.map(\.episode) == [0, 0, 1])
        #expect(facts.sessions[1].resolverID == F.otto.id)
        let engine = KPIEngine(settings: .standard, now: F.at(minutes: 200))
        let summary = engine.summary(data, period: Self.day)
        #expect(summary.created == 1)
        #expect(summary.sessions == 3)
        #expect(summary.resolved == 1)
        #expect(summary.autoClosed == 1)
        #expect(summary.transferredOut == 1)
        #expect(summary.timeToClaim.median == 600)
        #expect(summary.sla.claim == Compliance(reached: 3, met: 2))
    }

    @Test("a span that starts after an incident's first sessions still gives their transfer and episode")
    func spanAfterEarlierSessions() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let id = try await lifecycle(fixture)
        let timeline = try await fixture.store.timeline(of: id)
        let facts = try #require(IncidentFacts(id: id, chatID: F.chat.id, timeline: timeline))
        // The sessions are read in one ordered scan that carries the previous session's end and
        // the episode along: sessions ending before the span are read but not kept.
        for (minutes, kept) in [(30.0, [1, 2]), (80.0, [2]), (150.0, [2])] {
            let span = ReportPeriod(from: F.at(minutes: minutes), to: F.at(minutes: 200))
            let data = try await fixture.store.kpiDataset(company: fixture.company.id, span: span, participations: true)
            #expect(data.sessions == kept.map { facts.sessions[$0] }, "from minute \(minutes)")
        }
        #expect(facts.sessions[1].transferredIn && !facts.sessions[1].isReopen)
        #expect(facts.sessions[2].episode == 1 && facts.sessions[2].isReopen)
    }

    @Test("tenant isolation: a report on one company never counts another's incidents")
    func tenantIsolation() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let acmeIncident = try await lifecycle(fixture)
        let (beta, betaIncident) = try await otherCompany(fixture)
        let acme = try await fixture.store.kpiDataset(company: fixture.company.id, span: Self.day, participations: true)
        let other = try await fixture.store.kpiDataset(company: beta.id, span: Self.day, participations: true)
        #expect(Set(acme.incidents.map(\.id)) == [acmeIncident])
        #expect(Set(acme.sessions.map(\.incidentID)) == [acmeIncident])
        #expect(Set(acme.participations.map(\.incidentID)) == [acmeIncident])
        #expect(Set(other.incidents.map(\.id)) == [betaIncident])
        #expect(Set(other.sessions.map(\.incidentID)) == [betaIncident])
        #expect(other.departmentNames.values.sorted() == ["Yard"])
        #expect(!acme.departmentNames.values.contains("Yard"))
        // Asking Acme's data for Beta's group finds nothing.
        let crossed = try await fixture.store.kpiDataset(company: fixture.company.id, span: Self.day, chat: F.otherChat.id)
        #expect(crossed.incidents.isEmpty && crossed.sessions.isEmpty && crossed.openAtStart == 0)
        let engine = KPIEngine(settings: .standard, now: F.at(minutes: 200))
        #expect(engine.summary(other, period: Self.day).created == 1)
        #expect(engine.summary(other, period: Self.day).sessions == 1)
        #expect(engine.people(other, period: Self.day).people.map(\.userID) == [F.bob.id])
        #expect(try await fixture.store.incidentExport(company: beta.id, span: Self.day).map(\.incident.id) == [betaIncident])
    }

    @Test("the backlog at a span's start counts incidents open then")
    func openAtStart() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        _ = try await lifecycle(fixture)
        // Awaiting a department since minute 2; another created at 3, sent at 30.
        _ = try await fixture.newIssue(200, minutes: 2)
        let late = try #require(try await fixture.newIssue(210, minutes: 3).incidentID)
        _ = try await fixture.press(211, .chooseDepartment(fixture.dispatch.id), on: late, by: F.driver, minutes: 30)
        func open(atMinute minute: Double) async throws -> Int {
            let span = ReportPeriod(from: F.at(minutes: minute), to: F.at(minutes: minute + 1))
            return try await fixture.store.kpiDataset(company: fixture.company.id, span: span).openAtStart
        }
        #expect(try await open(atMinute: 0.5) == 1)
        #expect(try await open(atMinute: 10) == 3)
        #expect(try await open(atMinute: 40) == 3)
        #expect(try await open(atMinute: 80) == 2)  // incident 1 resolved at 72
        #expect(try await open(atMinute: 150) == 3)  // reopened at 100
        #expect(try await open(atMinute: 190) == 2)  // auto-closed at 181
    }

    @Test("report settings: an unknown time zone is refused and writes nothing")
    func settings() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let company = fixture.company.id
        #expect(try await fixture.store.kpiSettings(company: company) == .standard)
        var bad = KPISettings.standard
        bad.timeZoneID = "Mars/Olympus"
        await #expect(throws: StoreError.self) { try await fixture.store.setKPISettings(bad, company: company, now: F.t0) }
        #expect(try await fixture.store.kpiSettings(company: company) == .standard)
        let good = KPISettings(timeZoneID: "Asia/Tashkent", weekStart: .sunday, claimThreshold: 600, resolveThreshold: 7200)
        try await fixture.store.setKPISettings(good, company: company, now: F.t0)
        #expect(try await fixture.store.kpiSettings(company: company) == good)
        await #expect(throws: StoreError.self) { try await fixture.store.kpiSettings(company: CompanyID(999)) }
    }

    @Test("/report: a summary for managers, a reason for everyone else")
    func reportCommand() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        _ = try await lifecycle(fixture)
        _ = try await otherCompany(fixture)
        try await fixture.deliverAll(minutes: 190)
        func report(_ update: Int64, _ argument: String, by person: Person) async throws -> (ApplyResult, String?) {
            let result = try await fixture.store.apply(
                updateID: update, chat: F.chat, sender: person,
                event: .report(command: MessageID(update * 10), argument: argument), now: F.at(minutes: 200))
            let delivered = try await fixture.deliverAll(minutes: 200)
            let html = delivered.compactMap { item -> String? in
                if case .sendMessage(let message) = item.effect { message.html } else { nil }
            }.first
            return (result, html)
        }
        let (byManager, html) = try await report(300, "", by: F.manager)
        #expect(byManager.outcome == .applied)
        let text = try #require(html)
        #expect(text.contains("Daily report</b> · Fleet"))
        #expect(text.contains("2025-03-01 (UTC)"))
        #expect(text.contains("Created: <b>1</b> · resolved: <b>1</b> · auto-closed: <b>1</b>"))
        #expect(text.contains("Median time to claim: <b>10m</b>"))
        #expect(text.contains("#0001 Maintenance: claimed after 30m (+15m)"))

        let (week, weekHTML) = try await report(301, "WEEK", by: F.manager)
        #expect(week.outcome == .applied)
        #expect(weekHTML?.contains("Weekly report") == true)
        #expect(weekHTML?.contains("2025-02-24 – 2025-03-02") == true)

        let (byMember, refusal) = try await report(302, "day", by: F.ann)
        #expect(byMember.outcome == .refused(.reportManagersOnly))
        #expect(refusal == "Only this group&#x27;s managers can ask for a report." || refusal?.contains("managers can ask for a report") == true)

        let (usage, usageText) = try await report(303, "year", by: F.manager)
        #expect(usage.outcome == .refused(.reportUsage))
        #expect(usageText?.contains("/report week") == true)
    }
}
