import ArgumentParser
import Foundation
import IncidentCore
import IncidentKPI
import Storage
import Synchronization
#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `raisedash-bench reports`: generates incidents (through the real state machine) into a
/// SQLite file, then times every report over them: load on a read connection, compute, encode
/// to JSON, as the admin API does.
struct ReportsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reports",
        abstract: "Every KPI report over generated incidents: p50/p95/p99 per report.",
        discussion: """
            Generates --incidents incidents spread over --days days in one company (20 groups, \
            4 departments, transfers, joins, cancelled resolutions, summaries, auto-closes, \
            reopens), then runs each report --iterations times over the whole span, its last 30 \
            and 7 days, and the whole span filtered by a department, a group and a person, and \
            prints the latency and CPU percentiles in milliseconds. --database keeps the \
            file (for `raisedash-bench lifecycle --seed-database ... --reports-company ...`); \
            --reuse times an existing file instead of generating one.
            """)

    @Option(help: "Incidents to generate.") var incidents = 100_000
    @Option(help: "Days the incidents are spread over (ending now).") var days = 90.0
    @Option(help: "Runs of each report.") var iterations = 20
    @Option(help: "Where to write the database (kept); default a temporary file, removed after.") var database: String?
    @Flag(help: "Time an existing --database (its first generated company) instead of generating.") var reuse = false
    @Option(help: "Only these reports (comma-separated: departments, sla, trends, people, groups, comparison, summary).")
    var only: String?
    @Option(help: "Only these spans (comma-separated: all, 30days, 7days, department, group, person).")
    var spans: String?

    static let kinds = ["departments", "sla", "trends (day)", "people", "groups", "comparison", "summary"]

    func validate() throws {
        guard incidents > 0, days > 0, iterations > 0 else { throw ValidationError("--incidents, --days and --iterations must be positive") }
        if reuse, database == nil { throw ValidationError("--reuse needs --database") }
        for kind in Self.list(only) where !Self.kinds.contains(where: { $0.hasPrefix(kind) }) {
            throw ValidationError("--only: no report \(kind); reports are \(Self.kinds.joined(separator: ", "))")
        }
        for span in Self.list(spans) where !Self.spanKeys.contains(span) {
            throw ValidationError("--spans: no span \(span); spans are \(Self.spanKeys.joined(separator: ", "))")
        }
    }

    func run() async throws {
        let path = database ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("raisedash-reports-\(UUID().uuidString).db").path
        defer {
            if database == nil {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            }
        }
        let store = try IncidentStore(path: path, policy: .standard)
        let now = Date()
        let company: CompanyID
        print("raisedash-bench reports: \(path)")
        print("before: \(MachineLoad.current)")
        if reuse {
            guard let found = try await store.companies().first(where: { $0.name.hasPrefix("KPI Bench") }) else {
                throw ValidationError("\(path) has no generated company")
            }
            company = found.id
        } else {
            let started = ContinuousClock.now
            company = try await store.generate(
                KPIBenchData(incidents: incidents, days: days, end: now),
                progress: { done in if done % 20_000 == 0 { print("  generated \(done)") } })
            print(String(format: "generated %d incidents in %.1f s (company %lld)", incidents,
                         (ContinuousClock.now - started) / .seconds(1), company.rawValue))
        }
        let settings = try await store.kpiSettings(company: company)
        let calendar = KPICalendar(settings)
        let end = calendar.startOfNextDay(after: now)
        let all = ReportPeriod(from: end.addingTimeInterval(-(days + 1) * 86_400), to: end)
        let month = ReportPeriod(from: end.addingTimeInterval(-30 * 86_400), to: end)
        let week = ReportPeriod(from: end.addingTimeInterval(-7 * 86_400), to: end)
        let full = try await store.kpiDataset(company: company, span: all, participations: true)
        print("sessions in the whole span: \(full.sessions.count), incidents: \(full.incidents.count)")
        // The filters the admin API takes, each over the whole span: the first department, the
        // first group and the person with the most participations.
        let department = full.sessions.map(\.departmentID).min()!
        let chat = full.sessions.map(\.chatID).min()!
        let person = Dictionary(grouping: full.participations, by: \.userID).max { $0.value.count < $1.value.count }!.key
        let allRuns: [(name: String, period: ReportPeriod, filter: KPIFilter)] = [
            ("all", all, KPIFilter()), ("30 days", month, KPIFilter()), ("7 days", week, KPIFilter()),
            ("all, department", all, KPIFilter(departmentID: department)), ("all, group", all, KPIFilter(chatID: chat)),
            ("all, person", all, KPIFilter(userID: person)),
        ]
        let wantedSpans = Self.list(spans)
        let runs = zip(Self.spanKeys, allRuns).filter { wantedSpans.isEmpty || wantedSpans.contains($0.0) }.map(\.1)
        let wantedKinds = Self.list(only)
        let kinds = Self.kinds.filter { kind in wantedKinds.isEmpty || wantedKinds.contains { kind.hasPrefix($0) } }

        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        print("")
        print("report          span                 p50 ms   p95 ms   p99 ms   max ms  runs   CPU p50   CPU p95   CPU p99 (ms)")
        for (spanName, period, filter) in runs {
            for kind in kinds {
                // Trends count incidents: the admin API refuses a department or person filter.
                if kind.hasPrefix("trends"), filter.departmentID != nil || filter.userID != nil { continue }
                var times: [Double] = []
                var cpu: [Double] = []
                for _ in 0..<iterations {
                    let started = ContinuousClock.now
                    let cpuStarted = Self.processCPUMilliseconds()
                    let engine = KPIEngine(settings: try await store.kpiSettings(company: company), now: Date())
                    let bytes: Int
                    // As the admin API does: load and compute on the report thread, then encode.
                    func report<T: Encodable & Sendable>(
                        _ span: ReportPeriod, participations: Bool = false, incidents: Bool = true,
                        _ body: @escaping @Sendable (KPIDataset) -> T
                    ) async throws -> Int {
                        try encoder.encode(try await store.kpiReport(
                            company: company, span: span, chat: filter.chatID,
                            participations: participations, incidents: incidents, person: filter.userID, body)).count
                    }
                    let countsCreated = filter.departmentID == nil && filter.userID == nil
                    switch kind {
                    case "departments":
                        bytes = try await report(period, incidents: false) { engine.departments($0, period: period, filter: filter) }
                    case "sla": bytes = try await report(period, incidents: false) { engine.slaReport($0, period: period, filter: filter) }
                    case "people":
                        bytes = try await report(period, participations: true, incidents: false) {
                            engine.people($0, period: period, filter: filter)
                        }
                    case "groups":
                        bytes = try await report(period, incidents: countsCreated) { engine.groups($0, period: period, filter: filter) }
                    case "comparison":
                        let span = ReportPeriod(from: period.previous.from, to: period.to)
                        bytes = try await report(span, incidents: countsCreated) {
                            engine.comparison($0, period: period, filter: filter)
                        }
                    case "summary":
                        bytes = try await report(period, incidents: countsCreated) { engine.summary($0, period: period, filter: filter) }
                    default:
                        let span = engine.trendSpan(period, bucket: .day)!
                        let chat = filter.chatID
                        bytes = try await report(span) { engine.trends($0, period: period, bucket: .day, chat: chat)! }
                    }
                    precondition(bytes > 0)
                    times.append((ContinuousClock.now - started) / .milliseconds(1))
                    cpu.append(Self.processCPUMilliseconds() - cpuStarted)
                }
                print(Self.row(kind, spanName, times, nameWidth: 16, spanWidth: 18) + Self.cpuColumns(cpu))
            }
        }
        print("")
        print("after: \(MachineLoad.current)")
    }

    /// The `--spans` names, in the order the runs are listed.
    static let spanKeys = ["all", "30days", "7days", "department", "group", "person"]

    static func list(_ option: String?) -> [String] {
        (option ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// User + system CPU time of this process so far (the report's work on GRDB's threads
    /// included), in ms: unlike wall time, it does not grow with the machine's other load.
    static func processCPUMilliseconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        func ms(_ time: timeval) -> Double { Double(time.tv_sec) * 1000 + Double(time.tv_usec) / 1000 }
        return ms(usage.ru_utime) + ms(usage.ru_stime)
    }

    static func cpuColumns(_ values: [Double]) -> String {
        let sorted = values.sorted()
        func percentile(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)] }
        return String(format: "%10.1f%10.1f%10.1f", percentile(0.5), percentile(0.95), percentile(0.99))
    }

    static func row(_ name: String, _ span: String, _ values: [Double], nameWidth: Int = 30, spanWidth: Int = 7) -> String {
        let sorted = values.sorted()
        func percentile(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)] }
        return name.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + span.padding(toLength: spanWidth, withPad: " ", startingAt: 0)
            + String(format: "%9.1f%9.1f%9.1f%9.1f%6d", percentile(0.5), percentile(0.95), percentile(0.99), sorted.last ?? 0, sorted.count)
    }
}

