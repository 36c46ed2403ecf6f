import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import Testing
@testable import TelegramSimulator

@Suite("Server lifecycle")
struct ServerLifecycleTests {
    private var logger: Logger {
        var logger = Logger(label: "simulator-lifecycle-test")
        logger.logLevel = .critical
        return logger
    }

    @Test("cancelling run() answers a pending long poll at once and run() returns")
    func cancellationEndsLongPolls() async throws {
        let server = try SimulatorServer(configuration: .init(port: 0), logger: logger)
        let session = URLSession(configuration: .ephemeral)
        defer { session.finishTasksAndInvalidate() }
        let runner = Task { try await server.run() }
        let port = try await server.listeningPort()
        let sim = RunningSimulator(server: server, port: port, clock: ManualClock(), session: session)
        let started = ContinuousClock.now
        let poll = Task { try? await sim.bot("getUpdates", ["timeout": 50]) }
        try await waitUntilPollIsPending(sim)
        runner.cancel()
        try await runner.value  // returns, does not throw
        _ = await poll.value
        #expect(ContinuousClock.now - started < .seconds(40), "the poll waited for its timeout instead of ending with the server")
        await #expect(throws: SimulatorError.self) { try await server.listeningPort() }
    }

    @Test("a port that is taken makes run() throw and listeningPort() fail")
    func portTaken() async throws {
        let first = try SimulatorServer(configuration: .init(port: 0), logger: logger)
        let firstRun = Task { try await first.run() }
        let port = try await first.listeningPort()
        let second = try SimulatorServer(configuration: .init(port: port), logger: logger)
        await #expect(throws: (any Error).self) { try await second.run() }
        await #expect(throws: SimulatorError.self) { try await second.listeningPort() }
        firstRun.cancel()
        try await firstRun.value
    }

    @Test("malformed settings are refused before starting, without echoing the token", arguments: [
        SimulatorConfiguration(token: "no-colon-secret"),
        SimulatorConfiguration(token: "abc:secret"),
        SimulatorConfiguration(token: "123:sec ret"),
        SimulatorConfiguration(botUsername: "RaiseDash"),
        SimulatorConfiguration(botUsername: "xbot"),
        SimulatorConfiguration(port: 70000),
    ])
    func badConfiguration(configuration: SimulatorConfiguration) throws {
        let error = try #require(throws: SimulatorError.self) { try SimulatorServer(configuration: configuration, logger: logger) }
        #expect(!error.description.contains("secret"))
        #expect(!configuration.description.contains("secret"))
    }

    @Test("the defaults are the documented ones")
    func defaults() throws {
        let configuration = SimulatorConfiguration()
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.port == 8081)
        #expect(configuration.token == "123456:TEST-TOKEN-raisedash-simulator")
        #expect(configuration.botUsername == "RaiseDashBot")
        #expect(configuration.usesDefaultToken)
        let server = try SimulatorServer(configuration: configuration, logger: logger)
        #expect(server.botID == 123456)
        #expect(server.botAPIVersion == "Bot API 10.1")
    }
}
