import Foundation
import IncidentCore
import Storage
import Testing

/// Inbound flood control: repeated notices collapse, cards and button answers go first.
@Suite struct StoreFloodControlTests {
    typealias F = StoreFixture

    func help(_ fixture: StoreFixture, _ updateID: Int64, by person: Person = F.ann, seconds: Double = 0) async throws -> ApplyResult {
        try await fixture.store.apply(
            updateID: updateID, chat: F.chat, sender: person, event: .help(command: MessageID(updateID)),
            now: F.t0.addingTimeInterval(seconds))
    }

    func notices(_ fixture: StoreFixture) async throws -> Int {
        try await fixture.store.openOutbox().filter { if case .sendMessage = $0.effect { true } else { false } }.count
    }

    @Test func threeHundredHelpsInAGroupQueueOneReply() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        for update in Int64(1)...300 {
            let person = [F.ann, F.bob, F.driver, F.outsider][Int(update) % 4]
            #expect(try await help(fixture, update, by: person, seconds: Double(update) / 100).outcome == .applied)
        }
        #expect(try await notices(fixture) == 1)
        // Every update is recorded as processed: a redelivery is a duplicate, not a new reply.
        #expect(try await help(fixture, 150).outcome == .duplicate)

        // Handed to a sender but not delivered yet: still collapsed.
        let sent = try await fixture.store.claimOutbox(limit: 10, now: F.t0.addingTimeInterval(5))
        #expect(sent.count == 1)
        _ = try await help(fixture, 301, seconds: 5)
        #expect(try await fixture.store.openOutbox().count == 1)
        // Delivered: whoever asks now gets the answer.
        try await fixture.store.completeOutbox(sent[0].id, result: .delivered(messageID: 9000), now: F.t0.addingTimeInterval(6))
        _ = try await help(fixture, 302, seconds: 7)
        #expect(try await notices(fixture) == 1)
    }

    @Test func cardsGoAheadOfNoticesQueuedBefore() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        _ = try await help(fixture, 1)
        #expect(try await fixture.newIssue(2).outcome == .applied)
        let first = try await fixture.store.claimOutbox(limit: 1, now: F.t0)
        guard case .postCard? = first.first?.effect else {
            Issue.record("the first item handed out is not the card: \(String(describing: first.first?.effect))")
            return
        }
        let next = try await fixture.store.claimOutbox(limit: 10, now: F.t0)
        #expect(next.contains { if case .sendMessage = $0.effect { true } else { false } }, "the help reply still goes out")
    }
}

/// Flood control per person: one person's commands get a bounded number of answers per window.
@Suite struct StorePersonFloodControlTests {
    typealias F = StoreFixture

    /// `/help` by `person`, its answer (if any) delivered at once, so that only the per-person
    /// limit (not the collapse of a waiting notice) can hold an answer back.
    func helpDelivered(_ fixture: StoreFixture, _ updateID: Int64, by person: Person, seconds: Double) async throws -> [String] {
        let now = F.t0.addingTimeInterval(seconds)
        let result = try await fixture.store.apply(
            updateID: updateID, chat: F.chat, sender: person, event: .help(command: MessageID(updateID)), now: now)
        #expect(result.outcome == .applied)
        let items = try await fixture.store.claimOutbox(limit: 100, now: now)
        var texts: [String] = []
        for item in items {
            if case .sendMessage(let message) = item.effect { texts.append(message.html) }
            try await fixture.store.completeOutbox(item.id, result: .delivered(messageID: MessageID(10_000 + updateID)), now: now)
        }
        return texts
    }

    @Test func onePersonGetsAtMostTheirShareThenOneNoticeThenNothing() async throws {
        let fixture = try await StoreFixture(floodControl: FloodControlPolicy(repliesPerPerson: 3, window: 60))
        defer { fixture.remove() }
        var annAnswers: [String] = []
        for update in Int64(1)...40 {
            annAnswers += try await helpDelivered(fixture, update, by: F.ann, seconds: Double(update) / 2)
        }
        #expect(annAnswers.count == 4, "\(annAnswers)")
        #expect(annAnswers.prefix(3).allSatisfy { $0 == Texts.help })
        #expect(annAnswers.last == Texts.tooManyCommands(F.ann, window: 60))
        #expect(annAnswers.last?.contains("@dispatch_ann") == true)
        #expect(annAnswers.last?.contains("a minute") == true)

        // Somebody else in the same chat is answered as usual, and so is Ann in another chat.
        #expect(try await helpDelivered(fixture, 100, by: F.bob, seconds: 21) == [Texts.help])
        let elsewhere = try await fixture.store.apply(
            updateID: 101, chat: F.otherChat, sender: F.ann, event: .help(command: MessageID(101)),
            now: F.t0.addingTimeInterval(21))
        #expect(elsewhere.outboxIDs.count == 1)

        // A card and the answer to Ann's button press are never held back.
        let issue = try await fixture.newIssue(102, by: F.driver, minutes: 21.5 / 60)
        #expect(issue.outcome == .applied)
        let incident = try #require(issue.incidentID)
        let card = try await fixture.store.claimOutbox(limit: 100, now: F.t0.addingTimeInterval(22))
        #expect(card.contains { if case .postCard = $0.effect { true } else { false } })
        for item in card {
            try await fixture.store.completeOutbox(item.id, result: .delivered(messageID: 555), now: F.t0.addingTimeInterval(22))
        }
        let press = try await fixture.press(103, .chooseDepartment(fixture.dispatch.id), on: incident, by: F.ann, minutes: 23.0 / 60)
        #expect(press.outboxIDs.count >= 1)
        let pressItems = try await fixture.store.claimOutbox(limit: 100, now: F.t0.addingTimeInterval(23))
        #expect(pressItems.contains { if case .answerPress = $0.effect { true } else { false } }, "\(pressItems.map(\.effect))")

        // Once the window has moved past her answers, Ann is answered again.
        #expect(try await helpDelivered(fixture, 200, by: F.ann, seconds: 20.5 + 61) == [Texts.help])
    }

    @Test func theLimitCountsEveryKindOfNoticeAndZeroTurnsItOff() async throws {
        let limited = try await StoreFixture(floodControl: FloodControlPolicy(repliesPerPerson: 2, window: 60))
        defer { limited.remove() }
        // /new_issue without a reply and without context is refused with a notice; /help
        // answers; both count.
        var answers = 0
        for update in Int64(1)...10 {
            let now = F.t0.addingTimeInterval(Double(update))
            let event: InboundUpdate.Event = update.isMultiple(of: 2)
                ? .help(command: MessageID(update))
                : .newIssue(command: MessageID(update), reported: nil)
            let result = try await limited.store.apply(updateID: update, chat: F.chat, sender: F.outsider, event: event, now: now)
            for item in try await limited.store.claimOutbox(limit: 100, now: now) {
                if case .sendMessage = item.effect { answers += 1 }
                try await limited.store.completeOutbox(item.id, result: .delivered(messageID: MessageID(900 + update)), now: now)
            }
            #expect(result.outcome != .duplicate)
        }
        #expect(answers == 3)

        let unlimited = try await StoreFixture(floodControl: FloodControlPolicy(repliesPerPerson: 0, window: 60))
        defer { unlimited.remove() }
        var unlimitedAnswers = 0
        for update in Int64(1)...10 {
            unlimitedAnswers += try await helpDelivered(unlimited, update, by: F.ann, seconds: Double(update)).count
        }
        #expect(unlimitedAnswers == 10)
    }
}
