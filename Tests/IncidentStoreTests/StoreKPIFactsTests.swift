import Foundation
import GRDB
import IncidentCore
import IncidentKPI
@testable import Storage
import Testing

/// The report facts (`kpi_*` tables kept by triggers, migration `v4-kpi2`) against the scan of
/// the source tables they replace: the same datasets, so the same reports, on generated stores.
@Suite("Store: report facts")
struct StoreKPIFactsTests {
    typealias F = StoreFixture

    /// Spans that start before the data, in its middle (sessions open across the start), end
    /// after it, and are one day to the whole range long, with boundaries at odd times.
    static func spans(end: Date, days: Double) -> [ReportPeriod] {
        let day = 86_400.0
        var spans = [
            ReportPeriod(from: end.addingTimeInterval(-(days + 2) * day), to: end.addingTimeInterval(day)),
            ReportPeriod(from: end.addingTimeInterval(-7 * day), to: end.addingTimeInterval(day)),
            ReportPeriod(from: end.addingTimeInterval(-30 * day), to: end.addingTimeInterval(day)),
            ReportPeriod(from: end.addingTimeInterval(-1 * day), to: end),
        ]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<6 {
            let start = Double.random(in: -(days + 1)...(-0.5), using: &generator) * day
            let length = Double.random(in: 0.2...(days / 2), using: &generator) * day
            spans.append(ReportPeriod(
                from: end.addingTimeInterval(start.rounded()), to: end.addingTimeInterval((start + length).rounded())))
        }
        return spans
    }

    /// Every report the admin API serves, on `data`, encoded: equal bytes mean equal reports.
    static func reports(_ data: KPIDataset, period: ReportPeriod, filter: KPIFilter, now: Date) throws -> [Data] {
        let engine = KPIEngine(settings: .standard, now: now)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var all = [
            try encoder.encode(engine.departments(data, period: period, filter: filter)),
            try encoder.encode(engine.slaReport(data, period: period, filter: filter)),
            try encoder.encode(engine.people(data, period: period, filter: filter)),
            try encoder.encode(engine.groups(data, period: period, filter: filter)),
            try encoder.encode(engine.summary(data, period: period, filter: filter)),
        ]
        if filter.departmentID == nil, filter.userID == nil {
            all.append(try encoder.encode(engine.trends(data, period: period, bucket: .day, chat: filter.chatID)))
        }
        return all
    }

    /// Compares both loaders over `spans` on every filter the reports take.
    static func compare(
        _ store: IncidentStore, company: CompanyID, spans: [ReportPeriod], now: Date, seed: UInt64
    ) async throws -> Int {
        let departments = try await store.departments(company: company).map(\.id)
        let wide = ReportPeriod(from: Date(timeIntervalSince1970: 0), to: now.addingTimeInterval(400 * 86_400))
        let chats = Set(try await store.kpiDatasetScanningSessions(company: company, span: wide).sessions.map(\.chatID)).sorted()
        var compared = 0
        for span in spans {
            for chat in [nil, chats.first, chats.last] {
                for participations in [false, true] {
                    let facts = try await store.kpiDataset(
                        company: company, span: span, chat: chat, participations: participations)
                    let scanned = try await store.kpiDatasetScanningSessions(
                        company: company, span: span, chat: chat, participations: participations)
                    #expect(facts.incidents == scanned.incidents, "seed \(seed) span \(span) chat \(String(describing: chat))")
                    #expect(facts.sessions == scanned.sessions, "seed \(seed) span \(span) chat \(String(describing: chat))")
                    #expect(facts.participations == scanned.participations, "seed \(seed) span \(span)")
                    #expect(facts.openAtStart == scanned.openAtStart, "seed \(seed) span \(span) chat \(String(describing: chat))")
                    #expect(facts == scanned, "seed \(seed) span \(span)")
                    compared += 1
                }
            }
            // Reports, with each filter, from datasets loaded as the admin API loads them.
            let facts = try await store.kpiDataset(company: company, span: span, participations: true)
            let scanned = try await store.kpiDatasetScanningSessions(company: company, span: span, participations: true)
            let people = Set(scanned.participations.map(\.userID)).sorted()
            var filters = [KPIFilter()]
            filters += departments.prefix(2).map { KPIFilter(departmentID: $0) }
            filters += chats.prefix(1).map { KPIFilter(chatID: $0) }
            filters += people.prefix(2).map { KPIFilter(userID: $0) }
            for filter in filters {
                let mine = try reports(facts, period: span, filter: filter, now: now)
                #expect(mine == (try reports(scanned, period: span, filter: filter, now: now)), "seed \(seed) span \(span) filter \(filter)")
            }
        }
        return compared
    }

