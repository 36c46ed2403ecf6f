import BotAPITestSupport
import Foundation
import ProcessTestSupport
import Synchronization
import RoleSupport
import Testing
import WireProtocol
import ZeroMQ
#if canImport(Glibc)
import Glibc
#endif

@Suite("Gateway as a process", .serialized)
struct GatewayProcessTests {
    @Test("kill -9 between receipt and acknowledgement loses nothing: the next run delivers the update again")
    func killBetweenReceiptAndAcknowledgement() async throws {
        let fake = FakeBotAPI()
        fake.push([(500, Fixture.command(500, "/new_issue@RaiseDashBot", extra: NormalizationTests.replyToBob))])
        try await withFakeBotAPI(fake) { fake, url in
            let context = try ZMQContext()
            let logs = LogCapture()
            let incidents = try await InboundDouble(context: context)
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rd-gw-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let environment = [
                "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
                "HOME": directory.path,
                "TELEGRAM_BOT_TOKEN": testToken,
                "TELEGRAM_API_BASE_URL": url.absoluteString,
                "RAISEDASH_INBOUND_ENDPOINT": incidents.endpoint,
                "RAISEDASH_GATEWAY_HTTP_PORT": "\(freePort())",
                "LOG_LEVEL": "debug",
            ]
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { await incidents.receive(logger: logs.logger()) }
                defer { tasks.cancelAll() }

                let first = try ChildProcess(arguments: ["gateway"], environment: environment, directory: directory.path)
                try await incidents.waitForEvents([500], timeout: .seconds(30))
                first.signal(SIGKILL)
                #expect(await first.waitForExit(timeout: .seconds(10)) != nil)
                #expect(fake.unconfirmed == [500], "the update was confirmed before its acknowledgement")
                #expect(fake.calls("getUpdates").allSatisfy { ($0.offset ?? 0) <= 500 })

                let second = try ChildProcess(arguments: ["gateway"], environment: environment, directory: directory.path)
                try await waitUntil("the update delivered again", timeout: .seconds(30)) {
                    incidents.received.filter { $0.event.updateID == 500 }.count >= 2
                }
                let copies = incidents.received.filter { $0.event.updateID == 500 }
                #expect(copies[0].event == copies[1].event)
                try await incidents.ack(500)
                try await fake.waitFor("the confirming poll", timeout: .seconds(30)) { $0.contains { ($0.offset ?? 0) > 500 } }
                let acknowledged = try #require(incidents.acks.first?.at)
                for poll in fake.calls("getUpdates") where (poll.offset ?? 0) > 500 {
                    #expect(poll.arrived > acknowledged, "offset \(poll.offset ?? 0) arrived before the acknowledgement")
                }
                #expect(fake.unconfirmed.isEmpty)

                second.signal(SIGTERM)
                #expect(await second.waitForExit(timeout: .seconds(10)) == 0, "output:\n\(second.text)")
                for output in [first.text, second.text] {
                    #expect(output.contains("ready"))
                    #expect(!output.contains(tokenSecret), "the token appeared in the output")
                }
            }
            await context.terminate()
        }
    }
}