/// Calls the admin API's reports in a loop (one at a time, cycling through the kinds, each
/// over the default 7 days and then over the last 100 days, which holds the whole generated
/// span) until cancelled, recording each call's latency: the load of `lifecycle --reports-company`.
final class ReportLoop: Sendable {
    let base: URL
    let token: String
    let company: Int64
    let latencies = Mutex<[Double]>([])
    let wholeSpanLatencies = Mutex<[Double]>([])
    let failures = Mutex<Int>(0)
    /// `from` of the whole-span calls (UTC, the generated company's zone).
    let wholeSpanFrom: String = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let day = calendar.date(byAdding: .day, value: -100, to: Date())!
        let parts = calendar.dateComponents([.year, .month, .day], from: day)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }()

    init(base: URL, token: String, company: Int64) {
        self.base = base
        self.token = token
        self.company = company
    }

    func run() async {
        let session = URLSession(configuration: .ephemeral)
        let kinds = ["departments", "sla", "trends", "people", "groups", "comparison", "summary"]
        var index = 0
        while !Task.isCancelled {
            let kind = kinds[index % kinds.count]
            let whole = (index / kinds.count) % 2 == 1
            index += 1
            var components = URLComponents(
                url: base.appendingPathComponent("api/v1/companies/\(company)/reports/\(kind)"), resolvingAgainstBaseURL: false)!
            if whole { components.queryItems = [URLQueryItem(name: "from", value: wholeSpanFrom)] }
            var request = URLRequest(url: components.url!)
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            request.timeoutInterval = 30
            let started = ContinuousClock.now
            do {
                // dataTask with a continuation, not data(for:): cancelling a task inside
                // data(for:) can deadlock on Linux (see docs/benchmarks.md).
                let status: Int = try await withCheckedThrowingContinuation { continuation in
                    session.dataTask(with: request) { _, response, error in
                        if let error {
                            continuation.resume(throwing: error)
                        } else {
                            continuation.resume(returning: (response as? HTTPURLResponse)?.statusCode ?? 0)
                        }
                    }.resume()
                }
                if status == 200 {
                    let elapsed = (ContinuousClock.now - started) / .milliseconds(1)
                    if whole {
                        wholeSpanLatencies.withLock { $0.append(elapsed) }
                    } else {
                        latencies.withLock { $0.append(elapsed) }
                    }
                } else {
                    failures.withLock { $0 += 1 }
                    try? await Task.sleep(for: .milliseconds(200))
                }
            } catch {
                failures.withLock { $0 += 1 }
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    var summary: String {
        let values = latencies.withLock { $0 }
        let whole = wholeSpanLatencies.withLock { $0 }
        guard !values.isEmpty || !whole.isEmpty else {
            return "reports in a loop: no successful call (\(failures.withLock { $0 }) failed)"
        }
        func figures(_ values: [Double]) -> String {
            values.isEmpty ? "none" : ReportsBench.row("", "", values).trimmingCharacters(in: .whitespaces)
        }
        return "reports in a loop over HTTP (cycling the 7 kinds, 7-day default period then from \(wholeSpanFrom)): "
            + "7 days \(figures(values)); whole span \(figures(whole))"
            + " (p50/p95/p99/max ms, calls; \(failures.withLock { $0 }) failed)"
    }

    /// Successful calls and failures so far.
    var counts: (calls: Int, failures: Int) {
        (latencies.withLock { $0.count } + wholeSpanLatencies.withLock { $0.count }, failures.withLock { $0 })
    }
}
