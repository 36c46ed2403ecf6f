import Foundation
import Testing
import WebDriverSupport
@testable import TelegramSimulator

/// Drives the chat page in a real headless Chromium (Debian's `chromium` and `chromium-driver`
/// packages). Filter with `swift test --filter ChatPageBrowser`; without the packages the test
/// fails and says how to install them.
@Suite("ChatPageBrowser")
struct ChatPageBrowserTests {
    static let installHint = "install them with: apt-get install -y chromium chromium-driver"

    @Test("ChatPageBrowser: a person presses an inline button in Chromium, the bot answers and edits, the page shows it")
    func pressButtonInBrowser() async throws {
        guard let driver = findExecutable(["chromedriver"], absolute: ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]) else {
            Issue.record("chromedriver is not installed; \(Self.installHint)")
            return
        }
        guard let browser = findExecutable(["chromium", "chromium-browser", "google-chrome"], absolute: ["/usr/lib/chromium/chromium"]) else {
            Issue.record("chromium is not installed; \(Self.installHint)")
            return
        }
        try await withSimulator { sim in
            let ana = try await sim.user("Ana", username: "ana_ops")
            let chat = try await sim.group("Night shift", members: [ana])
            let report = try await sim.control("POST", "chats/\(chat)/messages", ["from": .int(ana), "text": "<b>not bold</b> & <img src=x onerror=alert(1)>"])
            let card = try await sim.sendCard(chat, text: "<b>Incident 7</b>: forklift down", buttons: [("Claim", "claim:7")])
            let offset = (try await sim.drainUpdates().last?["update_id"]?.intValue ?? 0) + 1

            try await withChromeDriver(driver: driver) { driverURL in
                let browserSession = try await WebDriverSession.start(driverURL: driverURL, browser: browser)
                do {
                    try await browserSession.navigate(to: URL(string: "http://127.0.0.1:\(sim.port)/?chat=\(chat)&as=\(ana)")!)
                    let cardSelector = ".message[data-message-id=\"\(card)\"]"
                    try await browserSession.waitForText("\(cardSelector) .text", "Incident 7: forklift down")
                    #expect(try await browserSession.element("\(cardSelector) .text strong") != nil, "the bot's <b> is shown bold")

                    // What a person typed is shown literally: no markup, no image, no script.
                    let reportSelector = ".message[data-message-id=\"\(report["message_id"]?.intValue ?? 0)\"]"
                    try await browserSession.waitForText("\(reportSelector) .text", "<b>not bold</b> & <img src=x onerror=alert(1)>")
                    #expect(try await browserSession.element("\(reportSelector) .text strong") == nil)
                    #expect(try await browserSession.element("\(reportSelector) img") == nil)

                    let button = try await browserSession.waitForElement("\(cardSelector) button.inline-button[data-button-text=\"Claim\"]")
                    try await browserSession.click(button)

                    // The test plays the bot: it sees the press, answers and edits the card.
                    let updates = try await sim.botOK("getUpdates", ["offset": .int(offset), "timeout": 30])
                    let query = try #require(updates.arrayValue?.first?["callback_query"], "no callback_query after the click: \(updates)")
                    #expect(query["data"] == "claim:7")
                    #expect(query["from"]?["id"] == .int(ana))
                    try await sim.botOK("answerCallbackQuery", ["callback_query_id": query["id"] ?? "", "text": "You claimed incident 7"])
                    try await sim.botOK("editMessageText", [
                        "chat_id": .int(chat), "message_id": .int(card), "parse_mode": "HTML",
                        "text": "<b>Incident 7</b>: claimed by Ana",
                        "reply_markup": ["inline_keyboard": [[["text": "Resolve", "callback_data": "resolve:7"]]]],
                    ])

                    try await browserSession.waitForText("\(cardSelector) .text", "Incident 7: claimed by Ana")
                    _ = try await browserSession.waitForElement("\(cardSelector) button.inline-button[data-button-text=\"Resolve\"]")
                    #expect(try await browserSession.element("\(cardSelector) button.inline-button[data-button-text=\"Claim\"]") == nil)
                    try await browserSession.waitForText("#toast", "You claimed incident 7")

                    // The bot asks for a summary with ForceReply: the page opens the reply, the
                    // person types, and the bot receives a reply to its question.
                    let question = try await sim.botOK("sendMessage", [
                        "chat_id": .int(chat), "text": "What fixed it?",
                        "reply_markup": ["force_reply": true, "input_field_placeholder": "Summary"],
                    ])
                    let questionID = try #require(question["message_id"]?.intValue)
                    try await browserSession.waitForText("#reply-text", "What fixed it?")
                    let input = try await browserSession.waitForElement("#text")
                    try await browserSession.type("Replaced the hydraulic hose", into: input)
                    try await browserSession.click(try await browserSession.waitForElement("#composer button[type=submit]"))
                    let next = (updates.arrayValue?.last?["update_id"]?.intValue ?? 0) + 1
                    let replies = try await sim.botOK("getUpdates", ["offset": .int(next), "timeout": 30])
                    let reply = try #require(replies.arrayValue?.first?["message"], "no message after typing: \(replies)")
                    #expect(reply["text"] == "Replaced the hydraulic hose")
                    #expect(reply["from"]?["id"] == .int(ana))
                    #expect(reply["reply_to_message"]?["message_id"] == .int(questionID))
                    await browserSession.end()
                } catch {
                    await browserSession.end()
                    throw error
                }
            }
        }
    }
}
