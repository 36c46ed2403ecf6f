import Foundation
import Testing

extension EndToEnd {
    /// Telegram allows a bot about one message a second per chat (short bursts tolerated) and
    /// 20 a minute per group; the simulator answers 429 beyond that. `RunningSystem.with`
    /// checks after every test that no call was answered 429.
    @Suite("End to end: pacing", .serialized)
    struct PacingTests {
        @Test("eight reports in a burst in one group: every card posted and pinned, in order, no 429")
        func burstOfReports() async throws {
            try await RunningSystem.with { system in
                _ = try await World.build(on: system)
                let chat = World.chat
                let numbers = (1...8).map { String(format: "%04d", $0) }
                for (index, _) in numbers.enumerated() {
                    let reported = try await system.say("Problem \(index + 1) at the yard", in: chat, as: World.driver)
                    try await system.command("/new_issue", in: chat, as: World.driver, replyTo: reported)
                }
                let messages = try await system.waitFor(chat, "eight pinned cards", timeout: .seconds(60)) { messages in
                    numbers.allSatisfy { number in messages.contains { $0.isCard(number) && $0.pinned } }
                }
                let cards = messages.filter { $0.fromBot && $0.text.hasPrefix("#") }
                #expect(cards.map { String($0.text.dropFirst().prefix(4)) } == numbers, "one card each, in the order reported")
                for (index, number) in numbers.enumerated() {
                    #expect(messages.first { $0.isCard(number) }?.text.contains("Problem \(index + 1) at the yard") == true)
                }
                let calls = try await system.calls().filter { $0.chatID == chat && $0.method != "answerCallbackQuery" }
                #expect(calls.allSatisfy { $0.ok }, "\(calls.filter { !$0.ok }.map(\.method))")
            }
        }
    }
}
