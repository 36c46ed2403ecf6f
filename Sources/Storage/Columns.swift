import Foundation
import GRDB
import IncidentCore
import Timestamps

/// Reads a row's columns in order, by position (GRDB's lookups by name lower-case the name
/// on every call, which shows in the profile of every action).
struct Columns {
    private let row: Row
    private var index = 0

    init(_ row: Row) { self.row = row }

    mutating func int64() -> Int64 {
        defer { index += 1 }
        return (row[index] as Int64?) ?? 0
    }

    mutating func optionalInt64() -> Int64? {
        defer { index += 1 }
        return row[index]
    }

    mutating func bool() -> Bool { int64() != 0 }

    mutating func string() -> String {
        defer { index += 1 }
        return (row[index] as String?) ?? ""
    }

    mutating func optionalString() -> String? {
        defer { index += 1 }
        return row[index]
    }

    mutating func date() throws -> Date {
        guard let date = Timestamp.parse(string()) else {
            throw StoreError(.unavailable, "a stored timestamp is unreadable")
        }
        return date
    }

    mutating func optionalDate() throws -> Date? {
        guard let text = optionalString() else { return nil }
        guard let date = Timestamp.parse(text) else {
            throw StoreError(.unavailable, "a stored timestamp is unreadable")
        }
        return date
    }
}
