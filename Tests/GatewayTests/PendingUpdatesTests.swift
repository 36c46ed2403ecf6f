import Foundation
@testable import Gateway
import Testing
import WireProtocol

@Suite("Gateway: pending updates and the offset")
struct PendingUpdatesTests {
    let t0 = ContinuousClock.now

    func event(_ id: Int64) -> InboundEvent {
        InboundEvent(
            updateID: id, chat: WireChat(id: -1, kind: .group), from: nil,
            kind: .command(name: "help", arguments: "", messageID: 1, replyTo: nil))
    }

    @Test("the offset moves only past a contiguous run of acknowledged or skipped updates")
    func offsetMovesOnlyPastSettledPrefix() {
        var pending = PendingUpdates(capacity: 10)
        pending.add(updateID: 10, event: event(10), envelopeID: "a", now: t0)
        pending.add(updateID: 11, event: nil, envelopeID: "", now: t0)
        pending.add(updateID: 12, event: event(12), envelopeID: "c", now: t0)
        #expect(pending.offset == nil)
        let settled12 = pending.acknowledge(12)
        #expect(settled12)
        #expect(pending.offset == nil, "12 is acknowledged but 10 is not")
        let settled10 = pending.acknowledge(10)
        #expect(settled10)
        #expect(pending.offset == 13)
        #expect(pending.isEmpty)
        let again = pending.acknowledge(10)
        #expect(!again, "an acknowledgement of an update already confirmed changes nothing")
    }

    @Test("skipped updates at the front are confirmed at once; ids already held or confirmed are not added again")
    func skippedAndDuplicates() {
        var pending = PendingUpdates(capacity: 10)
        pending.add(updateID: 5, event: nil, envelopeID: "", now: t0)
        #expect(pending.offset == 6)
        let first = pending.add(updateID: 7, event: event(7), envelopeID: "x", now: t0)
        let repeated = pending.add(updateID: 7, event: event(7), envelopeID: "y", now: t0)
        let confirmed = pending.add(updateID: 5, event: event(5), envelopeID: "z", now: t0)
        #expect(first)
        #expect(!repeated)
        #expect(!confirmed)
        #expect(pending.isKnown(4))
        #expect(pending.count == 1)
    }

    @Test("a full buffer says so")
    func capacity() {
        var pending = PendingUpdates(capacity: 2)
        pending.add(updateID: 1, event: event(1), envelopeID: "a", now: t0)
        #expect(!pending.isFull)
        pending.add(updateID: 2, event: event(2), envelopeID: "b", now: t0)
        #expect(pending.isFull)
        pending.acknowledge(1)
        #expect(!pending.isFull)
    }

    @Test("events are due when added, again after the ack timeout, and after a failed send at the retry time")
    func dueTimes() {
        var pending = PendingUpdates(capacity: 10)
        pending.add(updateID: 1, event: event(1), envelopeID: "a", now: t0)
        pending.add(updateID: 2, event: event(2), envelopeID: "b", now: t0)
        let due = pending.takeDue(now: t0)
        #expect(due.map(\.envelopeID) == ["a", "b"])
        let twice = pending.takeDue(now: t0 + .seconds(100))
        #expect(twice.isEmpty, "being sent: not due twice")
        pending.sent(1, resendAt: t0 + .seconds(3))
        pending.sendFailed(2, retryAt: t0 + .seconds(1))
        #expect(pending.nextDue == t0 + .seconds(1))
        let retried = pending.takeDue(now: t0 + .seconds(1))
        #expect(retried.map(\.envelopeID) == ["b"])
        let again = pending.takeDue(now: t0 + .seconds(3))
        #expect(again.map(\.envelopeID) == ["a"])
        #expect(again.first?.sends == 1)
        pending.acknowledge(1)
        pending.acknowledge(2)
        #expect(pending.nextDue == nil)
        #expect(pending.offset == 3)
    }
}
