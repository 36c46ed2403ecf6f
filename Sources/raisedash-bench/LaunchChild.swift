import ArgumentParser
import Foundation
import ProcessLauncher

/// `raisedash-bench launch-child EXE [ARGS...]`: starts one child through `ProcessLauncher`
/// (parent-death signal SIGKILL, standard input /dev/null, so no lifeline), prints its pid,
/// and waits. Used by the launcher's tests as a parent that can be killed, to show that the
/// kernel then ends the child.
struct LaunchChild: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "launch-child", abstract: "Start a child and wait (for tests).", shouldDisplay: false)

    @Argument(help: "The executable to start.") var executable: String
    @Argument(parsing: .captureForPassthrough) var arguments: [String] = []

    func run() async throws {
        let child = try await ProcessLauncher.launch(Launch(executable: executable, arguments: arguments))
        FileHandle.standardOutput.write(Data("child \(child.pid)\n".utf8))
        _ = await child.wait()
    }
}
