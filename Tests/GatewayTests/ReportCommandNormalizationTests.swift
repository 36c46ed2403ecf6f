import Foundation
import Gateway
import TelegramBotAPI
import Testing
import WireProtocol

@Suite("Normalization: /report")
struct ReportCommandNormalizationTests {
    @Test("/report is forwarded with its argument, also addressed to this bot", arguments: [
        ("/report", ""), ("/report week", "week"), ("/report@\(Fixture.botUsername) month", "month"),
    ])
    func forwarded(text: String, arguments: String) throws {
        let update = try JSONDecoder().decode(Update.self, from: Data(Fixture.command(40, text).utf8))
        let normalizer = UpdateNormalizer(botID: Fixture.botID, botUsername: Fixture.botUsername)
        #expect(normalizer.normalize(update) == NormalizationTests.event(
            40, .command(name: "report", arguments: arguments, messageID: 10, replyTo: nil)))
    }
}
