#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The one timestamp format: RFC 3339 in UTC with milliseconds, `2025-03-01T08:05:09.120Z`.
/// Fixed width, so stored timestamps sort and compare as text.
public enum Timestamp {
    /// `date` rounded to the millisecond, the precision of stored times.
    public static func rounded(_ date: Date) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds(date)) / 1000)
    }

    /// Milliseconds since 1970.
    public static func milliseconds(_ date: Date) -> Int64 {
        let value = (date.timeIntervalSince1970 * 1000).rounded()
        guard value.isFinite else { return 0 }
        return Int64(max(min(value, 253_402_300_799_999), -62_135_596_800_000))
    }

    /// Formats `date` (years 0001 to 9999).
    public static func format(_ date: Date) -> String {
        let ms = milliseconds(date)
        var days = ms >= 0 ? ms / 86_400_000 : (ms - 86_399_999) / 86_400_000
        let msOfDay = ms - days * 86_400_000
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        // Written digit by digit into 24 bytes: this runs for every stored time.
        return String(unsafeUninitializedCapacity: 24) { buffer in
            func put(_ value: Int64, _ width: Int, at offset: Int) {
                var value = value
                for index in stride(from: offset + width - 1, through: offset, by: -1) {
                    buffer[index] = UInt8(truncatingIfNeeded: 0x30 + value % 10)
                    value /= 10
                }
            }
            put(year, 4, at: 0); buffer[4] = 0x2D
            put(month, 2, at: 5); buffer[7] = 0x2D
            put(day, 2, at: 8); buffer[10] = 0x54
            put(msOfDay / 3_600_000, 2, at: 11); buffer[13] = 0x3A
            put(msOfDay / 60_000 % 60, 2, at: 14); buffer[16] = 0x3A
            put(msOfDay / 1000 % 60, 2, at: 17); buffer[19] = 0x2E
            put(msOfDay % 1000, 3, at: 20); buffer[23] = 0x5A
            return 24
        }
    }

    /// Parses exactly the format ``format(_:)`` writes; nil for anything else.
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 24, bytes[4] == 0x2D, bytes[7] == 0x2D, bytes[10] == 0x54,
            bytes[13] == 0x3A, bytes[16] == 0x3A, bytes[19] == 0x2E, bytes[23] == 0x5A
        else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for index in range {
                let byte = bytes[index]
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                value = value * 10 + Int64(byte - 0x30)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            let millis = number(20..<23), (1...12).contains(month), (1...31).contains(day),
            hour < 24, minute < 60, second < 60
        else { return nil }
        // Days since 1970-01-01 from a civil date (Howard Hinnant's algorithm).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        let ms = ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millis
        let date = Date(timeIntervalSince1970: Double(ms) / 1000)
        // Reject impossible days (31 April) by formatting back.
        return format(date) == text ? date : nil
    }

    /// Parses any RFC 3339 time in UTC or with an offset, with or without fractional seconds
    /// (what another sender on the bus may write), rounded to the millisecond; nil otherwise.
    /// The exact format of ``format(_:)`` takes the fast path.
    public static func parseRFC3339(_ text: String) -> Date? {
        if let date = parse(text) { return date }
        guard let date = (try? fractional.parse(text)) ?? (try? seconds.parse(text)) else { return nil }
        return rounded(date)
    }

    private static let seconds = Date.ISO8601FormatStyle(timeZone: .gmt)
    private static let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
}
