import Foundation
import ProcessLauncher

/// Reading a pipe to its end on a dedicated thread, robust to signals.
///
/// Foundation's `FileHandle.availableData` stops the process with a fatal error when a read
/// is interrupted by a signal (EINTR), which happens in any process that also starts
/// children (SIGCHLD) or handles SIGTERM. These reads retry instead.
public enum PipeReading {
    /// Calls `body` with each chunk read from `descriptor` until end-of-file or a read error
    /// other than EINTR. Blocks: call it on a dedicated thread.
    public static func readChunks(from descriptor: Int32, _ body: (Data) -> Void) {
        ChildOutput.readChunks(from: descriptor, body)
    }

    /// Starts a thread that reads `handle` to its end, then closes it.
    public static func drain(_ handle: FileHandle, _ body: @escaping @Sendable (Data) -> Void) {
        let thread = Thread {
            readChunks(from: handle.fileDescriptor, body)
            try? handle.close()
        }
        thread.start()
    }
}
