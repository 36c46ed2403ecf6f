import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import SimulatorClient
import Testing
import TelegramSimulator

/// A simulator served in this process on a free port, with a manual clock: the client talks to
/// it over real HTTP, and the bot's side is played with plain Bot API requests.
struct Simulated: Sendable {
    let client: SimulatorClient
    let port: Int
    let token: String
    let botID: Int64

    /// Runs `body` against a fresh simulator, then stops it.
    static func run(_ body: (Simulated) async throws -> Void) async throws {
        var logger = Logger(label: "simulator-client-test")
        logger.logLevel = .warning
        let server = try SimulatorServer(configuration: SimulatorConfiguration(port: 0, clock: ManualClock()), logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            do {
                let port = try await server.listeningPort()
                let simulated = Simulated(
                    client: SimulatorClient(port: port), port: port, token: server.configuration.token, botID: Int64(server.botID))
                try await body(simulated)
                group.cancelAll()
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }

    /// The bot calls a Bot API method; returns the whole answer.
    func botCall(_ method: String, _ parameters: [String: any Sendable]) async throws -> [String: Any] {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/bot\(token)/\(method)")!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONSerialization.data(withJSONObject: parameters)
        let (data, _) = try await URLSession.shared.data(for: request)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// The bot calls a Bot API method; returns `result` (the call must succeed).
    @discardableResult
    func bot(_ method: String, _ parameters: [String: any Sendable]) async throws -> [String: Any] {
        let answer = try await botCall(method, parameters)
        #expect(answer["ok"] as? Bool == true, "\(method): \(answer)")
        return answer["result"] as? [String: Any] ?? [:]
    }

    /// Ann and Bob in a supergroup whose bot is an administrator.
    func group() async throws -> (chat: Int64, ann: Int64, bob: Int64) {
        let ann = try await client.addUser(NewUser(id: 501, firstName: "Ann", username: "ann_ops")).id
        let bob = try await client.addUser(NewUser(firstName: "Bob")).id
        let chat = try await client.createChat(NewChat(
            title: "Dispatch", type: .supergroup, id: -1_002_000_000_077, members: [ann, bob], creator: ann, bot: .administrator))
        return (chat.id, ann, bob)
    }
}
