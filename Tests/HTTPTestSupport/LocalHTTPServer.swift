import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// A throwaway HTTP server on 127.0.0.1 for fakes in tests and benchmarks.
public enum LocalHTTPServer {
    public struct DidNotStart: Error, CustomStringConvertible {
        public var description: String { "the local HTTP server did not start" }
    }

    /// Serves `respond` on 127.0.0.1:`port` (0: a free one) while `body` runs with the
    /// server's base URL, then stops it with a graceful shutdown. Cancelling a Hummingbird
    /// server's task instead can trap in NIO ("Deinited NIOAsyncWriter without calling
    /// finish()") when a connection is being accepted at that moment (apple/swift-nio#2813).
    public static func serve<R: Sendable>(
        port: Int = 0, logger: Logger,
        respond: @escaping @Sendable (Request) async throws -> Response,
        _ body: (URL) async throws -> R
    ) async throws -> R {
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        var quiet = logger
        quiet.logLevel = .critical
        let app = Application(
            responder: CallbackResponder<BasicRequestContext> { request, _ in try await respond(request) },
            configuration: .init(address: .hostname("127.0.0.1", port: port)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: quiet)
        let services = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: quiet))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            do {
                var iterator = ports.makeAsyncIterator()
                guard let port = await iterator.next(), port > 0, let url = URL(string: "http://127.0.0.1:\(port)") else {
                    throw DidNotStart()
                }
                let result = try await body(url)
                await services.triggerGracefulShutdown()
                try await group.waitForAll()
                return result
            } catch {
                await services.triggerGracefulShutdown()
                try? await group.waitForAll()
                throw error
            }
        }
    }
}
