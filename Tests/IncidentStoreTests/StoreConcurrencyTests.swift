import Foundation
import IncidentCore
import ProcessLauncher
import Storage
import Testing

/// Concurrency on a real file database in WAL mode.
@Suite struct StoreConcurrencyTests {
    typealias F = StoreFixture

    /// Sixteen members press Claim on the same card at once: one transition, one card update;
    /// everyone else is told the incident is in progress now (their Claim no longer applies).
    @Test(arguments: [1, 2])
    func sixteenClaimsOneTransition(pools: Int) async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let members = (100..<116).map { Person(id: UserID(Int64($0)), firstName: "Member \($0)") }
        for member in members {
            try await fixture.store.addMember(.user(member.id), to: fixture.dispatch.id, now: F.t0)
        }
        let id = try await fixture.incidentAwaitingClaim(1)
        try await fixture.deliverAll()
        let version = try #require(try await fixture.store.incident(id)).cardVersion
        let stores = try [fixture.store] + (1..<pools).map { _ in try fixture.secondStore() }

        let outcomes = try await withThrowingTaskGroup(of: ApplyResult.Outcome.self) { group in
            for (index, member) in members.enumerated() {
                let store = stores[index % stores.count]
                group.addTask {
                    try await fixture.press(
                        Int64(1000 + index), .claim, on: id, version: version, by: member, minutes: 1, in: store
                    ).outcome
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == .applied }.count == 1)
        #expect(outcomes.filter { $0 == .refused(.notAvailable(1, .inProgress)) }.count == 15)

        let incident = try #require(try await fixture.store.incident(id))
        #expect(incident.status == .inProgress)
        #expect(incident.activeParticipantIDs.count == 1)
        let timeline = try await fixture.store.timeline(of: id)
        #expect(timeline.filter { $0.kind == .claimed }.count == 1)
        let open = try await fixture.store.openOutbox()
        #expect(open.filter { $0.effect.kindName == "updateCard" }.count == 1)
        let answers = open.compactMap { if case .answerPress(let a) = $0.effect { a } else { nil } }
        #expect(answers.count == 16)
        #expect(answers.filter(\.showAlert).count == 15)
        #expect(answers.filter(\.showAlert).allSatisfy { $0.text == "#0001 is in progress; that button no longer applies." })
    }

    /// Sixteen concurrent /new_issue in one group get sixteen distinct, consecutive numbers.
    @Test func sixteenCreatesGetConsecutiveNumbers() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let second = try fixture.secondStore()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<16 {
                group.addTask {
                    let store = index.isMultiple(of: 2) ? fixture.store : second
                    let result = try await store.apply(
                        updateID: Int64(500 + index), chat: F.chat, sender: F.driver,
                        event: .newIssue(command: MessageID(Int64(index * 2 + 1)), reported: .init(messageID: MessageID(Int64(index * 2)), text: "issue \(index)")),
                        now: F.t0)
                    #expect(result.outcome == .applied)
                }
            }
            try await group.waitForAll()
        }
        let incidents = try await fixture.store.incidents(chat: F.chat.id)
        #expect(incidents.map(\.number.rawValue).sorted() == Array(1...16))
        #expect(Set(incidents.map(\.id)).count == 16)
        // The next one continues the sequence.
        let next = try await fixture.newIssue(600)
        #expect(try await fixture.store.incidentDetail(try #require(next.incidentID))?.incident.number == 17)
    }

    /// The same update delivered to two store instances (two connection pools) at once:
    /// applied exactly once.
    @Test func theSameUpdateConcurrentlyIsAppliedOnce() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let stores = [fixture.store, try fixture.secondStore()]
        let outcomes = try await withThrowingTaskGroup(of: ApplyResult.Outcome.self) { group in
            for index in 0..<8 {
                group.addTask { try await fixture.newIssueOutcome(42, in: stores[index % 2]) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == .applied }.count == 1)
        #expect(outcomes.filter { $0 == .duplicate }.count == 7)
        #expect(try await fixture.store.incidents().count == 1)
    }

    /// Two processes sharing the file: the built `raisedash-bench` applies the same update as
    /// this process, and several of them race on one Claim button.
    @Test(.timeLimit(.minutes(2)))
    func twoProcessesShareTheFile() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let tool = try ApplyUpdateTool.benchTool()

        // The same /new_issue update from a child process and from this one at the same time.
        let update = InboundUpdate(
            updateID: 9001, chat: F.chat, sender: F.driver,
            event: .newIssue(command: 91, reported: .init(messageID: 90, text: "shared")), receivedAt: F.t0)
        async let child = ApplyUpdateTool.apply(update, database: fixture.path, tool: tool)
        let here = try await fixture.store.apply(update)
        let there = try await child
        #expect([here.outcome.label, there].sorted() == ["applied", "duplicate"])
        #expect(try await fixture.store.incidents().count == 1)
        let id = try #require(try await fixture.store.incidents().first?.id)

        // Four processes and this one press Claim on the same card.
        _ = try await fixture.press(9002, .chooseDepartment(fixture.dispatch.id), on: id, by: F.driver)
        let version = try #require(try await fixture.store.incident(id)).cardVersion
        let data = CallbackData(incidentID: id, cardVersion: version, action: .claim).encoded
        let claimers = [F.ann, F.bob, F.carol, F.manager]
        var children: [Task<String, any Error>] = []
        for (index, person) in claimers.enumerated() {
            let press = InboundUpdate(
                updateID: 9100 + Int64(index), chat: F.chat, sender: person,
                event: .press(query: CallbackQueryID("q\(index)"), data: data), receivedAt: F.at(minutes: 1))
            children.append(Task { try await ApplyUpdateTool.apply(press, database: fixture.path, tool: tool) })
        }
        let mine = try await fixture.store.apply(
            updateID: 9200, chat: F.chat, sender: F.carol, event: .press(query: "mine", data: data), now: F.at(minutes: 1))
        var labels = [mine.outcome.label]
        for child in children { labels.append(try await child.value) }
        // Ann, Bob and Carol are members (one wins); the manager is not a member of Dispatch.
        #expect(labels.filter { $0 == "applied" }.count == 1)
        #expect(labels.filter { $0 == "refused" }.count == 4)
        let incident = try #require(try await fixture.store.incident(id))
        #expect(incident.status == .inProgress)
        #expect(incident.activeParticipantIDs.count == 1)
        #expect(try await fixture.store.timeline(of: id).filter { $0.kind == .claimed }.count == 1)
    }
}

