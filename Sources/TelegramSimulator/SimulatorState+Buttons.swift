import Foundation

/// People pressing inline buttons.
extension SimulatorState {
    /// A person presses an inline button (found by its text) or sends raw callback data for a
    /// message (to test forged data); the bot gets a callback_query update.
    mutating func pressButton(
        chatID: Int, messageID: Int, fromID: Int, buttonText: String?, callbackData: String?, now: Date
    ) throws(ControlError) -> SimulatedCallbackQuery {
        var chat = try requireChat(chatID)
        _ = try requireUser(fromID)
        guard let message = chat.liveMessage(messageID) else { throw .notFound("message \(messageID) not found in chat \(chatID)") }
        if chat.isGroup {
            guard chat.memberStatus[fromID]?.isPresent == true else { throw .badRequest("user \(fromID) is not a member of chat \(chatID)") }
        } else {
            guard chat.id == fromID else { throw .badRequest("only user \(chat.id) sees this private chat") }
        }
        let data: String
        if let buttonText {
            let buttons = (message.current.inlineKeyboard?["inline_keyboard"]?.arrayValue ?? []).flatMap { $0.arrayValue ?? [] }
            guard let button = buttons.first(where: { $0["text"]?.stringValue == buttonText }) else {
                throw .notFound("message \(messageID) has no button \"\(buttonText)\"")
            }
            guard let buttonData = button["callback_data"]?.stringValue else {
                throw .badRequest("button \"\(buttonText)\" sends no callback data")
            }
            data = buttonData
        } else if let callbackData {
            data = callbackData
        } else {
            throw .badRequest("give button_text or callback_data")
        }
        let number = nextCallbackNumber
        nextCallbackNumber += 1
        let queryID = String(UInt64(botUser.id) &* 1_000_003 &+ UInt64(number) &* 7_919 &+ 4_000_000_000_000_000_000)
        let payload: JSONValue = [
            "id": .string(queryID),
            "from": userJSON(fromID),
            "message": messageJSON(chat, message),
            "chat_instance": .string(chat.chatInstance),
            "data": .string(data),
        ]
        let updateID = enqueueUpdate(kind: "callback_query", payload: payload) ?? 0
        let query = SimulatedCallbackQuery(
            id: queryID, chatID: chatID, messageID: messageID, fromID: fromID, data: data, date: now, updateID: updateID
        )
        callbackQueries[queryID] = query
        chat.messages[messageID - 1].callbackQueryIDs.append(queryID)
        chats[chatID] = chat
        markChanged()
        return query
    }
}
