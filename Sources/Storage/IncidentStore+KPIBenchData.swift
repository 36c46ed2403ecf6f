import Foundation
import GRDB
import IncidentCore
import Timestamps

/// Generated incidents for the reports benchmark (`raisedash-bench reports`): a company with
/// departments, groups and people, and incidents taken through the real state machine
/// (choices, transfers, claims, joins, cancelled resolutions, summaries, auto-closes, reopens),
/// written with their timelines in large transactions. Not used by the service.
public struct KPIBenchData: Sendable {
    public var incidents: Int
    public var groups: Int
    public var departments: Int
    public var membersPerDepartment: Int
    /// Creation times are spread evenly over this many days before `end`.
    public var days: Double
    public var end: Date
    public var seed: UInt64

    public init(
        incidents: Int, groups: Int = 20, departments: Int = 4, membersPerDepartment: Int = 6, days: Double = 90,
        end: Date, seed: UInt64 = 42
    ) {
        self.incidents = incidents
        self.groups = groups
        self.departments = departments
        self.membersPerDepartment = membersPerDepartment
        self.days = days
        self.end = end
        self.seed = seed
    }
}

extension IncidentStore {
    /// Writes `data` as a new company; returns its id. Progress is reported per batch.
    public func generate(_ data: KPIBenchData, progress: @escaping @Sendable (Int) -> Void = { _ in }) async throws(StoreError) -> CompanyID {
        let policy = self.policy
        let company = try await createCompany(name: "KPI Bench \(UUID().uuidString.prefix(8))", now: data.end)
        var departmentIDs: [DepartmentID] = []
        for index in 0..<data.departments {
            departmentIDs.append(try await createDepartment(company: company.id, name: "Department \(index + 1)", now: data.end).id)
        }
        let manager = Person(id: UserID(9_000_000), firstName: "Manager")
        var members: [DepartmentID: [Person]] = [:]
        for (d, department) in departmentIDs.enumerated() {
            for m in 0..<data.membersPerDepartment {
                let person = Person(id: UserID(Int64(9_100_000 + d * 1000 + m)), firstName: "Member \(d + 1).\(m + 1)")
                try await recordUserSeen(person, now: data.end)
                try await addMember(.user(person.id), to: department, now: data.end)
                members[department, default: []].append(person)
            }
        }
        try await recordUserSeen(manager, now: data.end)
        var chats: [ChatID] = []
        for g in 0..<data.groups {
            let chat = ChatID(-1_009_000_000_000 - Int64(g) - Int64(company.id.rawValue) * 1000)
            try await activateGroup(chat: chat, company: company.id, managers: [manager.id], now: data.end)
            chats.append(chat)
        }
        let membersByDepartment = members
        let groupChats = chats
        let batch = 2000
        var done = 0
        while done < data.incidents {
            let range = done..<min(done + batch, data.incidents)
            try await write { db in
                var generator = SplitMix(seed: data.seed &+ UInt64(range.lowerBound))
                var groupRows: [ChatID: StoredGroup] = [:]
                for chat in groupChats { groupRows[chat] = try db.group(chatID: chat) }
                let departments = try db.departments(company: company.id)
                let mentions = try db.members(company: company.id)
                var people: [UserID: Person] = [manager.id: manager]
                for list in membersByDepartment.values { for person in list { people[person.id] = person } }
                var lastID = try Int64.fetchOne(db, sql: "SELECT value FROM counters WHERE name = 'incident_id'") ?? 0
                let span = data.days * 86_400
                for index in range {
                    let chat = groupChats[index % groupChats.count]
                    guard var stored = groupRows[chat] else { continue }
                    let reporter = Person(id: UserID(Int64(9_500_000 + index % 50)), firstName: "Driver")
                    people[reporter.id] = reporter
                    var now = data.end.addingTimeInterval(-span + span * Double(index) / Double(data.incidents))
                    let context = DecisionContext(
                        group: stored.group, departments: departments, members: mentions, people: people, policy: policy)
                    lastID += 1
                    let creation = CreationContext(
                        group: stored.group, departments: departments, members: mentions, reporterIsRegisteredDriver: true,
                        incidentID: IncidentID(lastID), number: IncidentNumber(stored.nextNumber), policy: policy)
                    guard case .success(let created) = IncidentMachine.create(
                        CreateRequest(
                            reporter: reporter, commandMessageID: MessageID(1),
                            reported: .init(messageID: MessageID(2), text: "Generated incident \(index)")),
                        in: ChatRef(id: chat, kind: .supergroup), context: creation, now: Timestamp.rounded(now))
                    else { continue }
                    var incident = created.incident
                    var timeline = created.timeline
                    // Steps after `end` are not taken: the newest incidents stop part-way.
                    func step(_ minutes: Double, _ action: IncidentAction, _ initiator: Initiator) -> Bool {
                        let next = now.addingTimeInterval(minutes * 60)
                        guard next < data.end else { return false }
                        guard case .success(let decision) = IncidentMachine.decide(
                            incident, action, by: initiator, context: context, now: Timestamp.rounded(next))
                        else { return false }
                        now = next
                        incident = decision.incident
                        timeline += decision.timeline
                        return true
                    }
                    func press(_ minutes: Double, _ button: ButtonAction, _ person: Person) -> Bool {
                        step(minutes, .press(button, cardVersion: incident.cardVersion, query: "g"), .user(person))
                    }
                    func member(_ offset: Int = 0) -> Person {
                        let list = membersByDepartment[incident.departmentID ?? departments[0].id] ?? [manager]
                        return list[(index + offset) % list.count]
                    }
                    func wait(_ mean: Double) -> Double { max(0.05, -log(1 - generator.unit() * 0.999) * mean) }
                    func resolve() {
                        // Now and then the group's manager resolves without having worked on it.
                        let resolver = generator.unit() < 0.04 ? manager : member()
                        if generator.unit() < 0.3 { _ = press(wait(20), .join, member(1)) }
                        guard press(wait(90), .resolve, resolver) else { return }
                        if generator.unit() < 0.1, press(wait(2), .cancelResolve, resolver) {
                            guard press(wait(20), .resolve, resolver) else { return }
                        }
                        if generator.unit() < 0.92 {
                            _ = step(wait(3), .submitSummary(text: "Done \(index)", message: MessageID(3)), .user(resolver))
                        } else if let deadline = incident.summaryDeadline {
                            _ = step(deadline.timeIntervalSince(now) / 60 + 0.01, .autoClose, .clock)
                        }
                    }
                    let first = departments[Int(generator.next() % UInt64(departments.count))]
                    if press(wait(2), .chooseDepartment(first.id), reporter) {
                        if generator.unit() < 0.15, press(wait(8), .openPicker, member()) {
                            let other = departments.first { $0.id != incident.departmentID } ?? first
                            _ = press(0.1, .pickDepartment(other.id), member())
                        }
                        if press(wait(12), .claim, member()) { resolve() }
                        if incident.status.isFinished, generator.unit() < 0.05, press(wait(240), .reopen, manager),
                            press(wait(12), .claim, member())
                        {
                            resolve()
                        }
                    }
                    try db.insertIncident(incident, groupRowID: stored.rowID)
                    let encoder = JSONEncoder()
                    for entry in timeline { try db.appendTimeline(entry, incident: incident.id, encoder: encoder) }
                    stored.nextNumber += 1
                    groupRows[chat] = stored
                }
                try db.execute(sql: "UPDATE counters SET value = ? WHERE name = 'incident_id'", arguments: [lastID])
                for (_, group) in groupRows {
                    try db.execute(
                        sql: "UPDATE groups SET next_incident_number = ? WHERE id = ?", arguments: [group.nextNumber, group.rowID])
                }
            }
            done = range.upperBound
            progress(done)
        }
        // No reminders or auto-closes to chats that do not exist: the groups are inactive
        // (reports count their incidents all the same).
        try await write { db in
            try db.execute(sql: "UPDATE groups SET status = 'inactive' WHERE company_id = ?", arguments: [company.id.rawValue])
        }
        return company.id
    }
}

/// A small deterministic generator (SplitMix64), so that runs are comparable.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
