import Foundation
import IncidentCore
import Storage
import Testing

/// A store on a real SQLite file (WAL) in a fresh temporary directory, with a company
/// ("Acme": Dispatch, Maintenance, restricted Safety), an active group with a manager, a
/// registered driver and department members, one of them added by @handle.
struct StoreFixture {
    static let t0 = Date(timeIntervalSince1970: 1_740_816_000)  // 2025-03-01T08:00:00Z
    static func at(minutes: Double) -> Date { t0.addingTimeInterval(minutes * 60) }
    static let policy = SLAPolicy(unclaimedNudgeMinutes: 10, summaryTimeoutMinutes: 60)!

    static let chat = ChatRef(id: -1_001_000_000_001, kind: .supergroup, title: "Fleet")
    static let otherChat = ChatRef(id: -1_001_000_000_002, kind: .supergroup, title: "Depot")

    static let driver = Person(id: 1, handle: Handle("rita"), firstName: "Rita")
    static let manager = Person(id: 2, handle: Handle("max_boss"), firstName: "Max")
    static let ann = Person(id: 3, handle: Handle("dispatch_ann"), firstName: "Ann")
    static let bob = Person(id: 4, firstName: "Bob", lastName: "Stone")
    static let carol = Person(id: 5, handle: Handle("Carol"), firstName: "Carol")
    static let otto = Person(id: 6, handle: Handle("otto"), firstName: "Otto")
    static let outsider = Person(id: 7, firstName: "Random")

    let directory: URL
    let path: String
    let store: IncidentStore
    let company: Company
    let dispatch: Department
    let maintenance: Department
    let safety: Department

    init(synchronous: StoreConfiguration.Synchronous = .normal, floodControl: FloodControlPolicy = .init()) async throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("raisedash-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("incidents.sqlite").path
        var configuration = StoreConfiguration(synchronous: synchronous)
        configuration.floodControl = floodControl
        store = try IncidentStore(path: path, policy: Self.policy, configuration: configuration)
        let now = Self.t0
        company = try await store.createCompany(name: "Acme", now: now)
        dispatch = try await store.createDepartment(company: company.id, name: "Dispatch", now: now)
        maintenance = try await store.createDepartment(company: company.id, name: "Maintenance", now: now)
        safety = try await store.createDepartment(company: company.id, name: "Safety", restricted: true, now: now)
        try await store.activateGroup(chat: Self.chat.id, company: company.id, managers: [Self.manager.id], now: now)
        try await store.registerDriver(Self.driver.id, chat: Self.chat.id, now: now)
        try await store.addMember(.user(Self.ann.id), to: dispatch.id, now: now)
        try await store.addMember(.user(Self.bob.id), to: dispatch.id, now: now)
        try await store.addMember(.handle(Handle("@carol")!), to: dispatch.id, now: now)
        try await store.addMember(.user(Self.otto.id), to: maintenance.id, now: now)
    }

    /// Another store object on the same file: another connection pool, as a second process has.
    func secondStore() throws -> IncidentStore {
        try IncidentStore(path: path, policy: Self.policy, configuration: .init(synchronous: .normal))
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    // MARK: Updates

    func newIssue(
        _ updateID: Int64, by person: Person = Self.driver, chat: ChatRef = Self.chat, text: String = "Flat tyre <b>at</b> exit 5",
        minutes: Double = 0
    ) async throws -> ApplyResult {
        try await store.apply(
            updateID: updateID, chat: chat, sender: person,
            event: .newIssue(command: MessageID(updateID * 10 + 1), reported: .init(messageID: MessageID(updateID * 10), text: text)),
            now: Self.at(minutes: minutes))
    }

    func press(
        _ updateID: Int64, _ action: ButtonAction, on incident: IncidentID, version: Int? = nil, by person: Person,
        chat: ChatRef = Self.chat, minutes: Double = 0, in store: IncidentStore? = nil
    ) async throws -> ApplyResult {
        let target = store ?? self.store
        let cardVersion: Int
        if let version {
            cardVersion = version
        } else {
            cardVersion = try #require(await target.incident(incident)).cardVersion
        }
        let data = CallbackData(incidentID: incident, cardVersion: cardVersion, action: action).encoded
        return try await target.apply(
            updateID: updateID, chat: chat, sender: person, event: .press(query: CallbackQueryID("q\(updateID)"), data: data),
            now: Self.at(minutes: minutes))
    }

    func reply(_ updateID: Int64, to prompt: MessageID, text: String, by person: Person, minutes: Double = 0) async throws -> ApplyResult {
        try await store.apply(
            updateID: updateID, chat: Self.chat, sender: person,
            event: .reply(message: MessageID(updateID * 10), replyTo: prompt, text: text), now: Self.at(minutes: minutes))
    }

    /// Delivers everything deliverable, answering each item with a new message id; returns
    /// what was delivered, in order.
    @discardableResult
    func deliverAll(minutes: Double = 0) async throws -> [OutboxItem] {
        var delivered: [OutboxItem] = []
        while true {
            let batch = try await store.claimOutbox(limit: 50, now: Self.at(minutes: minutes))
            if batch.isEmpty { return delivered }
            for item in batch {
                // Telegram gives each new message of a chat a new id; the item id is unique.
                let message: MessageID? = switch item.effect {
                case .postCard, .sendMessage: MessageID(100_000 + item.id)
                case .updateCard: item.cardMessageID
                default: nil
                }
                try await store.completeOutbox(item.id, result: .delivered(messageID: message), now: Self.at(minutes: minutes))
                delivered.append(item)
            }
        }
    }

    /// Creates an incident and sends it to Dispatch; returns its id.
    func incidentAwaitingClaim(_ firstUpdate: Int64, minutes: Double = 0) async throws -> IncidentID {
        let created = try await newIssue(firstUpdate, minutes: minutes)
        let id = try #require(created.incidentID)
        let chosen = try await press(firstUpdate + 1, .chooseDepartment(dispatch.id), on: id, by: Self.driver, minutes: minutes)
        #expect(chosen.outcome == .applied)
        return id
    }

    /// Rows of a table, as text, to compare before and after.
    func snapshot() async throws -> [String] {
        var lines: [String] = []
        for incident in try await store.incidents() {
            lines.append("\(incident)")
            lines.append("\(String(describing: try await store.incident(incident.id)))")
            lines.append("\(try await store.timeline(of: incident.id))")
        }
        return lines
    }
}
