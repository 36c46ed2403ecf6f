import Foundation
import Hummingbird
import Storage

extension AdminAPI {
    struct DeadLetterJSON: Encodable {
        var update_id: Int64
        var chat_id: Int64
        var reason: String
        var attempts: Int
        var first_failed_at: String
        var recorded_at: String
        /// The event's kind (`new_issue`, `press`, ...), without its user-written text.
        var event: String?
        init(_ letter: DeadLetter) {
            update_id = letter.updateID; chat_id = letter.chatID; reason = letter.reason; attempts = letter.attempts
            first_failed_at = rfc3339(letter.firstFailedAt); recorded_at = rfc3339(letter.recordedAt)
            event = letter.update.map { Self.kind(of: $0.event) }
        }

        static func kind(of event: InboundUpdate.Event) -> String {
            switch event {
            case .newIssue: "new_issue"
            case .press: "press"
            case .reply: "reply"
            case .registerDriver: "register_driver"
            case .help: "help"
            case .start: "start"
            case .notify: "notify"
            case .botAdded: "bot_added"
            case .botMember: "bot_member"
            case .botRemoved: "bot_removed"
            case .migrated: "migrated"
            case .report: "report"
            case .onBehalfOfChat: "on_behalf_of_chat"
            case .groupMessage: "group_message"
            case .activate: "activate"
            }
        }
    }

    /// `GET /api/v1/dead-letters?limit=N`: the updates given up on, newest first.
    func listDeadLetters(_ request: Request, scope: AccessScope = .platform) async throws -> Response {
        var limit = 100
        if let text = request.uri.queryParameters.get("limit") {
            guard let value = Int(text), (1...1000).contains(value) else {
                throw APIError(.badRequest, "limit must be an integer from 1 to 1000")
            }
            limit = value
        }
        let letters: [DeadLetter]
        let total: Int
        if let company = scope.companyID {
            letters = try await store.deadLetters(companyID: company, limit: limit)
            total = try await store.deadLetterCount(companyID: company)
        } else {
            letters = try await store.deadLetters(limit: limit)
            total = try await store.deadLetterCount()
        }
        return try json(DeadLettersJSON(total: total, dead_letters: letters.map(DeadLetterJSON.init)))
    }

    struct DeadLettersJSON: Encodable {
        var total: Int
        var dead_letters: [DeadLetterJSON]
    }
}
