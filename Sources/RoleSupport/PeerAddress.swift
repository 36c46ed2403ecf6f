import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The address of the connection a request came on, for per-address throttles. Routers here
/// use `BasicRequestContext`, which does not keep the connection, so the role's HTTP server
/// puts the peer address into this header on every request, replacing whatever a client sent
/// under the same name.
public enum PeerAddress {
    public static let header = HTTPField.Name("X-RaiseDash-Peer-Address")!

    /// The peer address of `request` ("unknown" for a Unix socket or a request not served by
    /// `RoleHTTP`).
    public static func of(_ request: Request) -> String { request.headers[header] ?? "unknown" }
}

/// A request context that keeps its source, so the responder below can read the channel.
struct ConnectionRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel
    let sourceLogger: Logger

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
        sourceLogger = source.logger
    }
}

/// Sets `PeerAddress.header` from the connection, then hands the request to the router.
struct PeerAddressResponder<Inner: HTTPResponder>: HTTPResponder where Inner.Context == BasicRequestContext {
    let inner: Inner

    func respond(to request: Request, context: ConnectionRequestContext) async throws -> Response {
        var head = request.head
        head.headerFields[PeerAddress.header] = context.channel.remoteAddress?.ipAddress ?? "unknown"
        return try await inner.respond(
            to: Request(head: head, body: request.body),
            context: BasicRequestContext(source: ApplicationRequestContextSource(channel: context.channel, logger: context.sourceLogger)))
    }
}
