import ArgumentParser

/// `raisedash simulator`: the local Bot API server (wired when the simulator module lands).
struct SimulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulator",
        abstract: "Run a local server that behaves like Telegram's Bot API, for tests and demos.")

    func run() async throws {
        throw ValidationError("the simulator is not built into this version yet")
    }
}
