import Foundation
import GRDB

/// Why a store operation failed. The message says what a person needs to act on it and
/// never contains stored data or SQL.
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of failure; stable, safe as a metric label.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case notFound = "not_found"
            case duplicate
            case invalidInput = "invalid_input"
            case conflict
            case unavailable
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The thing named does not exist.
        public static let notFound = Code(.notFound)
        /// It exists already.
        public static let duplicate = Code(.duplicate)
        /// A value is malformed or out of range.
        public static let invalidInput = Code(.invalidInput)
        /// A concurrent change won; retrying may succeed.
        public static let conflict = Code(.conflict)
        /// The database could not be used (locked for too long, disk full, corrupt).
        public static let unavailable = Code(.unavailable)

        public var description: String { base.rawValue }
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    static func notFound(_ message: String) -> StoreError { StoreError(.notFound, message) }
    static func duplicate(_ message: String) -> StoreError { StoreError(.duplicate, message) }
    static func invalidInput(_ message: String) -> StoreError { StoreError(.invalidInput, message) }

    /// Keeps only SQLite's result code: GRDB's description includes the SQL and its
    /// arguments, which hold user data.
    ///
    /// A constraint the schema enforces (CHECK, NOT NULL, UNIQUE, FOREIGN KEY) means the input
    /// was wrong, not that the store is down: it is `invalidInput`, with a message that names
    /// no table, column or value.
    static func database(_ error: DatabaseError) -> StoreError {
        if error.resultCode == .SQLITE_CONSTRAINT {
            return StoreError(.invalidInput, "a value is out of range or conflicts with stored data")
        }
        return StoreError(.unavailable, "database error \(error.extendedResultCode)")
    }
}
