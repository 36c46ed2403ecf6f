import Foundation
import Testing
@testable import TelegramSimulator

@Suite("Fault injection")
struct FaultInjectionTests {
    @Test("the next N calls of a method fail with the injected error, then calls succeed again")
    func nextNCallsFail() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            let chat = try await sim.group(members: [ana])
            let fault = try await sim.control("POST", "faults", ["method": "sendMessage", "count": 2, "error_code": 429, "retry_after": 7])
            #expect(fault["remaining"] == 2)
            for _ in 1...2 {
                expectFailure(try await sim.bot("sendMessage", ["chat_id": .int(chat), "text": "x"]), 429,
                              "Too Many Requests: retry after 7", parameters: ["retry_after": 7])
            }
            // Other methods were never affected.
            #expect(try await sim.bot("getMe").ok)
            #expect(try await sim.bot("sendMessage", ["chat_id": .int(chat), "text": "x"]).ok)
            #expect(try await sim.control("GET", "faults") == .array([]))
            // Failed calls changed nothing.
            let botMessages = (try await sim.transcript(chat)["messages"]?.arrayValue ?? []).filter { $0["from"]?["is_bot"] == true }
            #expect(botMessages.count == 1)
        }
    }

    @Test("an injected migration error carries migrate_to_chat_id")
    func migrationFault() async throws {
        try await withSimulator { sim in
            try await sim.control("POST", "faults", ["method": "editMessageText", "error_code": 400, "migrate_to_chat_id": -1001234567890])
            expectFailure(try await sim.bot("editMessageText", ["chat_id": 1, "message_id": 1, "text": "x"]), 400,
                          "Bad Request: group chat was upgraded to a supergroup chat", parameters: ["migrate_to_chat_id": -1001234567890])
        }
    }

    @Test("a 502 from the proxy carries an HTML body, not JSON")
    func badGateway() async throws {
        try await withSimulator { sim in
            try await sim.control("POST", "faults", ["method": "*", "kind": "bad_gateway"])
            let reply = try await sim.bot("getMe")
            #expect(reply.status == 502)
            #expect(reply.contentType.hasPrefix("text/html"))
            #expect(reply.rawBody.contains("<title>502 Bad Gateway</title>"))
            #expect(reply.body == .null)
            #expect(try await sim.bot("getMe").ok)
            try await sim.control("POST", "faults", ["method": "getMe", "kind": "gateway_timeout"])
            #expect(try await sim.bot("getMe").status == 504)
        }
    }

    @Test("latency delays the answer by at least the injected time")
    func latency() async throws {
        try await withSimulator { sim in
            try await sim.control("POST", "faults", ["method": "getMe", "latency_ms": 300])
            let started = ContinuousClock.now
            #expect(try await sim.bot("getMe").ok)
            #expect(ContinuousClock.now - started >= .milliseconds(300))
        }
    }

    @Test("after_effect carries the call out and still answers with the fault")
    func afterEffect() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            let chat = try await sim.group(members: [ana])
            try await sim.control("POST", "faults", ["method": "sendMessage", "kind": "bad_gateway", "after_effect": true])
            #expect(try await sim.bot("sendMessage", ["chat_id": .int(chat), "text": "sent but unanswered"]).status == 502)
            let texts = (try await sim.transcript(chat)["messages"]?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }
            #expect(texts.contains("sent but unanswered"))
        }
    }

    @Test("bad fault requests are refused and inject nothing", arguments: [
        ["method": "sendMesage", "error_code": 400, "description": "x"] as JSONValue,
        ["method": "sendMessage", "error_code": 403] as JSONValue,
        ["method": "sendMessage", "error_code": 200, "description": "x"] as JSONValue,
        ["method": "sendMessage", "kind": "explode"] as JSONValue,
        ["method": "sendMessage", "count": 0, "error_code": 500] as JSONValue,
        ["error_code": 500] as JSONValue,
    ])
    func badFaultRequests(body: JSONValue) async throws {
        try await withSimulator { sim in
            let reply = try await sim.controlReply("POST", "faults", body)
            #expect(reply.status == 400)
            #expect(reply.body["ok"] == false)
            #expect(reply.body["error"]?.stringValue?.isEmpty == false)
            #expect(try await sim.control("GET", "faults") == .array([]))
        }
    }
}
