#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A self-pipe that wakes a socket's thread out of `zmq_poll` (which polls plain file
/// descriptors alongside ZeroMQ sockets). Writers never block: a full pipe already means
/// "wake up".
final class WakeSignal: Sendable {
    let readFD: Int32
    let writeFD: Int32

    init() throws(ZMQError) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            throw ZMQError(.init(rawValue: errno), operation: .createSocket, subject: "wake pipe")
        }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC)
        }
        readFD = fds[0]
        writeFD = fds[1]
    }

    /// Makes the next (or current) poll of ``readFD`` return. Safe from any thread.
    func signal() {
        var byte: UInt8 = 1
        while write(writeFD, &byte, 1) < 0 && errno == EINTR {}
    }

    /// Empties the pipe; called by the socket's thread after a poll reported it readable.
    func drain() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(readFD, $0.baseAddress, $0.count) }
            if n > 0 { continue }
            if n < 0 && errno == EINTR { continue }
            return
        }
    }

    // The descriptors live as long as anyone can still signal, so a signal never lands on a
    // reused descriptor number.
    deinit {
        close(readFD)
        close(writeFD)
    }
}
