import Foundation
import Logging
import ServiceLifecycle

/// Ends the role when its supervising parent goes away.
///
/// `raisedash up` starts each child with `RAISEDASH_SUPERVISED=1` and standard input on a
/// pipe it holds open. When the parent dies, even by SIGKILL, the pipe reaches end-of-file;
/// this service then returns, which makes the role's ServiceGroup shut down gracefully.
/// Unsupervised (the variable unset), it just waits for shutdown.
public struct ParentWatch: Service {
    let logger: Logger
    let supervised: Bool

    public init(logger: Logger, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.logger = logger
        self.supervised = environment["RAISEDASH_SUPERVISED"] == "1"
    }

    public func run() async throws {
        guard supervised else {
            try? await gracefulShutdown()
            return
        }
        let (stream, continuation) = AsyncStream<Void>.makeStream()
        // A dedicated thread does the blocking read, never the cooperative pool.
        let thread = Thread {
            PipeReading.readChunks(from: FileHandle.standardInput.fileDescriptor) { _ in }
            continuation.yield()
            continuation.finish()
        }
        thread.start()
        await withGracefulShutdownHandler {
            for await _ in stream {
                logger.warning("supervisor went away; shutting down")
                break
            }
        } onGracefulShutdown: {
            continuation.finish()
        }
    }
}
