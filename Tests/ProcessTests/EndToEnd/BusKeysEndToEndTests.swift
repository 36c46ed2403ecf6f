import Foundation
import ProcessTestSupport
import SimulatorClient
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

extension EndToEnd {
    @Suite("End to end: the four roles on a CURVE bus with keys from raisedash keys generate", .serialized)
    struct BusKeysEndToEndTests {
        /// Each role's RAISEDASH_CURVE_* files in `directory`, as docs/operations.md tells.
        static func roleEnvironment(_ directory: String) -> [String: [String: String]] {
            [
                "incidents": [
                    "RAISEDASH_CURVE_SECRET_KEY_FILE": "\(directory)/incidents.key_secret",
                    "RAISEDASH_CURVE_ALLOWED_CLIENTS_FILE": "\(directory)/incidents.allowed",
                    "RAISEDASH_CURVE_SCHEDULER_PUBLIC_KEY_FILE": "\(directory)/scheduler.key",
                ],
                "scheduler": [
                    "RAISEDASH_CURVE_SECRET_KEY_FILE": "\(directory)/scheduler.key_secret",
                    "RAISEDASH_CURVE_ALLOWED_CLIENTS_FILE": "\(directory)/scheduler.allowed",
                ],
                "gateway": [
                    "RAISEDASH_CURVE_SECRET_KEY_FILE": "\(directory)/gateway.key_secret",
                    "RAISEDASH_CURVE_INCIDENTS_PUBLIC_KEY_FILE": "\(directory)/incidents.key",
                ],
                "sender": [
                    "RAISEDASH_CURVE_SECRET_KEY_FILE": "\(directory)/sender.key_secret",
                    "RAISEDASH_CURVE_INCIDENTS_PUBLIC_KEY_FILE": "\(directory)/incidents.key",
                ],
            ]
        }

        static func generateKeys() async throws -> String {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rd-keys-\(UUID().uuidString)").path
            let generate = try ChildProcess(arguments: ["keys", "generate", "--out", directory], environment: isolatedEnvironment())
            let exit = await generate.waitForExit(timeout: .seconds(20))
            guard exit == 0 else { throw TestFailure("keys generate exited \(String(describing: exit)):\n\(generate.text)") }
            return directory
        }

        static func refusedCount(_ system: RunningSystem) async throws -> Double {
            let (body, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(system.httpPort)/metrics")!)
            let line = String(decoding: body, as: UTF8.self).split(separator: "\n")
                .first { $0.hasPrefix("raisedash_bus_refused_peers_total{role=\"incidents\"}") }
            return line.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
        }

        @Test("an incident's whole lifecycle over CURVE; a fifth process with a key not on the allow-list is refused and counted")
        func lifecycleWithKeys() async throws {
            let keys = try await Self.generateKeys()
            let strangerKeys = try await Self.generateKeys()
            try await RunningSystem.with(roleEnvironment: Self.roleEnvironment(keys)) { system in
                _ = try await World.build(on: system)
                #expect(try await Self.refusedCount(system) == 0, "an allowed role was refused:\n\(system.logs)")

                // A fifth process: a sender whose key pair is not on the incident service's
                // allow-list (it knows the right server key). Were it accepted, it would take
                // intents and read every message the bot sends.
                var strangerEnvironment = system.environment
                strangerEnvironment["RAISEDASH_SENDER_HTTP_PORT"] = "\(freePort())"
                strangerEnvironment["RAISEDASH_CURVE_SECRET_KEY_FILE"] = "\(strangerKeys)/sender.key_secret"
                strangerEnvironment["RAISEDASH_CURVE_INCIDENTS_PUBLIC_KEY_FILE"] = "\(keys)/incidents.key"
                let stranger = try ChildProcess(arguments: ["sender"], environment: strangerEnvironment)
                defer { stranger.signal(SIGKILL) }
                let strangerKey = try String(contentsOfFile: "\(strangerKeys)/sender.key", encoding: .utf8)
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                let incidents = try system.process("incidents")
                try await incidents.waitFor("the stranger's refusal", timeout: .seconds(30)) { output in
                    output.split(separator: "\n").contains { $0.contains("refused a bus peer") && $0.contains(strangerKey) }
                }
                #expect(try await Self.refusedCount(system) >= 1)

                // The incident: report, department, claim, resolve with a summary.
                let chat = World.chat
                let report = try await system.simulator.say("Brake warning on truck 31", in: chat, from: World.driver)
                try await system.simulator.send(NewCommand(from: World.driver, command: "/new_issue", replyTo: report.messageID), in: chat)
                let card = try #require(try await system.waitFor(chat, "the card") { messages in
                    messages.contains { $0.isCard("0001") }
                }.first { $0.isCard("0001") })
                _ = try await system.answer(try await system.press(chat, message: card.id, button: "Dispatch", as: World.driver))
                try await system.waitFor(chat, "Claim on the card") { messages in
                    messages.first { $0.id == card.id }?.buttons.contains { $0.contains("Claim") } == true
                }
                _ = try await system.answer(try await system.press(chat, message: card.id, button: "Claim", as: World.dispatcher))
                try await system.waitFor(chat, "Resolve on the card") { messages in
                    messages.first { $0.id == card.id }?.buttons.contains { $0.contains("Resolve") } == true
                }
                _ = try await system.answer(try await system.press(chat, message: card.id, button: "Resolve", as: World.dispatcher))
                let prompt = try #require(try await system.waitFor(chat, "the summary prompt") { messages in
                    messages.contains { $0.fromBot && $0.forceReply != nil }
                }.first { $0.fromBot && $0.forceReply != nil })
                try await system.simulator.say("Brake sensor replaced", in: chat, from: World.dispatcher, replyTo: prompt.id)
                try await system.waitFor(chat, "the resolved card") { messages in
                    guard let card = messages.first(where: { $0.id == card.id }) else { return false }
                    return card.text.contains("Brake sensor replaced") && !card.pinned
                }
                let listed = try await system.admin("GET", "incidents?chat_id=\(chat)") as? [String: Any]
                #expect((listed?["incidents"] as? [[String: Any]])?.first?["status"] as? String == "resolved")

                // The stranger never got an intent: every refusal came from its key, and the
                // incident service never saw it as a sender.
                let refusals = incidents.text.split(separator: "\n").filter { $0.contains("refused a bus peer") }
                #expect(refusals.allSatisfy { $0.contains(strangerKey) }, "\(refusals)")
                #expect(!stranger.text.contains("delivered"), "the stranger delivered something:\n\(stranger.text)")
            }
        }
    }
}
