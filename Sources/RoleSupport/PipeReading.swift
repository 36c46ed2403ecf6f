import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reading a pipe to its end on a dedicated thread, robust to signals.
///
/// Foundation's `FileHandle.availableData` stops the process with a fatal error when a read
/// is interrupted by a signal (EINTR), which happens in any process that also starts
/// children (SIGCHLD) or handles SIGTERM. These reads retry instead.
public enum PipeReading {
    /// Calls `body` with each chunk read from `descriptor` until end-of-file or a read error
    /// other than EINTR. Blocks: call it on a dedicated thread.
    public static func readChunks(from descriptor: Int32, _ body: (Data) -> Void) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                body(Data(buffer[0..<count]))
            } else if count == 0 || errno != EINTR {
                return
            }
        }
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
