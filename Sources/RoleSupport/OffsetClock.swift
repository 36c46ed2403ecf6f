import Foundation

/// The wall clock moved by a number of seconds read from a file: how end-to-end tests make the
/// incident service and the scheduler live at another time (a night shift, a daylight saving
/// change) without waiting for it. Test-only: set by RAISEDASH_CLOCK_OFFSET_FILE, which
/// `raisedash --help` does not list and no deployment sets.
///
/// The file holds one decimal number of seconds (`86400.5`, `-3600`); it is read on every
/// call, so a test moves time by rewriting it. A missing or unreadable file is offset 0.
public struct OffsetClock: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// The offset now in the file, in seconds.
    public var offset: TimeInterval {
        guard let data = FileManager.default.contents(atPath: path),
            let text = String(data: data, encoding: .utf8),
            let seconds = Double(text.trimmingCharacters(in: .whitespacesAndNewlines)), seconds.isFinite
        else { return 0 }
        return seconds
    }

    /// The wall clock plus the offset.
    public func now() -> Date { Date().addingTimeInterval(offset) }

    /// `Date.init`, or the offset clock when `path` is given.
    public static func now(path: String?) -> @Sendable () -> Date {
        guard let path else { return Date.init }
        let clock = OffsetClock(path: path)
        return { clock.now() }
    }
}
