import Foundation
import IncidentCore
@testable import IncidentKPI
@testable import Storage
import Testing

/// The people report and the summary's SLA, computed by the formulas as they were before they
/// were made faster (a dictionary of tallies and a set of who worked on what; the SLA worked
/// out again per session), against the engine on generated stores: the same reports, byte for
/// byte, for spans of every length and position and every filter. And the reports that never
/// count incidents give the same on a dataset loaded without them.
@Suite("Store: reports against the reference formulas")
struct StoreKPIReferenceTests {
    /// The people report as `KPIEngine.people` computed it before (commit 7c7720a).
    static func referencePeople(
        _ data: KPIDataset, period: ReportPeriod, filter: KPIFilter, settings: KPISettings, now: Date
    ) -> PersonReport {
        struct Key: Hashable { var incident: IncidentID; var seq: Int }
        let engine = KPIEngine(settings: settings, now: now)
        let selected = engine.sessions(data, in: period, filter: KPIFilter(departmentID: filter.departmentID, chatID: filter.chatID))
        var byKey: [Key: Int] = [:]
        for (index, session) in selected.enumerated() { byKey[Key(incident: session.incidentID, seq: session.seq)] = index }
        struct Tally {
            var claimed = 0, joined = 0, resolved = 0
            var active: Double = 0
            var claim = Compliance(), resolve = Compliance()
        }
        struct Worked: Hashable { var user: UserID; var session: Key }
        var tallies: [UserID: Tally] = [:]
        var workedResolved = Set<Worked>()
        let end = min(period.to, now)
        for participation in data.participations {
            let key = Key(incident: participation.incidentID, seq: participation.sessionSeq)
            guard let index = byKey[key] else { continue }
            if let user = filter.userID, participation.userID != user { continue }
            let session = selected[index]
            let user = participation.userID
            if participation.kind == .joined { tallies[user, default: Tally()].joined += 1 }
            let start = max(participation.startedAt, period.from)
            let stop = min(participation.endedAt ?? now, end)
            if stop > start { tallies[user, default: Tally()].active += Milliseconds.between(start, stop) }
            if session.end == .resolved, workedResolved.insert(Worked(user: user, session: key)).inserted {
                tallies[user, default: Tally()].resolve.add(session.timeToResolve, threshold: settings.resolveThreshold)
            } else if tallies[user] == nil {
                tallies[user] = Tally()
            }
        }
        for session in selected {
            if let claimer = session.firstClaimerID, filter.userID == nil || claimer == filter.userID {
                tallies[claimer, default: Tally()].claimed += 1
                tallies[claimer, default: Tally()].claim.add(session.timeToClaim, threshold: settings.claimThreshold)
            }
            if let resolver = session.resolverID, session.end == .resolved, filter.userID == nil || resolver == filter.userID {
                tallies[resolver, default: Tally()].resolved += 1
            }
        }
        return PersonReport(period: period, people: tallies.keys.sorted().map { user in
            let tally = tallies[user]!
            return PersonKPI(
                userID: user, name: data.personNames[user], claimed: tally.claimed, joined: tally.joined,
                resolved: tally.resolved, activeSeconds: tally.active,
                sla: SLAStats(
                    claimThresholdSeconds: settings.claimThreshold, resolveThresholdSeconds: settings.resolveThreshold,
                    claim: tally.claim, resolve: tally.resolve))
        })
    }

    /// Thresholds that split the generated times (the tests also use the defaults).
    static let tight = KPISettings(timeZoneID: "Asia/Tashkent", weekStart: .sunday, claimThreshold: 120, resolveThreshold: 1800)

