import Foundation

extension BotAPIError {
    /// Classifies a failed answer from its HTTP status and body. Pure: same input, same error.
    ///
    /// The body is normally Telegram's `{"ok":false,"error_code":N,"description":"…",
    /// "parameters":{…}}`; `parameters.retry_after` and `parameters.migrate_to_chat_id` win over
    /// the description. A body that is not JSON (a proxy's 502/504 page) is classified by the
    /// status alone and summarised by its HTML title.
    public static func classify(method: BotAPIMethod, httpStatus: Int, body: Data) -> BotAPIError {
        guard let failure = try? JSONDecoder().decode(FailureBody.self, from: body), failure.ok == false else {
            return classifyWithoutJSON(method: method, httpStatus: httpStatus, body: body)
        }
        let code = failure.errorCode ?? httpStatus
        let description = failure.description ?? ""
        func error(_ kind: Kind) -> BotAPIError {
            BotAPIError(kind: kind, method: method, httpStatus: httpStatus, detail: description.isEmpty ? nil : description)
        }

        if let seconds = failure.parameters?.retryAfter {
            return error(.retryAfter(seconds: max(0, seconds)))
        }
        if let newChatID = failure.parameters?.migrateToChatID {
            return error(.chatMigrated(newChatID: newChatID))
        }
        let text = description.lowercased()
        switch code {
        case 429:
            return error(.retryAfter(seconds: secondsAfterRetryAfter(in: text) ?? 1))
        case 401:
            return error(.unauthorized)
        case 403:
            return error(.forbidden(forbiddenReason(text)))
        case 409:
            return error(.conflict(conflictReason(text)))
        case 400..<500:
            return error(badRequestKind(text, description: description))
        case 500...:
            return error(.server(status: code))
        default:
            return error(.unexpectedResponse)
        }
    }

    private static func badRequestKind(_ text: String, description: String) -> Kind {
        if text.contains("message is not modified") { return .notModified }
        let missing: [(String, MissingMessage)] = [
            ("message to edit not found", .toEdit),
            ("message to pin not found", .toPin),
            ("message to unpin not found", .toUnpin),
            ("message to delete not found", .toDelete),
            ("message to be replied not found", .toReplyTo),
            ("message not found", .unspecified),
        ]
        if let match = missing.first(where: { text.contains($0.0) }) { return .messageNotFound(match.1) }
        if text.contains("query is too old") { return .queryTooOld }
        if text.contains("not enough rights") || text.contains("have no rights to send")
            || text.contains("chat_admin_required")
        {
            return .notEnoughRights
        }
        return .badRequest(description: description)
    }

    private static func forbiddenReason(_ text: String) -> ForbiddenReason {
        if text.contains("bot was kicked from") { return .kicked }
        if text.contains("bot is not a member of") { return .notMember }
        if text.contains("bot was blocked by the user") { return .blockedByUser }
        if text.contains("bot can't initiate conversation") { return .cannotInitiateConversation }
        return .other
    }

    private static func conflictReason(_ text: String) -> ConflictReason {
        if text.contains("terminated by other getupdates request") { return .otherPoller }
        if text.contains("webhook is active") { return .webhookActive }
        return .other
    }

    /// `N` in "too many requests: retry after N".
    private static func secondsAfterRetryAfter(in text: String) -> Int? {
        guard let range = text.range(of: "retry after ") else { return nil }
        return Int(text[range.upperBound...].prefix(while: \.isNumber))
    }

    private static func classifyWithoutJSON(method: BotAPIMethod, httpStatus: Int, body: Data) -> BotAPIError {
        let summary = summarize(body)
        let kind: Kind =
            switch httpStatus {
            case 500...: .server(status: httpStatus)
            case 401: .unauthorized
            default: .unexpectedResponse
            }
        return BotAPIError(kind: kind, method: method, httpStatus: httpStatus, detail: summary)
    }

    /// A short, single-line summary of a non-JSON body: the HTML `<title>` if there is one,
    /// else the start of its text with tags removed.
    static func summarize(_ body: Data) -> String? {
        let text = String(decoding: body.prefix(4096), as: UTF8.self)
        let summary: Substring
        if let open = text.range(of: "<title>", options: .caseInsensitive),
            let close = text.range(of: "</title>", options: .caseInsensitive, range: open.upperBound..<text.endIndex)
        {
            summary = text[open.upperBound..<close.lowerBound]
        } else {
            summary = Substring(text)
        }
        var plain = ""
        var inTag = false
        for character in summary {
            if character == "<" { inTag = true; plain.append(" "); continue }
            if character == ">" { inTag = false; continue }
            if !inTag { plain.append(character) }
        }
        let collapsed = plain.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        guard !collapsed.isEmpty else { return nil }
        return collapsed.count > 120 ? String(collapsed.prefix(120)) + "…" : collapsed
    }
}

/// The failure shape of a Bot API answer.
struct FailureBody: Decodable {
    let ok: Bool
    let errorCode: Int?
    let description: String?
    let parameters: Parameters?

    struct Parameters: Decodable {
        let retryAfter: Int?
        let migrateToChatID: Int64?

        enum CodingKeys: String, CodingKey {
            case retryAfter = "retry_after"
            case migrateToChatID = "migrate_to_chat_id"
        }
    }

    enum CodingKeys: String, CodingKey {
        case ok
        case errorCode = "error_code"
        case description, parameters
    }
}
