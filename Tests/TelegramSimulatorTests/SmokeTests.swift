import Testing
@testable import TelegramSimulator

@Suite("Smoke")
struct SmokeTests {
    @Test("getMe answers the bot over HTTP")
    func getMe() async throws {
        try await withSimulator { sim in
            let me = try await sim.botOK("getMe")
            #expect(me["username"] == "RaiseDashBot")
            #expect(me["is_bot"] == true)
            #expect(me["id"] == 123456)
        }
    }
}
