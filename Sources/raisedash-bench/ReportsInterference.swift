import Foundation

/// One run of `lifecycle --pairs N`: press -> answer quiet, or with reports in a loop.
struct ComparedRun: Sendable {
    var loaded: Bool
    var load: MachineLoad
    var result: LoadResult
    var loop: ReportLoop?

    var presses: [Double] {
        result.lifecycles.flatMap { [$0.chooseAnswer, $0.claimAnswer, $0.resolveAnswer] }
    }

    /// CPU of the incident service per lifecycle, in ms (the report loop's work included).
    var incidentsCPU: Double {
        let seconds = result.processes.first { $0.name == "incidents" }?.cpuSeconds ?? 0
        return seconds * 1000 / Double(max(1, result.lifecycles.count))
    }

    /// CPU of the roles that serve a press (gateway, incidents, sender), per lifecycle, in ms.
    var rolesCPU: Double {
        let seconds = result.processes.filter { SystemUnderLoad.roles.contains($0.name) }.map(\.cpuSeconds).reduce(0, +)
        return seconds * 1000 / Double(max(1, result.lifecycles.count))
    }

    /// The runs side by side, each pair's p99 ratio, and the ratio of the pooled samples.
    static func table(_ runs: [ComparedRun]) -> String {
        var lines = [
            "press -> answer (all buttons), quiet and with every report in a loop over the admin API (ms):",
            "run                  load (1 min)  lifecycles/s   p50     p99     max    n   incidents CPU/lifecycle  report calls (failed)",
        ]
        for (index, run) in runs.enumerated() {
            let distribution = Distribution(run.presses)
            let calls = run.loop.map { "\($0.counts.calls) (\($0.counts.failures))" } ?? "-"
            let name = "\(index / 2 + 1) \(run.loaded ? "reports" : "quiet")"
            lines.append(
                name.padding(toLength: 21, withPad: " ", startingAt: 0)
                    + run.load.one.padding(toLength: 14, withPad: " ", startingAt: 0)
                    + String(
                        format: "%8.2f %7.1f %7.1f %7.1f %4d %14.1f ms          ", Double(run.result.lifecycles.count) / run.result.seconds,
                        distribution.at(0.5), distribution.at(0.99), distribution.sorted.last ?? .nan, distribution.sorted.count,
                        run.incidentsCPU)
                    + calls)
        }
        var ratios: [String] = []
        for pair in stride(from: 0, to: runs.count - 1, by: 2) {
            let quiet = Distribution(runs[pair].presses)
            let loaded = Distribution(runs[pair + 1].presses)
            ratios.append(String(format: "%.2f (p50 %.2f)", loaded.at(0.99) / quiet.at(0.99), loaded.at(0.5) / quiet.at(0.5)))
        }
        lines.append("p99 with reports / p99 quiet, per pair: " + ratios.joined(separator: ", "))
        let quiet = Distribution(runs.filter { !$0.loaded }.flatMap(\.presses))
        let loaded = Distribution(runs.filter(\.loaded).flatMap(\.presses))
        lines.append(String(
            format: "all quiet presses: p50 %.1f p99 %.1f (n=%d); all with reports: p50 %.1f p99 %.1f (n=%d); p99 ratio %.2f, p50 ratio %.2f",
            quiet.at(0.5), quiet.at(0.99), quiet.sorted.count, loaded.at(0.5), loaded.at(0.99), loaded.sorted.count,
            loaded.at(0.99) / quiet.at(0.99), loaded.at(0.5) / quiet.at(0.5)))
        let quietRoles = runs.filter { !$0.loaded }.map(\.rolesCPU)
        let loadedRoles = runs.filter(\.loaded).map(\.rolesCPU)
        lines.append(
            "the four roles' CPU per lifecycle: quiet " + quietRoles.map { fixed($0, 1) }.joined(separator: ", ")
                + " ms; with reports " + loadedRoles.map { fixed($0, 1) }.joined(separator: ", ") + " ms (the reports' work included)")
        for run in runs where run.loaded {
            if let loop = run.loop { lines.append("  " + loop.summary) }
        }
        return lines.joined(separator: "\n")
    }
}
