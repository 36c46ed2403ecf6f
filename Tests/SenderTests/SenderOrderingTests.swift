import BotAPITestSupport
import Foundation
import Sender
import Testing
import WireProtocol

@Suite("Sender: order, dependencies, coalescing, dedupe, migration")
struct SenderOrderingTests {
    @Test("messages to one chat go out in intent order, also when one of them is retried")
    func orderPerChat() async throws {
        let fake = FakeBotAPI()
        fake.script("sendMessage", chat: 1, .failure(500, "Internal Server Error: restart"))
        fake.script("sendMessage", chat: 2, .badGatewayHTML)
        try await withSender(fake: fake) { harness in
            var ids: [Int64] = []
            for id in Int64(1)...30 {
                let chat = id % 3 + 1
                try await harness.incidents.send(sendIntent(id, chat: chat, text: "\(id)"))
                ids.append(id)
            }
            try await harness.incidents.waitForResults(of: ids)
            for chat in Int64(1)...3 {
                let sent = harness.fake.calls("sendMessage").filter { $0.chatID == chat }.compactMap { $0.text.flatMap { Int64($0) } }
                let expected = ids.filter { $0 % 3 + 1 == chat }
                // Retries repeat an id in place; never does a later id come before an earlier one.
                #expect(sent == sent.sorted(), "chat \(chat) got \(sent)")
                #expect(Array(Set(sent)).sorted() == expected)
            }
            #expect(harness.incidents.results.allSatisfy { if case .delivered = $0.result.outcome { true } else { false } })
        }
    }

    @Test("an edit of a card that is still being sent waits for its message id")
    func waitsForSentBy() async throws {
        let fake = FakeBotAPI()
        fake.script("sendMessage", .delayed(.milliseconds(500), .standard))
        try await withSender(fake: fake) { harness in
            try await harness.incidents.send(sendIntent(1, chat: 7))
            try await harness.incidents.send(editIntent(2, chat: 7, target: .sentBy(intentID: 1), text: "claimed"))
            try await harness.incidents.send(pinIntent(3, chat: 7, target: .sentBy(intentID: 1)))
            let results = try await harness.incidents.waitForResults(of: [1, 2, 3])
            #expect(results.first { $0.intentID == 1 }?.outcome == .delivered(messageID: 1000))
            let send = try #require(harness.fake.calls("sendMessage").first)
            let edit = try #require(harness.fake.calls("editMessageText").first)
            let pin = try #require(harness.fake.calls("pinChatMessage").first)
            #expect(edit.body?["message_id"]?.int == 1000)
            #expect(pin.body?["message_id"]?.int == 1000)
            #expect(edit.arrived >= send.answered!)
        }
    }

    @Test("when the send an edit waits for fails, the edit is reported messageNotFound without a call")
    func sentByFailure() async throws {
        let fake = FakeBotAPI()
        fake.script("sendMessage", .failure(400, "Bad Request: message is too long"))
        try await withSender(fake: fake) { harness in
            try await harness.incidents.send(sendIntent(1, chat: -77))
            try await harness.incidents.send(pinIntent(2, chat: -77, target: .sentBy(intentID: 1)))
            try await harness.incidents.send(editIntent(3, chat: -77, target: .sentBy(intentID: 1)))
            let results = try await harness.incidents.waitForResults(of: [1, 2, 3])
            let first = results.first { $0.intentID == 1 }?.outcome
            #expect({ if case .rejected = first { true } else { false } }(), "\(String(describing: first))")
            #expect(results.first { $0.intentID == 2 }?.outcome == .messageNotFound)
            #expect(results.first { $0.intentID == 3 }?.outcome == .messageNotFound)
            #expect(harness.fake.calls("pinChatMessage").isEmpty)
            #expect(harness.fake.calls("editMessageText").isEmpty)
        }
    }

