/// A control request that cannot be carried out; `status` is the HTTP status of the answer.
struct ControlError: Error, Equatable, Sendable {
    var status: Int
    var message: String

    static func badRequest(_ message: String) -> ControlError { ControlError(status: 400, message: message) }
    static func notFound(_ message: String) -> ControlError { ControlError(status: 404, message: message) }
    static func conflict(_ message: String) -> ControlError { ControlError(status: 409, message: message) }
}