    /// Equal bytes mean equal reports.
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }

    /// A generated company of 1,500 incidents over 30 days to `end` (now, whole milliseconds),
    /// from a random seed (reported by the tests' messages).
    static func generate(_ fixture: StoreFixture) async throws -> (seed: UInt64, end: Date, company: CompanyID) {
        let seed = UInt64.random(in: 1...UInt64.max)
        let end = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 * 1000).rounded() / 1000)
        let company = try await fixture.store.generate(KPIBenchData(incidents: 1500, groups: 4, days: 30, end: end, seed: seed))
        return (seed, end, company)
    }

    @Test("the people report and the summary's SLA equal the reference formulas; datasets without incidents give the same reports")
    func matchesTheReference() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let (seed, end, company) = try await Self.generate(fixture)
        let encoder = Self.encoder
        let tight = Self.tight
        var compared = 0
        for span in StoreKPIFactsTests.spans(end: end, days: 30) {
            let data = try await fixture.store.kpiDataset(company: company, span: span, participations: true)
            // Without the incidents (what the departments, SLA and people reports load): the
            // same dataset less the incidents, and the same reports.
            let lean = try await fixture.store.kpiDataset(company: company, span: span, participations: true, incidents: false)
            var expected = data
            expected.incidents = []
            #expect(lean == expected, "seed \(seed) span \(span)")
            let people = Set(data.participations.map(\.userID)).sorted()
            var filters = [KPIFilter()]
            filters += Set(data.sessions.map(\.departmentID)).sorted().prefix(2).map { KPIFilter(departmentID: $0) }
            filters += Set(data.sessions.map(\.chatID)).sorted().prefix(1).map { KPIFilter(chatID: $0) }
            filters += [people.first, people.last].compactMap { $0 }.map { KPIFilter(userID: $0) }
            for settings in [KPISettings.standard, tight] {
                let engine = KPIEngine(settings: settings, now: end)
                for filter in filters {
                    let mine = try encoder.encode(engine.people(data, period: span, filter: filter))
                    let reference = try encoder.encode(
                        Self.referencePeople(data, period: span, filter: filter, settings: settings, now: end))
                    #expect(mine == reference, "seed \(seed) span \(span) filter \(filter)")
                    #expect(try encoder.encode(engine.people(lean, period: span, filter: filter)) == mine)
                    #expect(try encoder.encode(engine.departments(lean, period: span, filter: filter))
                        == (try encoder.encode(engine.departments(data, period: span, filter: filter))))
                    #expect(try encoder.encode(engine.slaReport(lean, period: span, filter: filter))
                        == (try encoder.encode(engine.slaReport(data, period: span, filter: filter))))
                    // The others count created incidents only without a department or person filter.
                    if filter.departmentID != nil || filter.userID != nil {
                        #expect(try encoder.encode(engine.summary(lean, period: span, filter: filter))
                            == (try encoder.encode(engine.summary(data, period: span, filter: filter))))
                        #expect(try encoder.encode(engine.groups(lean, period: span, filter: filter))
                            == (try encoder.encode(engine.groups(data, period: span, filter: filter))))
                        #expect(try encoder.encode(engine.comparison(lean, period: span, filter: filter))
                            == (try encoder.encode(engine.comparison(data, period: span, filter: filter))))
                    }
                    let sessions = engine.sessions(data, in: span, filter: filter)
                    #expect(engine.summary(sessions, created: 0).sla == engine.sla(sessions), "seed \(seed) span \(span)")
                    compared += 1
                }
            }
        }
        #expect(compared > 40)
    }

    @Test("reports filtered by a person give the same from that person's dataset as from everyone's")
    func personDatasetGivesTheSameReports() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let (seed, end, company) = try await Self.generate(fixture)
        let encoder = Self.encoder
        let tight = Self.tight
        var compared = 0
        var resolvedByOthers = 0
        for period in StoreKPIFactsTests.spans(end: end, days: 30) {
            // The span comparison loads: the period and the one before it.
            let span = ReportPeriod(from: period.previous.from, to: period.to)
            let everyone = try await fixture.store.kpiDataset(company: company, span: span, participations: true)
            let chats = Set(everyone.sessions.map(\.chatID)).sorted()
            let departments = Set(everyone.sessions.map(\.departmentID)).sorted()
            // Everyone who worked or resolved, and one who did neither.
            var people = Set(everyone.participations.map(\.userID))
            people.formUnion(everyone.sessions.compactMap(\.resolverID))
            resolvedByOthers += everyone.sessions.count { session in
                session.resolverID.map { resolver in
                    !everyone.participations.contains { $0.userID == resolver && $0.incidentID == session.incidentID && $0.sessionSeq == session.seq }
                } ?? false
            }
            for person in people.sorted() + [UserID(424_242)] {
                for chat in [nil] + chats.prefix(1).map(Optional.some) {
                    let own = try await fixture.store.kpiDataset(company: company, span: span, chat: chat, person: person)
                    let data = chat == nil
                        ? everyone : try await fixture.store.kpiDataset(company: company, span: span, chat: chat, participations: true)
                    #expect(own.participations.allSatisfy { $0.userID == person })
                    for filter in [KPIFilter(userID: person), KPIFilter(departmentID: departments.first, userID: person)] {
                        var filter = filter
                        filter.chatID = chat
                        for settings in [KPISettings.standard, tight] {
                            let engine = KPIEngine(settings: settings, now: end)
                            func same<T: Encodable>(_ report: (KPIDataset) -> T) throws -> Bool {
                                try encoder.encode(report(own)) == encoder.encode(report(data))
                            }
                            #expect(try same { engine.people($0, period: period, filter: filter) }, "seed \(seed) \(filter)")
                            #expect(try same { engine.departments($0, period: period, filter: filter) }, "seed \(seed) \(filter)")
                            #expect(try same { engine.slaReport($0, period: period, filter: filter) }, "seed \(seed) \(filter)")
                            #expect(try same { engine.groups($0, period: period, filter: filter) }, "seed \(seed) \(filter)")
                            #expect(try same { engine.summary($0, period: period, filter: filter) }, "seed \(seed) \(filter)")
                            #expect(try same { engine.comparison($0, period: period, filter: filter) }, "seed \(seed) \(filter)")
                            compared += 1
                        }
                    }
                }
            }
        }
        #expect(compared > 200)
        // The generator has managers resolve without having worked on it: that path is covered.
        #expect(resolvedByOthers > 0, "seed \(seed)")
    }
}