    @Test("on a generated store the report facts give the datasets and reports of the source tables")
    func factsMatchTheSourceTables() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let seed = UInt64.random(in: 1...UInt64.max)
        let end = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 * 1000).rounded() / 1000)
        let days = 30.0
        // Two generated companies (the second one's incidents interleave with nothing: a
        // report on one must never see the other's), and the fixture's company with a
        // hand-made lifecycle.
        let first = try await fixture.store.generate(KPIBenchData(incidents: 1200, groups: 4, days: days, end: end, seed: seed))
        let second = try await fixture.store.generate(KPIBenchData(incidents: 300, groups: 2, days: days, end: end, seed: seed &+ 1))
        let compared = try await Self.compare(
            fixture.store, company: first, spans: Self.spans(end: end, days: days), now: end, seed: seed)
        #expect(compared > 0)
        _ = try await Self.compare(
            fixture.store, company: second, spans: Self.spans(end: end, days: days).prefix(3).map { $0 }, now: end, seed: seed)
        // The whole span has sessions of every kind the formulas tell apart.
        let whole = try await fixture.store.kpiDataset(
            company: first, span: Self.spans(end: end, days: days)[0], participations: true)
        #expect(whole.sessions.contains { $0.transferredIn })
        #expect(whole.sessions.contains { $0.isReopen })
        #expect(whole.sessions.contains { $0.end == .closed })
        // (Sessions still open: whether the newest generated ones stop part-way depends on the
        // seed; the lifecycle test below always has one.)
        #expect(whole.sessions.contains { $0.resolverID != nil })
        #expect(Set(whole.sessions.map(\.incidentID)).isDisjoint(with: Set(
            try await fixture.store.kpiDataset(company: second, span: Self.spans(end: end, days: days)[0]).sessions.map(\.incidentID))))
    }

    @Test("live decisions keep the report facts: a lifecycle with a transfer, a reopen and an auto-close")
    func liveDecisionsKeepTheFacts() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        _ = try await StoreKPITests().lifecycle(fixture)
        _ = try await fixture.newIssue(200, minutes: 2)
        let late = try #require(try await fixture.newIssue(210, minutes: 3).incidentID)
        _ = try await fixture.press(211, .chooseDepartment(fixture.dispatch.id), on: late, by: F.driver, minutes: 30)
        _ = try await fixture.press(212, .claim, on: late, by: F.ann, minutes: 31)
        _ = try await fixture.press(213, .join, on: late, by: F.bob, minutes: 32)
        _ = try await fixture.press(214, .leave, on: late, by: F.bob, minutes: 35)
        var spans: [ReportPeriod] = []
        for minute in stride(from: -60.0, through: 200, by: 10) {
            spans.append(ReportPeriod(from: F.at(minutes: minute), to: F.at(minutes: minute + 45)))
            spans.append(ReportPeriod(from: F.at(minutes: minute), to: F.at(minutes: 400)))
        }
        _ = try await Self.compare(fixture.store, company: fixture.company.id, spans: spans, now: F.at(minutes: 200), seed: 0)
        let facts = try await fixture.store.kpiDataset(
            company: fixture.company.id, span: ReportPeriod(from: F.at(minutes: -1), to: F.at(minutes: 400)), participations: true)
        #expect(facts.sessions.count == 4)
        #expect(facts.participations.filter { $0.userID == F.bob.id }.map(\.endedAt) == [F.at(minutes: 35)])

        // The comparison notices a fact that drifted from the source tables.
        let whole = ReportPeriod(from: F.at(minutes: -1), to: F.at(minutes: 400))
        for drift in [
            "UPDATE kpi_sessions SET episode = 0 WHERE episode = 1",
            "UPDATE kpi_sessions SET transferred_in = 0",
            "UPDATE kpi_sessions SET resolver_id = NULL",
            "UPDATE kpi_participations SET ended_ms = ended_ms + 1 WHERE ended_ms IS NOT NULL",
        ] {
            try await fixture.store.pool.write { db in try db.execute(sql: drift) }
            let reference = try await fixture.store.kpiDatasetScanningSessions(
                company: fixture.company.id, span: whole, participations: true)
            #expect(try await fixture.store.kpiDataset(company: fixture.company.id, span: whole, participations: true)
                != reference, "\(drift)")
            // Rewriting the source rows runs the update triggers, which put the facts right.
            try await fixture.store.pool.write { db in
                try db.execute(sql: "UPDATE department_sessions SET seq = seq; UPDATE participations SET seq = seq")
            }
            #expect(try await fixture.store.kpiDataset(company: fixture.company.id, span: whole, participations: true)
                == reference, "after \(drift)")
        }
    }

    @Test("the migration back-fills the report facts of a database made before it")
    func migrationBackFills() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let end = Date(timeIntervalSince1970: 1_740_816_000 + 20 * 86_400)
        let company = try await fixture.store.generate(KPIBenchData(incidents: 400, groups: 3, days: 20, end: end, seed: 7))
        _ = try await StoreKPITests().lifecycle(fixture)
        let spans = Self.spans(end: end, days: 20)
        var before: [KPIDataset] = []
        for span in spans { before.append(try await fixture.store.kpiDatasetScanningSessions(company: company, span: span, participations: true)) }

        // Take the migration out again: drop what it made and forget it was applied. The
        // schema is then the one a database made before it has (checked against one made by
        // the migrations up to the one before), with all the data written since.
        let migration = "v4-kpi2: report facts kept by triggers"
        let previous = try #require(Schema.migrator.migrations.last { $0 != migration })
        #expect(Schema.migrator.migrations.last == migration || Schema.migrator.migrations.contains(migration))
        let pool = fixture.store.pool
        try await pool.write { db in
            for trigger in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'kpi_%'") {
                try db.execute(sql: "DROP TRIGGER \(trigger)")
            }
            for table in ["kpi_incidents", "kpi_sessions", "kpi_participations"] { try db.execute(sql: "DROP TABLE \(table)") }
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = ?", arguments: [migration])
        }
        let oldPath = fixture.directory.appendingPathComponent("old.sqlite").path
        let old = try DatabaseQueue(path: oldPath)
        try Schema.migrator.migrate(old, upTo: previous)
        let schema = "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"
        let oldSchema = try await old.read { db in try Row.fetchAll(db, sql: schema).map { "\($0)" } }
        let strippedSchema = try await pool.read { db in try Row.fetchAll(db, sql: schema).map { "\($0)" } }
        #expect(strippedSchema == oldSchema)

        // Opening it runs the migration, which fills the tables from what is there.
        let reopened = try fixture.secondStore()
        #expect(try await reopened.appliedMigrations().last == migration)
        for (index, span) in spans.enumerated() {
            let facts = try await reopened.kpiDataset(company: company, span: span, participations: true)
            #expect(facts == before[index], "span \(span)")
        }
        _ = try await Self.compare(reopened, company: fixture.company.id, spans: [StoreKPITests.day], now: F.at(minutes: 200), seed: 0)
        // And the triggers run again: a new incident on the migrated file shows at once.
        let id = try #require(try await fixture.newIssue(500, minutes: 300).incidentID)
        _ = try await fixture.press(501, .chooseDepartment(fixture.dispatch.id), on: id, by: F.driver, minutes: 301)
        let later = ReportPeriod(from: F.at(minutes: 299), to: F.at(minutes: 302))
        let facts = try await reopened.kpiDataset(company: fixture.company.id, span: later)
        #expect(facts.sessions.map(\.incidentID) == [id])
        #expect(facts == (try await reopened.kpiDatasetScanningSessions(company: fixture.company.id, span: later)))
    }
}
