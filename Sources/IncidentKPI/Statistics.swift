import Foundation

/// Percentiles by linear interpolation between closest ranks (Excel's PERCENTILE.INC, R's
/// type 7): for n sorted values, percentile p is at position h = (n - 1) * p, between the
/// values at floor(h) and ceil(h). The median of [60, 120, 180, 600] is 150.
public enum Percentile {
    /// The `p`-th percentile (0...1) of `sorted` (ascending); nil when empty.
    public static func of(_ sorted: [Double], _ p: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let position = Double(sorted.count - 1) * min(max(p, 0), 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        let fraction = position - Double(lower)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
    }
}

/// A distribution of durations, in seconds, each figure rounded to the millisecond.
public struct DurationStats: Hashable, Codable, Sendable {
    public var count: Int
    public var mean: Double?
    public var median: Double?
    public var p90: Double?
    public var p95: Double?
    public var max: Double?

    /// The statistics of `values` (seconds, any order).
    public init(_ values: [Double]) {
        let sorted = values.sorted()
        count = sorted.count
        mean = sorted.isEmpty ? nil : Milliseconds.rounded(sorted.reduce(0, +) / Double(sorted.count))
        median = Percentile.of(sorted, 0.5).map(Milliseconds.rounded)
        p90 = Percentile.of(sorted, 0.9).map(Milliseconds.rounded)
        p95 = Percentile.of(sorted, 0.95).map(Milliseconds.rounded)
        max = sorted.last
    }

    /// Absent values are written as null: the fields are the contract.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(count, forKey: .count)
        try container.encode(mean, forKey: .mean)
        try container.encode(median, forKey: .median)
        try container.encode(p90, forKey: .p90)
        try container.encode(p95, forKey: .p95)
        try container.encode(max, forKey: .max)
    }

    enum CodingKeys: String, CodingKey { case count, mean, median, p90, p95, max }
}

/// Compliance with one SLA threshold over the sessions that reached the step.
public struct Compliance: Hashable, Codable, Sendable {
    /// Sessions that reached the step (claimed, or resolved).
    public var reached: Int
    /// Of those, reached within the threshold (at or under it).
    public var met: Int
    /// met / reached * 100; nil when nothing reached the step.
    public var percent: Double? { reached == 0 ? nil : Double(met) * 100 / Double(reached) }

    public init(reached: Int = 0, met: Int = 0) {
        self.reached = reached
        self.met = met
    }

    mutating func add(_ duration: TimeInterval?, threshold: TimeInterval) {
        guard let duration else { return }
        reached += 1
        if duration <= threshold { met += 1 }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(reached, forKey: .reached)
        try container.encode(met, forKey: .met)
        try container.encode(percent, forKey: .percent)
    }

    enum CodingKeys: String, CodingKey { case reached, met, percent }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        reached = try container.decode(Int.self, forKey: .reached)
        met = try container.decode(Int.self, forKey: .met)
    }
}
