/// A failed Bot API call, shaped exactly as Telegram answers it.
///
/// The HTTP status of the answer equals ``code``; ``retryAfter`` and ``migrateToChatID`` become
/// the `parameters` object, which is left out when both are nil.
struct BotAPIError: Error, Equatable, Sendable {
    var code: Int
    var description: String
    var retryAfter: Int?
    var migrateToChatID: Int?

    var json: JSONValue {
        var object: [String: JSONValue] = [
            "ok": false,
            "error_code": .int(code),
            "description": .string(description),
        ]
        var parameters: [String: JSONValue] = [:]
        if let retryAfter { parameters["retry_after"] = .int(retryAfter) }
        if let migrateToChatID { parameters["migrate_to_chat_id"] = .int(migrateToChatID) }
        if !parameters.isEmpty { object["parameters"] = .object(parameters) }
        return .object(object)
    }

    static func badRequest(_ detail: String) -> BotAPIError {
        BotAPIError(code: 400, description: "Bad Request: \(detail)")
    }

    static func forbidden(_ detail: String) -> BotAPIError {
        BotAPIError(code: 403, description: "Forbidden: \(detail)")
    }

    static let unauthorized = BotAPIError(code: 401, description: "Unauthorized")
    static let methodNotFound = BotAPIError(code: 404, description: "Not Found: method not found")
    static let chatNotFound = badRequest("chat not found")
    static let messageTooLong = badRequest("message is too long")
    static let messageTextEmpty = badRequest("message text is empty")
    static let notModified = badRequest(
        "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"
    )
    static let messageToEditNotFound = badRequest("message to edit not found")
    static let messageCantBeEdited = badRequest("message can't be edited")
    static let messageToPinNotFound = badRequest("message to pin not found")
    static let messageToUnpinNotFound = badRequest("message to unpin not found")
    static let messageToDeleteNotFound = badRequest("message to delete not found")
    static let messageCantBeDeleted = badRequest("message can't be deleted")
    static let replyNotFound = badRequest("message to be replied not found")
    static let notEnoughRightsToPin = badRequest("not enough rights to manage pinned messages in the chat")
    static let queryTooOld = badRequest("query is too old and response timeout expired or query ID is invalid")
    static let userNotFound = badRequest("user not found")
    static let getUpdatesConflict = BotAPIError(
        code: 409,
        description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
    )
    static let webhookActive = BotAPIError(
        code: 409,
        description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
    )

    static func tooManyRequests(retryAfter: Int) -> BotAPIError {
        BotAPIError(code: 429, description: "Too Many Requests: retry after \(retryAfter)", retryAfter: retryAfter)
    }

    static func upgraded(to newChatID: Int) -> BotAPIError {
        BotAPIError(
            code: 400,
            description: "Bad Request: group chat was upgraded to a supergroup chat",
            migrateToChatID: newChatID
        )
    }

    static func notSimulated(_ method: String) -> BotAPIError {
        BotAPIError(code: 501, description: "Not Implemented: the simulator does not implement \(method)")
    }
}
