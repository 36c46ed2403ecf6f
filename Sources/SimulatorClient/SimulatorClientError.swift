/// A control API call that did not succeed: the simulator refused it (with the HTTP status and
/// its own explanation), nothing answered, or the answer was not what this client knows.
///
/// The description names the route, never a body: `POST /control/chats answered 409: chat
/// -1001 exists`.
public struct SimulatorClientError: Error, Sendable, CustomStringConvertible {
    private enum Code: Sendable {
        case refused(status: Int)
        case unreachable
        case unexpectedAnswer
    }

    private let code: Code
    /// The method and path, e.g. `POST /control/chats`.
    public let route: String
    /// The simulator's error text when it refused; otherwise what went wrong.
    public let message: String

    /// The HTTP status of a refusal: 400 bad input, 404 no such user, chat, message or route,
    /// 405 wrong method, 409 exists already. Nil when nothing answered or the answer was unreadable.
    public var status: Int? {
        if case .refused(let status) = code { return status }
        return nil
    }

    /// Nothing answered (connection refused, timed out, ...).
    public var isUnreachable: Bool {
        if case .unreachable = code { return true }
        return false
    }

    public var description: String {
        switch code {
        case .refused(let status): "\(route) answered \(status): \(message)"
        case .unreachable: "\(route) failed: \(message)"
        case .unexpectedAnswer: "\(route): the answer is not what the client expects: \(message)"
        }
    }

    static func refused(_ route: String, status: Int, _ message: String) -> Self {
        Self(code: .refused(status: status), route: route, message: message)
    }

    static func unreachable(_ route: String, _ message: String) -> Self {
        Self(code: .unreachable, route: route, message: message)
    }

    static func unexpectedAnswer(_ route: String, _ message: String) -> Self {
        Self(code: .unexpectedAnswer, route: route, message: message)
    }
}
