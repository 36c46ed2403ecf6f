import Dashboard
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IncidentCore
import IncidentShifts
import Logging
import RaiseDashConfig
import RoleSupport
import Storage
import Testing

/// Two companies in one real SQLite file, each with departments, a group, people and
/// incidents, served by the dashboard on a live HTTP server (the incident service's
/// application, so requests carry the peer address as in production).
struct DashboardFixture {
    static let t0 = Date(timeIntervalSince1970: 1_740_816_000)  // 2025-03-01T08:00:00Z
    static let policy = SLAPolicy(unclaimedNudgeMinutes: 10, summaryTimeoutMinutes: 60)!
    static let platformKey = "platform-key-0123456789abcdefghijklmnop"

    /// One company's world. Names carry a marker that must never show on the other's pages.
    struct World {
        var company: Company
        var dispatch: Department
        var secret: Department
        var chat: ChatRef
        var pendingChat: ChatRef
        var driver: Person
        var member: Person
        var incident: IncidentID
        /// The member's Monday night shift in the marker department and group.
        var shift: ShiftRecord
        var marker: String
    }

    let directory: URL
    let path: String
    let store: IncidentStore
    /// Company access keys made by the store (`createAccessKey`), as `raisedash admin keys` makes them.
    let keyA: String
    let keyB: String
    var a: World
    var b: World

    init() async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("raisedash-dashboard-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("incidents.sqlite").path
        store = try IncidentStore(path: path, policy: Self.policy, configuration: .init(synchronous: .normal))
        a = try await Self.world(store, name: "Acme", marker: "acmesecret", chatID: -1_001_000_000_101, people: 101)
        b = try await Self.world(store, name: "Bolt", marker: "boltsecret", chatID: -1_001_000_000_201, people: 201)
        keyA = try await store.createAccessKey(companyID: a.company.id.rawValue, label: "Acme managers", now: Self.t0).secret
        keyB = try await store.createAccessKey(companyID: b.company.id.rawValue, label: "Bolt managers", now: Self.t0).secret
    }

    static func world(_ store: IncidentStore, name: String, marker: String, chatID: Int64, people: Int64) async throws -> World {
        let now = t0
        let company = try await store.createCompany(name: name, now: now)
        let dispatch = try await store.createDepartment(company: company.id, name: "Dispatch", now: now)
        let secret = try await store.createDepartment(company: company.id, name: "Dept-\(marker)", now: now)
        let chat = ChatRef(id: ChatID(chatID), kind: .supergroup, title: "Group-\(marker)")
        let pending = ChatRef(id: ChatID(chatID - 1), kind: .supergroup, title: "Pending-\(marker)")
        let driver = Person(id: UserID(people), handle: Handle("driver_\(marker)"), firstName: "Driver\(marker)")
        let member = Person(id: UserID(people + 1), handle: Handle("member_\(marker)"), firstName: "Member\(marker)")
        try await store.activateGroup(chat: chat.id, company: company.id, managers: [member.id], now: now)
        try await store.registerDriver(driver.id, chat: chat.id, now: now)
        try await store.recordUserSeen(driver, now: now)
        try await store.recordUserSeen(member, now: now)
        try await store.addMember(.user(member.id), to: dispatch.id, now: now)
        try await store.addMember(.user(member.id), to: secret.id, now: now)
        // A reported incident, sent to the department whose name carries the marker.
        let created = try await store.apply(
            updateID: people * 100, chat: chat, sender: driver,
            event: .newIssue(command: MessageID(11), reported: .init(messageID: MessageID(10), text: "Report-\(marker) <b>x</b>")),
            now: now)
        let incident = try #require(created.incidentID)
        let version = try #require(await store.incident(incident)).cardVersion
        let data = CallbackData(incidentID: incident, cardVersion: version, action: .chooseDepartment(secret.id)).encoded
        _ = try await store.apply(
            updateID: people * 100 + 1, chat: chat, sender: driver, event: .press(query: CallbackQueryID("q\(people)"), data: data),
            now: now.addingTimeInterval(30))
        // The member adds the bot to another group: it waits for this company's approval.
        let added = try await store.apply(
            updateID: people * 100 + 2, chat: pending, sender: member, event: .botMember(canPinMessages: true),
            now: now.addingTimeInterval(60))
        #expect(added.outcome == .applied)
        let shift = try await store.createShift(
            company: company.id,
            ShiftInput(
                departmentID: secret.id, chatID: chat.id, userID: member.id,
                shift: WeeklyShift(day: .monday, start: TimeOfDay("22:00")!, end: TimeOfDay("06:00")!)),
            now: now)
        return World(
            company: company, dispatch: dispatch, secret: secret, chat: chat, pendingChat: pending, driver: driver, member: member,
            incident: incident, shift: shift, marker: marker)
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    func dashboard(throttle: LoginThrottle = .init(), now: @escaping @Sendable () -> Date = Date.init) -> Dashboard {
        Dashboard(
            store: store, platformKey: Secret(Self.platformKey), logger: Logger(label: "dashboard-test"),
            throttle: throttle, now: now)
    }

    /// Runs `body` with a browser on a live server of the dashboard, whose clock is `now`.
    func withBrowser(
        throttle: LoginThrottle = .init(), now: @escaping @Sendable () -> Date = Date.init,
        _ body: @Sendable (Browser) async throws -> Void
    ) async throws {
        let dashboard = dashboard(throttle: throttle, now: now)
        let readiness = Readiness(parts: [])
        let app = RoleHTTP.application(
            role: "incidents", host: "127.0.0.1", port: 0, readiness: readiness, logger: Logger(label: "dashboard-test"),
            routes: dashboard.addRoutes(to:))
        try await app.test(.live) { client in
            try await body(Browser(client: client))
        }
    }

    /// Everything the store holds about a company, as text, to compare before and after.
    func snapshot(_ world: World) async throws -> [String] {
        var lines: [String] = []
        lines.append("\(try await store.company(world.company.id) as Any)")
        for department in try await store.departments(company: world.company.id) {
            lines.append("\(department)")
            lines.append("\(try await store.members(of: department.id))")
            lines.append("leads \(try await store.leads(of: department.id))")
        }
        lines.append("\(try await store.shifts(company: world.company.id))")
        lines.append("\(try await store.escalationLadder(company: world.company.id, ownReminder: true))")
        for group in try await store.groups(companyID: world.company.id.rawValue) { lines.append("\(group)") }
        lines.append("\(try await store.group(chat: world.pendingChat.id) as Any)")
        for incident in try await store.incidents(company: world.company.id) {
            lines.append("\(incident)")
            lines.append("\(try await store.timeline(of: incident.id))")
        }
        lines.append("\(try await store.kpiSettings(company: world.company.id))")
        lines.append("\(try await store.activationCodes(companyID: world.company.id.rawValue))")
        return lines
    }
}

/// A browser for tests: keeps cookies, follows nothing by itself, reads forms' CSRF tokens.
final class Browser: @unchecked Sendable {
    // Safe: tests use a browser from one task at a time.
    let client: any TestClientProtocol
    var cookies: [String: String] = [:]

