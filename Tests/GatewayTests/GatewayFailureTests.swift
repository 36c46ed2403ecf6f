import BotAPITestSupport
import Foundation
import Gateway
import ProcessTestSupport
import RaiseDashConfig
import RoleSupport
import Testing
import WireProtocol

@Suite("Gateway: Telegram failures")
struct GatewayFailureTests {
    @Test("409, 502 pages, 500 and 429 back off exponentially with jitter, never in a tight loop, then polling goes on")
    func backoff() async throws {
        let fake = FakeBotAPI()
        fake.script(
            "getUpdates",
            .failure(409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"),
            .badGatewayHTML,
            .failure(500, "Internal Server Error: restart"),
            .html(status: 504, "<html><head><title>504 Gateway Time-out</title></head></html>"))
        fake.push([(3, Fixture.command(3, "/help"))])
        try await withGateway(fake: fake) { harness in
            let incidents = try harness.incidents()
            try await incidents.waitForEvents([3])
            let polls = harness.fake.calls("getUpdates")
            #expect(polls.prefix(4).map(\.status) == [409, 502, 500, 504])
            // quickConfiguration: 50 ms doubling, jitter takes half to all of a step.
            for (index, pair) in zip(polls, polls.dropFirst()).prefix(4).enumerated() {
                let gap = pair.1.arrived - (pair.0.answered ?? pair.0.arrived)
                let minimum = Duration.milliseconds(50) * (1 << index) / 2
                #expect(gap >= minimum, "poll \(index + 2) came \(gap) after a failure; expected at least \(minimum)")
            }
            #expect(harness.logs.contains("another process is polling with this bot token"))
            #expect(harness.logs.contains("retry.failures=4"))
        }
    }

    @Test("a 429 on getUpdates waits retry_after")
    func retryAfter() async throws {
        let fake = FakeBotAPI()
        fake.script("getUpdates", .tooManyRequests(retryAfter: 1))
        try await withGateway(fake: fake) { harness in
            let polls = try await harness.fake.waitFor("the second poll") { $0.filter { $0.method == "getUpdates" }.count >= 2 }
                .filter { $0.method == "getUpdates" }
            #expect(polls[1].arrived - polls[0].answered! >= .seconds(1))
        }
    }

    @Test("409 because a webhook is set: the gateway deletes the webhook and polls again")
    func webhookActive() async throws {
        let fake = FakeBotAPI()
        fake.script(
            "getUpdates", .failure(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"))
        fake.push([(1, Fixture.command(1, "/help"))])
        try await withGateway(fake: fake) { harness in
            try await harness.incidents().waitForEvents([1])
            #expect(harness.fake.calls.map(\.method).prefix(6) == ["getMe", "deleteWebhook", "setMyCommands", "getUpdates", "deleteWebhook", "getUpdates"])
        }
    }

    @Test("401 at start stops the gateway with one clear line and never logs the token")
    func unauthorizedAtStart() async throws {
        let fake = FakeBotAPI()
        fake.script("getMe", .failure(401, "Unauthorized"))
        try await withGateway(fake: fake) { harness in
            let end = try await harness.waitForEnd()
            guard case .failed(let message) = end else {
                Issue.record("the gateway did not fail: \(end)")
                return
            }
            #expect(message.contains("401"))
            let errors = harness.logs.all.filter { $0.hasPrefix("error") }
            #expect(errors.count == 1)
            #expect(errors.first?.contains("Telegram refused the bot token (401 Unauthorized)") == true)
            #expect(harness.fake.calls.map(\.method) == ["getMe"])
        }
    }

    @Test("401 while polling (token revoked) stops the gateway")
    func unauthorizedWhilePolling() async throws {
        let fake = FakeBotAPI()
        fake.script("getUpdates", .failure(401, "Unauthorized"))
        try await withGateway(fake: fake) { harness in
            guard case .failed = try await harness.waitForEnd() else {
                Issue.record("the gateway did not stop")
                return
            }
            #expect(harness.fake.calls("getUpdates").count == 1)
        }
    }

    @Test("Telegram unreachable at start: getMe is retried with backoff until it answers")
    func unreachableAtStart() async throws {
        let port = freePort()
        let url = try #require(URL(string: "http://127.0.0.1:\(port)"))
        let fake = FakeBotAPI()
        // The gateway starts before anything listens on the port; the fake comes up later.
        try await withGateway(fake: FakeBotAPI(), apiBaseURL: url) { harness in
            try await waitUntil("two failed attempts") {
                harness.logs.all.filter { $0.contains("telegram.method=getMe") && $0.contains("retrying after a pause") }.count >= 2
            }
            try await withFakeBotAPI(fake, port: port) { fake, _ in
                _ = try await fake.waitFor("polling") { $0.contains { $0.method == "getUpdates" } }
                // Stop the gateway while this fake still serves: a server that stops while a
                // client connects can trap in NIO.
                await harness.shutdown()
                _ = try await harness.waitForEnd()
            }
            #expect(harness.logs.contains("info ready"))
            #expect(harness.logs.all.contains { $0.contains("error.kind=network") })
        }
    }

    @Test("without a client the gateway stays idle: ready, one warning")
    func idleWithoutToken() async throws {
        try await withGateway(withClient: false) { harness in
            try await waitUntil("ready") { harness.logs.contains("info ready") }
            #expect(harness.logs.all.filter { $0.hasPrefix("warning") }.count == 1)
            #expect(harness.logs.contains("stays idle"))
            #expect(harness.fake.calls.isEmpty)
            await harness.shutdown()
            #expect(try await harness.waitForEnd(timeout: .seconds(10)) == .finished)
        }
    }

    @Test("graceful shutdown confirms what was acknowledged since the last poll and stops")
    func shutdownConfirms() async throws {
        let fake = FakeBotAPI()
        fake.push([(60, Fixture.command(60, "/help")), (61, Fixture.command(61, "/help"))])
        try await withGateway(fake: fake) { harness in
            let incidents = try harness.incidents()
            try await incidents.waitForEvents([60, 61])
            try await incidents.ack(60)
            try await waitUntil("the gateway to take the acknowledgement") {
                harness.logs.all.contains { $0.contains("update acknowledged") && $0.contains("update.id=60") }
            }
            // The batch (60, 61) is not settled, so the gateway has not polled again: only the
            // shutdown's last poll confirms 60; 61, never acknowledged, stays with Telegram.
            #expect(harness.polls.map(\.offset) == [nil])
            await harness.shutdown()
            #expect(try await harness.waitForEnd(timeout: .seconds(10)) == .finished)
            #expect(harness.polls.map(\.offset).last == 61)
            #expect(fake.unconfirmed == [61])
        }
    }
}

@Suite("Gateway: built from settings")
struct GatewaySettingsTests {
    @Test("a TELEGRAM_BOT_TOKEN that is not a bot token stops the gateway with one line that does not show it")
    func invalidToken() async throws {
        let values = ["TELEGRAM_BOT_TOKEN": "not-a-number:SECRET-part", "RAISEDASH_INBOUND_ENDPOINT": "tcp://127.0.0.1:\(freePort())"]
        let logs = LogCapture()
        let role = GatewayRole(
            settings: try Settings(lookup: { values[$0] }), logger: logs.logger(),
            readiness: Readiness(parts: GatewayRole.readinessParts))
        await #expect(throws: GatewayError.self) { try await role.run() }
        #expect(logs.all.count == 1)
        #expect(logs.all.first?.contains("TELEGRAM_BOT_TOKEN is not a bot token") == true)
        #expect(!logs.contains("SECRET-part"))
    }
}
