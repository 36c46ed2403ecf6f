import Testing
@testable import TelegramSimulator

/// Checks a Bot API failure has Telegram's shape: the status equals error_code, the exact
/// description, and `parameters` only when it has content.
func expectFailure(
    _ reply: RunningSimulator.Reply, _ code: Int, _ description: String, parameters: JSONValue? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(reply.status == code, "\(reply)", sourceLocation: sourceLocation)
    #expect(reply.body["ok"] == false, "\(reply)", sourceLocation: sourceLocation)
    #expect(reply.errorCode == code, "\(reply)", sourceLocation: sourceLocation)
    #expect(reply.errorDescription == description, "\(reply)", sourceLocation: sourceLocation)
    #expect(reply.parameters == parameters, "\(reply)", sourceLocation: sourceLocation)
    #expect(reply.contentType.hasPrefix("application/json"), sourceLocation: sourceLocation)
    let keys = Set(reply.body.objectValue?.keys.map { $0 } ?? [])
    #expect(keys == (parameters == nil ? ["ok", "error_code", "description"] : ["ok", "error_code", "description", "parameters"]),
            sourceLocation: sourceLocation)
}
