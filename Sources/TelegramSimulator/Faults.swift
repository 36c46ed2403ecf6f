import Foundation

/// A failure the next calls of a method will meet, injected through the control API.
struct InjectedFault: Sendable {
    enum Action: Sendable {
        /// Answer with this Bot API error.
        case error(BotAPIError)
        /// Answer 502 Bad Gateway with an HTML body, as the proxy in front of Telegram does.
        case badGateway
        /// Answer 504 Gateway Timeout with an HTML body.
        case gatewayTimeout
        /// Wait this long before handling the call normally.
        case latency(milliseconds: Int)
    }

    var id: Int
    /// The method (as the spec names it) or `*` for every method.
    var method: String
    var remaining: Int
    var action: Action
    /// Carry the call out before answering with the fault (the "sent but the answer was lost" case).
    var afterEffect: Bool

    func matches(_ method: String) -> Bool {
        self.method == "*" || self.method.caseInsensitiveCompare(method) == .orderedSame
    }

    var json: JSONValue {
        var object: [String: JSONValue] = [
            "id": .int(id),
            "method": .string(method),
            "remaining": .int(remaining),
            "after_effect": .bool(afterEffect),
        ]
        switch action {
        case .error(let error):
            object["kind"] = "error"
            object["error_code"] = .int(error.code)
            object["description"] = .string(error.description)
            if let retryAfter = error.retryAfter { object["retry_after"] = .int(retryAfter) }
            if let migrate = error.migrateToChatID { object["migrate_to_chat_id"] = .int(migrate) }
        case .badGateway:
            object["kind"] = "bad_gateway"
        case .gatewayTimeout:
            object["kind"] = "gateway_timeout"
        case .latency(let milliseconds):
            object["kind"] = "latency"
            object["latency_ms"] = .int(milliseconds)
        }
        return .object(object)
    }

    static let badGatewayHTML = """
        <html>\r
        <head><title>502 Bad Gateway</title></head>\r
        <body>\r
        <center><h1>502 Bad Gateway</h1></center>\r
        <hr><center>nginx/1.18.0</center>\r
        </body>\r
        </html>\r

        """

    static let gatewayTimeoutHTML = """
        <html>\r
        <head><title>504 Gateway Time-out</title></head>\r
        <body>\r
        <center><h1>504 Gateway Time-out</h1></center>\r
        <hr><center>nginx/1.18.0</center>\r
        </body>\r
        </html>\r

        """
}
