import Foundation
import ProcessLauncher
import ProcessTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The one launcher every spawn goes through (supervisor, tests, benchmarks, demo).
@Suite("Process launcher")
struct LauncherTests {
    @Test("a child inherits no descriptor above 2, even while another child's lifeline is open")
    func noDescriptorLeaks() async throws {
        let first = try await ProcessLauncher.launch(Launch(
            executable: "/bin/sleep", arguments: ["30"], input: .lifeline, output: .pipe))
        let second = try await ProcessLauncher.launch(Launch(
            executable: "/bin/sleep", arguments: ["30"], input: .lifeline, output: .pipe, error: .pipe))
        defer { first.signal(SIGKILL); second.signal(SIGKILL) }
        for child in [first, second] {
            // Right after exec the dynamic loader and libc briefly hold a descriptor of their own
            // (a shared library or the locale archive being mapped, as fd 3): seen under load.
            // An inherited descriptor never goes away, so wait up to 5 s for the set to settle.
            var descriptors: [String] = []
            let deadline = ContinuousClock.now + .seconds(5)
            repeat {
                descriptors = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(child.pid)/fd").sorted()
                if descriptors == ["0", "1", "2"] { break }
                try await Task.sleep(for: .milliseconds(20))
            } while ContinuousClock.now < deadline
            let targets = descriptors.map { ($0, (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(child.pid)/fd/\($0)")) ?? "?") }
            #expect(descriptors == ["0", "1", "2"], "child \(child.pid) has \(targets)")
        }
        // Each child's standard input is its own lifeline pipe.
        let stdins = try [first, second].map { try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\($0.pid)/fd/0") }
        #expect(stdins.allSatisfy { $0.hasPrefix("pipe:") } && stdins[0] != stdins[1], "\(stdins)")
    }

    @Test("a child is killed by the kernel when its parent dies, even by SIGKILL")
    func childDiesWithItsParent() async throws {
        let bench = repositoryRoot.appendingPathComponent(".build/debug/raisedash-bench").path
        guard FileManager.default.isExecutableFile(atPath: bench) else {
            throw TestFailure("\(bench) is missing: run `swift build --build-tests` first")
        }
        // The parent starts `sleep 300` through the launcher and gives it no lifeline: only
        // the parent-death signal can end it early.
        let parent = try await ProcessLauncher.launch(Launch(
            executable: bench, arguments: ["launch-child", "/bin/sleep", "300"], output: .pipe))
        let line = await readLine(parent.standardOutput!)
        let grandchild = try #require(line.split(separator: " ").last.flatMap { pid_t($0) }, "output: \(line)")
        #expect(isAlive(grandchild))
        parent.signal(SIGKILL)
        _ = await parent.wait()
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline, isAlive(grandchild) {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(!isAlive(grandchild), "sleep \(grandchild) outlived its parent")
        if isAlive(grandchild) { kill(grandchild, SIGKILL) }
    }

    @Test("many tasks start children at once; each gets its own arguments and output")
    func concurrentStarts() async throws {
        try await withThrowingTaskGroup(of: (Int, String, Int32).self) { group in
            for index in 0..<48 {
                group.addTask {
                    let child = try await ProcessLauncher.launch(Launch(
                        executable: "/bin/echo", arguments: ["child-\(index)"], output: .pipe))
                    async let output = ChildOutput.readToEnd(child.standardOutput!)
                    let status = await child.wait()
                    return (index, String(decoding: await output, as: UTF8.self), status)
                }
            }
            var seen = 0
            for try await (index, output, status) in group {
                #expect(output == "child-\(index)\n")
                #expect(status == 0)
                seen += 1
            }
            #expect(seen == 48)
        }
    }

    @Test("exit codes and signals are reported as a shell does")
    func exitStatuses() async throws {
        let exits = try await ProcessLauncher.launch(Launch(executable: "/bin/sh", arguments: ["-c", "exit 3"]))
        #expect(await exits.wait() == 3)
        let killed = try await ProcessLauncher.launch(Launch(executable: "/bin/sh", arguments: ["-c", "kill -9 $$"]))
        #expect(await killed.wait() == 128 + SIGKILL)
        // Dispositions are reset: a child stops on SIGTERM even if this process ignores it.
        let sleeper = try await ProcessLauncher.launch(Launch(executable: "/bin/sleep", arguments: ["30"]))
        sleeper.signal(SIGTERM)
        #expect(await sleeper.waitForExit(timeout: .seconds(10)) == 128 + SIGTERM)
    }

    @Test("a missing executable or directory is an error at start, not a child that exits 127")
    func startFailures() async throws {
        let missing = #expect(throws: LaunchError.self) {
            try ProcessLauncher.start(Launch(executable: "/nonexistent/raisedash"))
        }
        #expect(missing?.description.contains("No such file") == true, "\(String(describing: missing))")
        #expect(throws: LaunchError.self) {
            try ProcessLauncher.start(Launch(executable: "/bin/true", directory: "/nonexistent-directory"))
        }
    }

    private func readLine(_ descriptor: Int32) async -> String {
        await withCheckedContinuation { continuation in
            Thread {
                var bytes: [UInt8] = []
                var byte: UInt8 = 0
                while read(descriptor, &byte, 1) == 1, byte != 0x0A { bytes.append(byte) }
                continuation.resume(returning: String(decoding: bytes, as: UTF8.self))
            }.start()
        }
    }
}
