import Foundation
import IncidentCore
import IncidentKPI
import Testing

@Suite("KPI periods in a time zone")
struct KPICalendarTests {
    typealias F = KPIFixtures

    func settings(_ zone: String, weekStart: Weekday = .monday) -> KPISettings {
        var settings = F.settings
        settings.timeZoneID = zone
        settings.weekStart = weekStart
        return settings
    }

    /// Created 23:30 on 1 March in Tashkent (UTC+5), resolved 00:30 on 2 March.
    let midnight = KPIFixtures.facts(9, [
        KPIFixtures.entry(.created, "2025-03-01T18:30:00Z", KPIFixtures.reporter, number: 9),
        KPIFixtures.entry(.departmentAssigned, "2025-03-01T18:30:00Z", KPIFixtures.reporter, department: KPIFixtures.dispatch),
        KPIFixtures.entry(.claimed, "2025-03-01T18:40:00Z", KPIFixtures.ann),
        KPIFixtures.entry(.resolved, "2025-03-01T19:30:00Z", KPIFixtures.ann, summary: "ok"),
    ])

    @Test("an incident across midnight in UTC+5 is created on one local day and resolved on the next")
    func acrossMidnight() throws {
        let zone = settings("Asia/Tashkent")
        let calendar = KPICalendar(zone)
        let from = try #require(calendar.startOfDay("2025-03-01"))
        #expect(from == F.t("2025-02-28T19:00:00Z"))
        let period = ReportPeriod(from: from, to: try #require(calendar.startOfDay("2025-03-03")))
        let engine = KPIEngine(settings: zone, now: F.t("2025-03-05T00:00:00Z"))
        let data = KPIDataset(facts: [midnight], span: try #require(engine.trendSpan(period, bucket: .day)))
        let trends = try #require(engine.trends(data, period: period, bucket: .day))
        #expect(trends.points.map(\.label) == ["2025-03-01", "2025-03-02"])
        #expect(trends.points.map(\.created) == [1, 0])
        #expect(trends.points.map(\.resolved) == [0, 1])
        #expect(trends.points.map(\.backlog) == [1, 0])

        // The same incident in UTC: both on 1 March.
        let utc = KPIEngine(settings: settings("UTC"), now: F.t("2025-03-05T00:00:00Z"))
        let utcPeriod = ReportPeriod(from: F.t("2025-03-01T00:00:00Z"), to: F.t("2025-03-03T00:00:00Z"))
        let utcTrends = try #require(utc.trends(KPIDataset(facts: [midnight], span: utcPeriod), period: utcPeriod, bucket: .day))
        #expect(utcTrends.points.map(\.created) == [1, 0])
        #expect(utcTrends.points.map(\.resolved) == [1, 0])

        // "/report day" at 00:10 local on 2 March covers 2 March local only.
        let today = calendar.period(.day, containing: F.t("2025-03-01T19:10:00Z"))
        #expect(today == ReportPeriod(from: F.t("2025-03-01T19:00:00Z"), to: F.t("2025-03-02T19:00:00Z")))
    }

    @Test("DST: the spring-forward day in Berlin has 23 hours, and buckets follow local midnights")
    func daylightSaving() throws {
        let berlin = KPICalendar(settings("Europe/Berlin"))
        let day = try #require(berlin.startOfDay("2025-03-30"))
        #expect(day == F.t("2025-03-29T23:00:00Z"))
        #expect(berlin.startOfNextDay(after: day) == F.t("2025-03-30T22:00:00Z"))
        let hours = try #require(berlin.boundaries(
            ReportPeriod(from: day, to: F.t("2025-03-30T22:00:00Z")), size: .hour))
        #expect(hours.count - 1 == 23)
        #expect(berlin.label(hours[1], size: .hour) == "2025-03-30 01:00 +01:00")
        #expect(berlin.label(hours[2], size: .hour) == "2025-03-30 03:00 +02:00")
        // Autumn: 25 hours.
        let autumn = try #require(berlin.startOfDay("2025-10-26"))
        #expect(berlin.startOfNextDay(after: autumn).timeIntervalSince(autumn) == 25 * 3600)

        // Created 00:30 local on 31 March (22:30 UTC on the 30th): counted on the 31st.
        let late = KPIFixtures.facts(10, [
            KPIFixtures.entry(.created, "2025-03-30T22:30:00Z", KPIFixtures.reporter, number: 10),
        ])
        let period = ReportPeriod(from: day, to: F.t("2025-03-31T22:00:00Z"))
        let engine = KPIEngine(settings: settings("Europe/Berlin"), now: F.t("2025-04-02T00:00:00Z"))
        let trends = try #require(engine.trends(KPIDataset(facts: [late], span: period), period: period, bucket: .day))
        #expect(trends.points.map(\.label) == ["2025-03-30", "2025-03-31"])
        #expect(trends.points.map(\.created) == [0, 1])
        #expect(trends.points[0].end.timeIntervalSince(trends.points[0].start) == 23 * 3600)
    }

    @Test("weeks start on the configured day; months follow the local calendar")
    func weeks() throws {
        let sunday = F.t("2025-03-30T10:00:00Z")
        let monday = KPICalendar(settings("UTC", weekStart: .monday)).period(.week, containing: sunday)
        #expect(monday.from == F.t("2025-03-24T00:00:00Z"))
        #expect(monday.to == F.t("2025-03-31T00:00:00Z"))
        let sundayStart = KPICalendar(settings("UTC", weekStart: .sunday)).period(.week, containing: sunday)
        #expect(sundayStart.from == F.t("2025-03-30T00:00:00Z"))
        let month = KPICalendar(settings("Asia/Tashkent")).period(.month, containing: F.t("2025-02-28T19:30:00Z"))
        #expect(month.from == F.t("2025-02-28T19:00:00Z"))
        #expect(month.to == F.t("2025-03-31T19:00:00Z"))
    }

    @Test("time zones must be IANA names; dates must exist")
    func validation() {
        #expect(settings("Europe/Berlin").problem == nil)
        #expect(settings("UTC").problem == nil)
        #expect(settings("Mars/Olympus").problem?.contains("IANA") == true)
        #expect(settings("EST").problem != nil)
        #expect(settings("GMT+5").problem != nil)
        var bad = F.settings
        bad.claimThreshold = 0
        #expect(bad.problem?.contains("sla_claim_minutes") == true)
        let calendar = KPICalendar(F.settings)
        #expect(calendar.startOfDay("2025-04-31") == nil)
        #expect(calendar.startOfDay("2025-4-1") == nil)
        #expect(calendar.startOfDay("yesterday") == nil)
        #expect(calendar.boundaries(ReportPeriod(from: F.t("2020-01-01T00:00:00Z"), to: F.t("2025-01-01T00:00:00Z")), size: .hour) == nil)
    }
}