    init(client: any TestClientProtocol) { self.client = client }

    struct Page {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var html: String
        var location: String? { headers[.location] }
        var setCookies: [String] { headers[values: .setCookie] }

        /// The CSRF token of the page's forms.
        var csrf: String? {
            guard let range = html.range(of: #"name="csrf" value="([^"]+)""#, options: .regularExpression) else { return nil }
            let match = html[range]
            return match.split(separator: "\"").dropFirst(3).first.map(String.init)
        }

        /// The text of the element with this id (tags removed), or nil.
        func text(id: String) -> String? {
            guard let start = html.range(of: "id=\"\(id)\"") else { return nil }
            guard let open = html[start.upperBound...].firstIndex(of: ">") else { return nil }
            let rest = html[html.index(after: open)...]
            guard let close = rest.range(of: "</") else { return nil }
            return String(rest[..<close.lowerBound]).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    func request(_ method: HTTPRequest.Method, _ uri: String, form: [String: String]? = nil) async throws -> Page {
        var headers: HTTPFields = [:]
        if !cookies.isEmpty {
            headers[.cookie] = cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        }
        var body: ByteBuffer?
        if let form {
            headers[.contentType] = "application/x-www-form-urlencoded"
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            let text = form.sorted { $0.key < $1.key }.map {
                "\($0.key.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed)!)"
            }.joined(separator: "&")
            body = ByteBuffer(string: text)
        }
        let response = try await client.executeRequest(uri: uri, method: method, headers: headers, body: body)
        for header in response.headers[values: .setCookie] {
            let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(pair[0]).trimmingCharacters(in: .whitespaces)
            let value = pair.count > 1 ? String(pair[1]) : ""
            if value.isEmpty || header.lowercased().contains("max-age=0") { cookies[name] = nil } else { cookies[name] = value }
        }
        return Page(status: response.status, headers: response.headers, html: String(buffer: response.body))
    }

    func get(_ uri: String) async throws -> Page { try await request(.get, uri) }

    /// Posts a form with the CSRF token of `page` (or of a fresh overview page).
    func post(_ uri: String, _ form: [String: String], from page: Page? = nil) async throws -> Page {
        var form = form
        if form["csrf"] == nil {
            let source: Page
            if let page { source = page } else { source = try await get("/dashboard/departments") }
            form["csrf"] = source.csrf ?? ""
        }
        return try await request(.post, uri, form: form)
    }

    /// Logs in with `key`; returns the answer to the login POST.
    @discardableResult
    func login(_ key: String) async throws -> Page {
        let page = try await get("/dashboard/login")
        return try await request(.post, "/dashboard/login", form: ["key": key, "csrf": page.csrf ?? ""])
    }
}
