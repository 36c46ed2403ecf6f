import Foundation
import SimulatorClient
import Testing

extension EndToEnd {
    /// The bot says once in a group that it lacks the right to pin, and again only after the right
    /// was given and taken away again.
    @Suite("End to end: the pin right", .serialized)
    struct PinRightTests {
        static let notice = "I can't pin incident cards here: I need the right to pin messages."

        @Test("without the pin right: cards unpinned, one notice; right given: pinned; taken away again: one more notice")
        func toldOncePerLoss() async throws {
            try await RunningSystem.with { system in
                let world = try await World.build(on: system)
                let chat: Int64 = -1_009_000_000_077
                try await system.simulator.createChat(NewChat(
                    title: "Night shift", type: .supergroup, id: chat,
                    members: [World.driver, World.dispatcher, World.secondDispatcher, World.mechanic, World.manager, World.stranger],
                    creator: World.manager, bot: BotRights(status: .administrator, canPinMessages: false)))
                try await system.admin("PUT", "groups/\(chat)", ["company_id": world.companyID, "manager_user_ids": [World.manager]])
                try await system.command("/register_driver", in: chat, as: World.driver)
                try await system.waitFor(chat, "the registration") { $0.contains { $0.fromBot && $0.text.contains("registered as a driver") } }

                func notices() async throws -> Int {
                    try await system.transcript(chat).filter { $0.fromBot && $0.text.hasPrefix(Self.notice) }.count
                }
                func failedPins() async throws -> Int {
                    try await system.calls("pinChatMessage").filter { $0.chatID == chat && !$0.ok }.count
                }
                func report(_ text: String, _ number: String) async throws -> ChatMessage {
                    let reported = try await system.say(text, in: chat, as: World.driver)
                    try await system.command("/new_issue", in: chat, as: World.driver, replyTo: reported)
                    return try await system.waitForCard(number, in: chat, "posted")
                }
                func settle(failed: Int) async throws {
                    let deadline = ContinuousClock.now + .seconds(30)
                    while try await failedPins() < failed, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
                    #expect(try await failedPins() == failed)
                    try await system.barrier(chat)
                }

                _ = try await report("Reefer 4 alarm", "0001")
                try await system.waitFor(chat, "the notice") { $0.contains { $0.fromBot && $0.text.hasPrefix(Self.notice) } }
                _ = try await report("Reefer 5 alarm", "0002")
                try await settle(failed: 2)
                #expect(try await notices() == 1)
                #expect(try await system.card("0001", in: chat)?.pinned == false)

                // The bot greets when its rights change: that answer says the change was processed.
                func rightsChanged(canPin: Bool) async throws {
                    let greetings = try await system.botMessages(chat, containing: "I'm back").count
                    try await system.simulator.setBot(BotRights(status: .administrator, canPinMessages: canPin), in: chat, by: World.manager)
                    try await system.waitFor(chat, "the rights change to be processed") { messages in
                        messages.filter { $0.fromBot && $0.text.contains("I'm back") }.count > greetings
                    }
                }

                // The right is given: cards are pinned, nothing more is said.
                try await rightsChanged(canPin: true)
                _ = try await report("Reefer 6 alarm", "0003")
                try await system.waitForCard("0003", in: chat, "pinned") { $0.pinned }
                #expect(try await notices() == 1)

                // Taken away again: told once more, once.
                try await rightsChanged(canPin: false)
                _ = try await report("Reefer 7 alarm", "0004")
                try await system.waitFor(chat, "the second notice") { $0.filter { $0.fromBot && $0.text.hasPrefix(Self.notice) }.count == 2 }
                _ = try await report("Reefer 8 alarm", "0005")
                try await settle(failed: 4)
                #expect(try await notices() == 2)
            }
        }
    }
}
