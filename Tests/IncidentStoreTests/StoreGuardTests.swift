import Foundation
import GRDB
import IncidentCore
@testable import Storage
import Testing

/// The guards below the public API: the compare-and-set UPDATE and the schema's own checks.
@Suite struct StoreGuardTests {
    typealias F = StoreFixture

    /// A write based on an incident that changed since it was read touches no row.
    @Test func compareAndSetRefusesAWriteFromAStaleRead() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let id = try await fixture.incidentAwaitingClaim(1)
        let stale = try #require(try await fixture.store.incident(id))
        #expect(try await fixture.press(3, .claim, on: id, by: F.ann).outcome == .applied)
        let context = DecisionContext(
            group: Group(chatID: F.chat.id, companyID: fixture.company.id, status: .active),
            departments: [fixture.dispatch], members: [fixture.dispatch.id: [F.bob.mention]], people: [:],
            policy: F.policy)
        let decision = try IncidentMachine.decide(
            stale, .press(.claim, cardVersion: stale.cardVersion, query: "q"), by: .user(F.bob), context: context,
            now: F.at(minutes: 1)
        ).get()
        let conflicted = try await fixture.store.pool.write { db -> Bool in
            do {
                try db.updateIncident(from: stale, to: decision.incident)
                return false
            } catch is CompareAndSetConflict {
                return true
            }
        }
        #expect(conflicted)
        #expect(try await fixture.store.incident(id)?.activeParticipantIDs == [F.ann.id])
    }

    @Test func foreignKeysAreOnAndTheTimelineIsAppendOnly() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let id = try #require(try await fixture.newIssue(1).incidentID)
        let pool = fixture.store.pool
        #expect(try await pool.read { db in try Int.fetchOne(db, sql: "PRAGMA foreign_keys") } == 1)
        await #expect(throws: DatabaseError.self) {
            try await pool.write { db in try db.execute(sql: "UPDATE timeline SET kind = 'resolved'") }
        }
        await #expect(throws: DatabaseError.self) {
            try await pool.write { db in try db.execute(sql: "DELETE FROM timeline") }
        }
        await #expect(throws: DatabaseError.self) {
            try await pool.write { db in
                try db.execute(sql: "UPDATE incidents SET department_id = 999 WHERE id = ?", arguments: [id.rawValue])
            }
        }
        await #expect(throws: DatabaseError.self) {
            try await pool.write { db in
                try db.execute(sql: "UPDATE incidents SET status = 'resolved' WHERE id = ?", arguments: [id.rawValue])
            }
        }
        #expect(try await fixture.store.timeline(of: id).map(\.kind) == [.created])
    }
}