    @Test("of several waiting edits with one coalescing key only the newest is sent; the others are superseded")
    func coalescing() async throws {
        let fake = FakeBotAPI()
        fake.script("sendMessage", .delayed(.milliseconds(700), .standard))
        try await withSender(fake: fake) { harness in
            try await harness.incidents.send(sendIntent(1, chat: 9))
            for id in Int64(2)...5 {
                try await harness.incidents.send(editIntent(id, chat: 9, target: .sentBy(intentID: 1), text: "state \(id)", key: "card-1"))
            }
            // Another card's edit in the same chat is not touched.
            try await harness.incidents.send(editIntent(6, chat: 9, target: .message(id: 50), text: "other card", key: "card-2"))
            let results = try await harness.incidents.waitForResults(of: [1, 2, 3, 4, 5, 6])
            for id in Int64(2)...4 {
                #expect(results.first { $0.intentID == id }?.outcome == .superseded)
            }
            #expect(results.first { $0.intentID == 5 }?.outcome == .delivered(messageID: nil))
            #expect(results.first { $0.intentID == 6 }?.outcome == .delivered(messageID: nil))
            let edits = harness.fake.calls("editMessageText")
            #expect(edits.map(\.text) == ["state 5", "other card"])
            #expect(edits.first?.body?["message_id"]?.int == 1000)

            // An edit older than one already taken for its key is superseded without a call.
            try await harness.incidents.send(editIntent(20, chat: 9, target: .message(id: 60), text: "new", key: "card-3"))
            try await harness.incidents.waitForResults(of: [20])
            try await harness.incidents.send(editIntent(19, chat: 9, target: .message(id: 60), text: "old", key: "card-3"))
            let late = try await harness.incidents.waitForResults(of: [19])
            #expect(late.first { $0.intentID == 19 }?.outcome == .superseded)
            #expect(harness.fake.calls("editMessageText").map(\.text) == ["state 5", "other card", "new"])
        }
    }

    @Test("an intent queued or in flight is taken once; a completed one has its result reported again without a call")
    func dedupe() async throws {
        let fake = FakeBotAPI()
        fake.delay("sendMessage", by: .milliseconds(400))
        try await withSender(fake: fake) { harness in
            let intent = sendIntent(1, chat: 4)
            try await harness.incidents.send(intent, envelopeID: "first")
            try await harness.incidents.send(intent, envelopeID: "second")
            try await harness.incidents.waitForResults(of: [1])
            try await Task.sleep(for: .milliseconds(200))
            #expect(harness.incidents.results.count == 1)
            try await harness.incidents.send(intent, envelopeID: "third")
            try await harness.incidents.waitForResults("the re-reported result") { $0.count == 2 }
            let results = harness.incidents.results
            #expect(results.map(\.result) == Array(repeating: IntentResult(intentID: 1, chatID: 4, outcome: .delivered(messageID: 1000)), count: 2))
            #expect(results.last?.envelope.causationID == "third")
            #expect(harness.fake.calls("sendMessage").count == 1)
        }
    }

    @Test("a migrated group: the result says so, the intent is retried on the new chat id, later intents follow")
    func migration() async throws {
        let old: Int64 = -4_000_111
        let new: Int64 = -1_001_234_567_890
        let fake = FakeBotAPI()
        fake.script(
            "sendMessage", chat: old,
            .failure(400, "Bad Request: group chat was upgraded to a supergroup chat", parameters: #"{"migrate_to_chat_id":\#(new)}"#))
        try await withSender(fake: fake) { harness in
            try await harness.incidents.send(sendIntent(1, chat: old))
            try await harness.incidents.waitForResults("migration and final result") { $0.count >= 2 }
            try await harness.incidents.send(sendIntent(2, chat: old))
            try await harness.incidents.waitForResults(of: [2])
            #expect(harness.incidents.results.map(\.result) == [
                IntentResult(intentID: 1, chatID: old, outcome: .chatMigrated(newChatID: new)),
                IntentResult(intentID: 1, chatID: new, outcome: .delivered(messageID: 1000)),
                IntentResult(intentID: 2, chatID: new, outcome: .delivered(messageID: 1001)),
            ])
            #expect(harness.fake.calls("sendMessage").map(\.chatID) == [old, new, new])
        }
    }
}
