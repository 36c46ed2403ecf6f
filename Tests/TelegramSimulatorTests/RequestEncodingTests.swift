import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
@testable import TelegramSimulator

/// Telegram accepts parameters as JSON, form fields, multipart fields or a query string.
@Suite("Request encodings")
struct RequestEncodingTests {
    @Test("form-encoded fields, with reply_markup as a JSON string")
    func formEncoded() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            let chat = try await sim.group(members: [ana])
            let reply = try await sim.botForm("sendMessage", [
                ("chat_id", String(chat)), ("text", "<b>A & B</b>".replacingOccurrences(of: "&", with: "&amp;")),
                ("parse_mode", "HTML"), ("disable_notification", "true"),
                ("reply_markup", #"{"inline_keyboard":[[{"text":"Claim","callback_data":"claim:1"}]]}"#),
            ])
            #expect(reply.ok, "\(reply)")
            #expect(reply.result?["text"] == "A & B")
            #expect(reply.result?["reply_markup"]?["inline_keyboard"]?.arrayValue?.first?.arrayValue?.first?["callback_data"] == "claim:1")
        }
    }

    @Test("a GET with a query string")
    func queryString() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            let chat = try await sim.group(members: [ana])
            let reply = try await sim.botQuery("sendMessage", [("chat_id", String(chat)), ("text", "hello world + more")])
            #expect(reply.ok, "\(reply)")
            #expect(reply.result?["text"] == "hello world + more")
            #expect(try await sim.botQuery("getMe", []).result?["username"] == "RaiseDashBot")
        }
    }

    @Test("multipart/form-data text fields")
    func multipart() async throws {
        try await withSimulator { sim in
            let ana = try await sim.user("Ana")
            let chat = try await sim.group(members: [ana])
            let boundary = "----simulator-boundary"
            var body = ""
            for (name, value) in [("chat_id", String(chat)), ("text", "line one\r\nline two")] {
                body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
            }
            body += "--\(boundary)--\r\n"
            var request = URLRequest(url: sim.base.appendingPathComponent("bot\(sim.token)/sendMessage"))
            request.httpMethod = "POST"
            request.setValue("multipart/form-data; boundary=\(boundary)", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(body.utf8)
            let reply = try await sim.send(request)
            #expect(reply.ok, "\(reply)")
            #expect(reply.result?["text"] == "line one\r\nline two")
        }
    }

    @Test("a JSON body that is not an object is refused")
    func brokenJSON() async throws {
        try await withSimulator { sim in
            var request = URLRequest(url: sim.base.appendingPathComponent("bot\(sim.token)/getMe"))
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data("{\"broken\":".utf8)
            expectFailure(try await sim.send(request), 400, "Bad Request: can't parse JSON object")
        }
    }
}
