import Foundation
import Testing

extension EndToEnd {
    @Suite("End to end: the incident workflow across the four processes and the simulator", .serialized)
    struct HappyPathTests {
        static func isBot(_ message: [String: Any]) -> Bool { (message["from"] as? [String: Any])?["is_bot"] as? Bool == true }
        static func text(_ message: [String: Any]) -> String { message["text"] as? String ?? "" }
        static func id(_ message: [String: Any]) -> Int { message["message_id"] as? Int ?? 0 }

        @Test("report, choose, claim, resolve with a summary: the card follows, is pinned, then unpinned")
        func happyPath() async throws {
            try await RunningSystem.with { system in
                _ = try await World.build(on: system)
                let chat = World.chat

                let report = try await system.control("POST", "chats/\(chat)/messages", [
                    "from": World.driver, "text": "Truck 12 <flat tyre> & stuck at gate 4",
                ]) as? [String: Any]
                let reportID = report?["message_id"] as? Int ?? 0
                try await system.control("POST", "chats/\(chat)/commands", ["from": World.driver, "command": "/new_issue", "reply_to_message_id": reportID])
                let card = try await system.waitForMessages(chat, "the card, pinned") { messages in
                    messages.contains { Self.isBot($0) && Self.text($0).contains("#0001") && $0["pinned"] as? Bool == true }
                }.first { Self.isBot($0) && Self.text($0).contains("#0001") }!
                #expect(Self.text(card).contains("Truck 12 <flat tyre> & stuck at gate 4"))
                let cardID = Self.id(card)

                let choose = try await system.press(chat, message: cardID, button: "Dispatch", as: World.driver)
                _ = try await system.answer(choose)
                try await system.waitForMessages(chat, "the card to show Claim") { messages in
                    let buttons = (messages.first { Self.id($0) == cardID }?["buttons"] as? [[[String: Any]]] ?? []).flatMap { $0 }
                    return buttons.contains { ($0["text"] as? String ?? "").contains("Claim") }
                }
                let claim = try await system.press(chat, message: cardID, button: "Claim", as: World.dispatcher)
                _ = try await system.answer(claim)
                try await system.waitForMessages(chat, "the card to show Resolve") { messages in
                    let buttons = (messages.first { Self.id($0) == cardID }?["buttons"] as? [[[String: Any]]] ?? []).flatMap { $0 }
                    return buttons.contains { ($0["text"] as? String ?? "").contains("Resolve") }
                }
                let resolve = try await system.press(chat, message: cardID, button: "Resolve", as: World.dispatcher)
                _ = try await system.answer(resolve)
                let prompt = try await system.waitForMessages(chat, "the summary prompt") { messages in
                    messages.contains { Self.isBot($0) && $0["force_reply"] != nil }
                }.first { Self.isBot($0) && $0["force_reply"] != nil }!
                #expect(Self.text(prompt).contains("#0001"))
                try await system.control("POST", "chats/\(chat)/messages", [
                    "from": World.dispatcher, "text": "Tyre replaced, truck moving", "reply_to_message_id": Self.id(prompt),
                ])
                let final = try await system.waitForMessages(chat, "the resolved card, unpinned") { messages in
                    guard let card = messages.first(where: { Self.id($0) == cardID }) else { return false }
                    return Self.text(card).contains("Tyre replaced, truck moving") && card["pinned"] as? Bool == false
                }
                let resolvedCard = final.first { Self.id($0) == cardID }!
                let buttons = (resolvedCard["buttons"] as? [[[String: Any]]] ?? []).flatMap { $0 }.compactMap { $0["text"] as? String }
                #expect(buttons.contains { $0.contains("Reopen") })

                let incidents = try await system.admin("GET", "incidents?chat_id=\(chat)") as? [String: Any]
                let first = (incidents?["incidents"] as? [[String: Any]])?.first
                #expect(first?["status"] as? String == "resolved")
                #expect(first?["number"] as? String == "0001")
                #expect(first?["summary"] as? String == "Tyre replaced, truck moving")
            }
        }
    }
}
