import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Reading what a child wrote to a pipe, on a thread of its own (never the cooperative pool).
public enum ChildOutput {
    /// Calls `body` with each chunk read from `descriptor` until end-of-file or a read error
    /// other than EINTR (retried: children's exits interrupt reads with SIGCHLD). Blocks.
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

    /// Everything `descriptor` delivers until end-of-file, read on a dedicated thread; closes it.
    public static func readToEnd(_ descriptor: Int32) async -> Data {
        await withCheckedContinuation { continuation in
            Thread {
                var data = Data()
                readChunks(from: descriptor) { data.append($0) }
                close(descriptor)
                continuation.resume(returning: data)
            }.start()
        }
    }
}
