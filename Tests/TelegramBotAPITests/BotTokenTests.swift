import Foundation
import Testing

@testable import TelegramBotAPI

@Suite("BotToken")
struct BotTokenTests {
    static let secret = "AAH-vZ_SeCrEt1234567890abcdefGHIJK"
    static let raw = "7357001234:\(secret)"

    @Test func acceptsTelegramShapedTokensAndTrimsWhitespace() throws {
        let token = try #require(BotToken("  \(Self.raw)\n"))
        #expect(token.botID == 7_357_001_234)
        #expect(token.rawValue == Self.raw)
    }

    @Test(arguments: [
        "", "123456", ":abc", "123456:", "abc:def", "-5:abc", "0:abc", "123:abc/def", "123:abc?x=1", "123:ab c",
        "123:abc#frag", "99999999999999999999:abc", "１２３:abc",
    ])
    func rejectsAnythingElse(_ raw: String) {
        #expect(BotToken(raw) == nil)
    }

    @Test func everyPrintedFormIsRedacted() throws {
        let token = try #require(BotToken(Self.raw))
        var dumped = ""
        dump(token, to: &dumped)
        let forms = [
            token.description, token.debugDescription, "\(token)", String(describing: token),
            String(reflecting: token), dumped, "\([token])", "\(Optional(token) as Any)",
        ]
        for form in forms {
            #expect(!form.contains(Self.secret), "leaked in: \(form)")
            #expect(form.contains("7357001234"))
        }
        #expect(token.description == "7357001234:***")
    }

    @Test func redactScrubsTheTokenAndItsSecretFromText() throws {
        let token = try #require(BotToken(Self.raw))
        let text = "GET /bot\(Self.raw)/getMe and again \(Self.secret)"
        let scrubbed = token.redact(text)
        #expect(!scrubbed.contains(Self.secret))
        #expect(scrubbed == "GET /bot7357001234:***/getMe and again ***")
        #expect(token.redact("nothing secret") == "nothing secret")
    }
}
