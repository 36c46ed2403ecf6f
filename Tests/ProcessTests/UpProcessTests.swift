import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `raisedash up` as a new user runs it: four ready roles, a killed child restarted,
/// Ctrl-C stopping everything with no process left.
@Suite("raisedash up", .serialized)
struct UpProcessTests {
    static let roles = ["incidents", "scheduler", "sender", "gateway"]

    /// The pids `up` reported for each child, newest last.
    static func childPIDs(_ output: String) -> [String: [pid_t]] {
        var pids: [String: [pid_t]] = [:]
        for line in output.split(separator: "\n") where line.contains("child started") {
            guard let child = line.firstMatch(of: /child=(\w+)/)?.1,
                  let pid = line.firstMatch(of: /pid=(\d+)/).flatMap({ pid_t($0.1) }) else { continue }
            pids[String(child), default: []].append(pid)
        }
        return pids
    }

    static func readyCount(_ output: String, role: String) -> Int {
        output.split(separator: "\n").filter { $0.hasPrefix(role) && $0.contains("] ready") }.count
    }

    @Test("four ready roles; a killed child restarts; SIGINT stops all and leaves no process")
    func lifecycle() async throws {
        let up = try ChildProcess(arguments: ["up"], environment: isolatedEnvironment())
        try await up.waitFor("four ready roles") { output in Self.roles.allSatisfy { Self.readyCount(output, role: $0) >= 1 } }

        let first = Self.childPIDs(up.text)
        let gateway = try #require(first["gateway"]?.last)
        kill(gateway, SIGKILL)
        try await up.waitFor("the gateway restarted") { output in
            Self.readyCount(output, role: "gateway") >= 2 && (Self.childPIDs(output)["gateway"]?.count ?? 0) >= 2
        }
        #expect(up.text.contains("child exited; restarting"))

        let all = Self.childPIDs(up.text).values.flatMap { $0 }
        up.signal(SIGINT)
        let exit = await up.waitForExit(timeout: .seconds(15))
        #expect(exit == 0, "up exited with \(String(describing: exit)):\n\(up.text)")
        for pid in all {
            #expect(!isAlive(pid), "child \(pid) outlived raisedash up")
        }
        for role in Self.roles {
            #expect(up.text.contains("raisedash.\(role): role=\(role) [raisedash] stopped"), "\(role) did not stop cleanly")
        }
    }

    @Test("children stop by themselves when up is killed with SIGKILL")
    func noOrphans() async throws {
        let up = try ChildProcess(arguments: ["up"], environment: isolatedEnvironment())
        try await up.waitFor("four ready roles") { output in Self.roles.allSatisfy { Self.readyCount(output, role: $0) >= 1 } }
        let children = Self.childPIDs(up.text).values.flatMap { $0 }
        #expect(children.count == 4)
        up.signal(SIGKILL)
        _ = await up.waitForExit(timeout: .seconds(5))
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline, children.contains(where: isAlive) {
            try await Task.sleep(for: .milliseconds(100))
        }
        for pid in children {
            #expect(!isAlive(pid), "child \(pid) was orphaned")
            if isAlive(pid) { kill(pid, SIGKILL) }
        }
    }
}
