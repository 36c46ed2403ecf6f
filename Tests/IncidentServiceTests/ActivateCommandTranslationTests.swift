import Foundation
import IncidentCore
@testable import IncidentService
import Storage
import Testing
import WireProtocol

@Suite("Translation: /activate")
struct ActivateCommandTranslationTests {
    @Test("/activate carries the code and what Telegram said of the sender; unknown means not an administrator")
    func activate() throws {
        for (said, expected) in [(true as Bool?, true), (false, false), (nil, false)] {
            let event = InboundEvent(
                updateID: 12, chat: TranslationTests.chat, from: TranslationTests.ann,
                kind: .command(name: "activate", arguments: "ABCDE-FGHJK", messageID: 8, replyTo: nil), senderIsAdministrator: said)
            let update = try #require(Translation.update(from: event, receivedAt: .now))
            #expect(update.event == .activate(command: 8, code: "ABCDE-FGHJK", senderIsAdministrator: expected))
        }
    }

    @Test("the sender's standing travels on the bus, and an event without it still decodes")
    func wire() throws {
        let event = InboundEvent(
            updateID: 3, chat: TranslationTests.chat, from: TranslationTests.ann,
            kind: .command(name: "activate", arguments: "X", messageID: 8, replyTo: nil), senderIsAdministrator: true)
        let data = try JSONEncoder().encode(event)
        #expect(String(decoding: data, as: UTF8.self).contains("\"sender_is_administrator\":true"))
        #expect(try JSONDecoder().decode(InboundEvent.self, from: data) == event)
        var older = event
        older.senderIsAdministrator = nil
        let olderData = try JSONEncoder().encode(older)
        #expect(!String(decoding: olderData, as: UTF8.self).contains("sender_is_administrator"))
        #expect(try JSONDecoder().decode(InboundEvent.self, from: olderData).senderIsAdministrator == nil)
    }
}
