import Foundation
import IncidentCore
@testable import IncidentService
import Storage
import Testing
import WireProtocol

@Suite("Translation: /report")
struct ReportCommandTranslationTests {
    @Test("/report carries its argument to the store; the core reads it")
    func report() throws {
        for (arguments, period) in [("", "day"), ("week", "week"), (" Month ", "month"), ("year", nil)] {
            let event = InboundEvent(
                updateID: 12, chat: TranslationTests.chat, from: TranslationTests.ann,
                kind: .command(name: "report", arguments: arguments, messageID: 8, replyTo: nil))
            let update = try #require(Translation.update(from: event, receivedAt: .now))
            #expect(update.event == .report(command: 8, argument: arguments))
            #expect(ChatDecisions.reportPeriod(arguments) == period)
        }
    }
}
