import Foundation
import GRDB
import IncidentCore
import IncidentKPI
import Timestamps

/// How the store opens its database.
public struct StoreConfiguration: Hashable, Sendable {
    /// How long a write waits for another connection (or process) holding the write lock.
    public var busyTimeout: TimeInterval
    /// `PRAGMA synchronous`. `full` survives power loss; `normal` survives a process crash
    /// (kill -9) and is much faster in WAL mode.
    public var synchronous: Synchronous
    /// How many times an action is retried when its compare-and-set loses to a concurrent one.
    public var conflictRetries: Int
    /// WAL pages written before SQLite checkpoints them into the database file. Larger means
    /// fewer, longer checkpoints: hot pages (an incident rewritten by each press) are copied
    /// once per checkpoint rather than many times.
    public var walAutocheckpointPages: Int
    /// What `/new_issue` without a reply takes as the description.
    public var issueContext: IssueContextPolicy = IssueContextPolicy()
    /// A company's escalation ladder unless it sets its own (SLA_ESCALATION_*_MINUTES).
    public var escalation: EscalationLadder = .standard
    /// How many general notices one person's commands may cause in a chat (``FloodControl``).
    public var floodControl: FloodControlPolicy = FloodControlPolicy()

    /// SQLite's durability settings.
    public enum Synchronous: String, Hashable, Sendable {
        case normal = "NORMAL"
        case full = "FULL"
    }

    public init(
        busyTimeout: TimeInterval = 10, synchronous: Synchronous = .full, conflictRetries: Int = 5,
        walAutocheckpointPages: Int = 4000
    ) {
        self.busyTimeout = busyTimeout
        self.synchronous = synchronous
        self.conflictRetries = conflictRetries
        self.walAutocheckpointPages = walAutocheckpointPages
    }
}

/// The incident service's SQLite store: companies, groups, departments, incidents, their
/// timeline, the outbox of effects to deliver, and the ids of processed Telegram updates.
///
/// Every inbound update is one write transaction (``apply(_:)``): the state change is a
/// compare-and-set on the stored status and version, its effects go to the outbox and its
/// timeline entries to the timeline in the same transaction, and the update id is recorded so
/// that a redelivery changes nothing. Several processes may share the file: WAL mode,
/// `BEGIN IMMEDIATE` writes and a busy timeout serialise them.
///
/// Blocking SQLite work runs on GRDB's own dispatch queues, never on Swift's cooperative pool.
public final class IncidentStore: Sendable {
    let pool: DatabasePool
    /// The time rules the decisions use.
    public let policy: SLAPolicy
    let configuration: StoreConfiguration
    /// Report settings of a company that has not set its own (SLA_CLAIM_MINUTES, ...).
    public let kpiDefaults: KPISettings

    /// Opens (creating if needed) the database at `path` and migrates it to the current schema.
    public init(
        path: String, policy: SLAPolicy, configuration: StoreConfiguration = .init(),
        kpiDefaults: KPISettings = .standard
    ) throws(StoreError) {
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(configuration.busyTimeout)
        config.journalMode = .wal
        let synchronous = configuration.synchronous.rawValue
        let checkpointPages = max(1, configuration.walAutocheckpointPages)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(checkpointPages)")
            // Reports scan most of the file: read pages through a memory map rather than a
            // pread and a copy into SQLite's small page cache per page (about a tenth of a
            // report's CPU over 100,000 incidents). Address space only; pages stay shared.
            try db.execute(sql: "PRAGMA mmap_size = 1073741824")
        }
        do {
            pool = try DatabasePool(path: path, configuration: config)
            try Schema.migrator.migrate(pool)
        } catch let error as DatabaseError {
            throw StoreError(.unavailable, "cannot open the database (\(error.extendedResultCode))")
        } catch {
            throw StoreError(.unavailable, "cannot open the database")
        }
        self.policy = policy
        self.configuration = configuration
        self.kpiDefaults = kpiDefaults
    }

    /// The identifiers of the migrations applied, oldest first.
    public func appliedMigrations() async throws(StoreError) -> [String] {
        try await read { db in try Schema.migrator.appliedMigrations(db) }
    }

    /// The database's journal mode (`wal`).
    public func journalMode() async throws(StoreError) -> String {
        try await read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }

    // MARK: Access

    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do {
            return try await pool.write(body)
        } catch let error as StoreError {
            throw error
        } catch is CompareAndSetConflict {
            throw StoreError(.conflict, "the incident was changed concurrently")
        } catch let error as DatabaseError {
            throw StoreError.database(error)
        } catch is CancellationError {
            throw StoreError(.unavailable, "cancelled")
        } catch {
            throw StoreError(.unavailable, "unexpected store error")
        }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do {
            return try await pool.read(body)
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            throw StoreError.database(error)
        } catch is CancellationError {
            throw StoreError(.unavailable, "cancelled")
        } catch {
            throw StoreError(.unavailable, "unexpected store error")
        }
    }
}

// MARK: - Column helpers

/// Stored timestamps: RFC 3339 UTC text with milliseconds.
func stamp(_ date: Date?) -> String? { date.map(Timestamp.format) }

extension Row {
    func date(_ column: String) throws -> Date {
        guard let value: String = self[column], let date = Timestamp.parse(value) else {
            throw StoreError(.unavailable, "stored timestamp \(column) is unreadable")
        }
        return date
    }

    func optionalDate(_ column: String) throws -> Date? {
        guard let value: String = self[column] else { return nil }
        guard let date = Timestamp.parse(value) else {
            throw StoreError(.unavailable, "stored timestamp \(column) is unreadable")
        }
        return date
    }
}

extension Database {
    /// Runs a cached statement.
    func run(_ sql: String, _ arguments: StatementArguments = []) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }

    func row(_ sql: String, _ arguments: StatementArguments = []) throws -> Row? {
        try Row.fetchOne(cachedStatement(sql: sql), arguments: arguments)
    }

    func rows(_ sql: String, _ arguments: StatementArguments = []) throws -> [Row] {
        try Row.fetchAll(cachedStatement(sql: sql), arguments: arguments)
    }
}

let jsonEncoder: @Sendable () -> JSONEncoder = { JSONEncoder() }