extension ApplyResult.Outcome {
    var label: String {
        switch self {
        case .applied: "applied"
        case .refused: "refused"
        case .duplicate: "duplicate"
        case .ignored: "ignored"
        case .deferred: "deferred"
        }
    }
}

extension StoreFixture {
    func newIssueOutcome(_ updateID: Int64, in store: IncidentStore) async throws -> ApplyResult.Outcome {
        try await store.apply(
            updateID: updateID, chat: Self.chat, sender: Self.driver,
            event: .newIssue(command: 2, reported: .init(messageID: 1, text: "once")), now: Self.t0
        ).outcome
    }
}

/// Runs the built `raisedash-bench apply-update` as a separate process.
enum ApplyUpdateTool {
    /// The executable next to this test bundle in the build products directory.
    static func benchTool() throws -> URL {
        var candidates: [URL] = []
        if let executable = Bundle.main.executableURL {
            candidates.append(executable.deletingLastPathComponent().appendingPathComponent("raisedash-bench"))
        }
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        candidates.append(packageRoot.appendingPathComponent(".build/debug/raisedash-bench"))
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw Failure("raisedash-bench is not built; looked at \(candidates.map(\.path))")
        }
        return found
    }

    /// Applies `update` in a child process; returns its outcome label.
    static func apply(_ update: InboundUpdate, database: String, tool: URL) async throws -> String {
        let json = String(decoding: try JSONEncoder().encode(update), as: UTF8.self)
        let policy = StoreFixture.policy
        let arguments = [
            "apply-update", "--database", database, "--update", json,
            "--nudge-minutes", String(policy.unclaimedNudge / 60), "--summary-minutes", String(policy.summaryTimeout / 60),
        ]
        let output = try await run(tool, arguments)
        return output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs a process to completion through the shared launcher; reads its output on
    /// dedicated threads (never blocking the cooperative pool).
    static func run(_ tool: URL, _ arguments: [String]) async throws -> String {
        let process = try await ProcessLauncher.launch(Launch(
            executable: tool.path, arguments: arguments, output: .pipe, error: .pipe))
        async let output = ChildOutput.readToEnd(process.standardOutput!)
        async let errors = ChildOutput.readToEnd(process.standardError!)
        let status = await process.wait()
        let (text, errorText) = await (String(decoding: output, as: UTF8.self), String(decoding: errors, as: UTF8.self))
        guard status == 0 else { throw Failure("child exited \(status): \(errorText)") }
        return text
    }
}

