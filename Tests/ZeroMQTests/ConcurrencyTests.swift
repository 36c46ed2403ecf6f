import Foundation
import Synchronization
import Testing
@testable import ZeroMQ

@Suite("Swift concurrency: no blocked pool threads, backpressure, cancellation")
struct ConcurrencyTests {
    /// 64 tasks wait on 64 sockets at once. If waiting held a thread of the cooperative pool
    /// (one per core), nothing else could run; instead unrelated async work completes, and then
    /// each waiting socket still gets its message.
    @Test("receiving on 64 sockets at once leaves the cooperative pool free")
    func receiversDoNotOccupyThePool() async throws {
        let context = try ZMQContext()
        var pulls: [ZMQSocket] = []
        var endpoints: [String] = []
        for index in 0..<64 {
            let pull = try context.socket(.pull)
            endpoints.append(try await pull.bind("inproc://waiting-\(index)-\(UUID().uuidString)"))
            pulls.append(pull)
        }
        let waiting = Counter()
        try await withThrowingTaskGroup(of: String?.self) { group in
            for pull in pulls {
                group.addTask {
                    waiting.increment()
                    return try await pull.receive().map { text($0[0]) }
                }
            }
            // Other async work, needing pool threads while the 64 receivers wait.
            let sum = try await within(.seconds(30), "async work beside 64 waiting receivers") {
                try await withThrowingTaskGroup(of: Int.self) { work in
                    for index in 0..<32 {
                        work.addTask {
                            try await Task.sleep(for: .milliseconds(10))
                            return (0...1000).reduce(index, +)
                        }
                    }
                    return try await work.reduce(0, +)
                }
            }
            #expect(sum == (0..<32).reduce(0) { $0 + $1 + 500_500 })
            #expect(waiting.value == 64)

            let push = try context.socket(.push)
            for (index, endpoint) in endpoints.enumerated() {
                try await push.connect(endpoint)
                try await push.send(frames("for \(index)"))
                try await push.disconnect(endpoint)
            }
            var received: Set<String> = []
            for try await value in group {
                received.insert(try #require(value))
            }
            #expect(received == Set((0..<64).map { "for \($0)" }))
        }
        try await within(.seconds(30), "terminate 65 sockets") { await context.terminate() }
    }

    /// With a small buffer and small high-water marks, a reader that does not read makes the
    /// sender wait (EAGAIN with a send timeout) instead of messages being dropped; once read,
    /// every message the sender was told was queued arrives, in order.
    @Test("a full receive buffer pushes back on the sender and drops nothing")
    func backpressure() async throws {
        let context = try ZMQContext()
        let pull = try context.socket(.pull, options: ZMQSocketOptions(receiveHighWaterMark: 5, receiveBufferLimit: 4))
        let endpoint = try await pull.bind("inproc://backpressure-\(UUID().uuidString)")
        let push = try context.socket(.push, options: ZMQSocketOptions(
            sendHighWaterMark: 5, sendTimeout: .milliseconds(200)
        ))
        try await push.connect(endpoint)

        var queued = 0
        var pushedBack = false
        while queued < 10_000 {
            do {
                try await push.send(frames(String(queued)))
                queued += 1
            } catch let error as ZMQError where error.code == .wouldBlock {
                pushedBack = true
                break
            }
        }
        #expect(pushedBack, "the sender never met backpressure")
        #expect(queued < 100)
        #expect(pull.loop.inbox.bufferedCount <= 4)

        var received: [String] = []
        for _ in 0..<queued {
            received.append(text(try await receive(pull)[0]))
        }
        #expect(received == (0..<queued).map(String.init))
        // And the flow resumes.
        try await push.send(frames("after"))
        #expect(try await receive(pull).map(text) == ["after"])
        await context.terminate()
    }

    @Test("cancelling a waiting send withdraws it; the socket keeps working")
    func cancelWaitingSend() async throws {
        let context = try ZMQContext()
        let push = try context.socket(.push)
        let endpoint = "inproc://cancel-send-\(UUID().uuidString)"
        try await push.bind(endpoint)
        let waiting = Task { try await push.send(frames("withdrawn")) }
        try await Task.sleep(for: .milliseconds(50))
        waiting.cancel()
        let result = try await within(.seconds(20), "cancelled send") { await waiting.result }
        #expect(throws: CancellationError.self) { try result.get() }

        let pull = try context.socket(.pull)
        try await pull.connect(endpoint)
        try await push.send(frames("kept"))
        #expect(try await receive(pull).map(text) == ["kept"])
        await context.terminate()
    }

    @Test("cancelling a waiting receive ends that wait; later receives still get messages")
    func cancelWaitingReceive() async throws {
        let context = try ZMQContext()
        let pull = try context.socket(.pull)
        let endpoint = try await pull.bind("inproc://cancel-receive-\(UUID().uuidString)")
        let waiting = Task { try await pull.receive() }
        try await Task.sleep(for: .milliseconds(50))
        waiting.cancel()
        #expect(try await within(.seconds(20), "cancelled receive") { try await waiting.value } == nil)

        let push = try context.socket(.push)
        try await push.connect(endpoint)
        try await push.send(frames("next"))
        #expect(try await receive(pull).map(text) == ["next"])
        await context.terminate()
    }

    @Test("many tasks sending on one socket concurrently all get through")
    func concurrentSenders() async throws {
        let context = try ZMQContext()
        let pull = try context.socket(.pull)
        let endpoint = try await pull.bind("tcp://127.0.0.1:*")
        let push = try context.socket(.push)
        try await push.connect(endpoint)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<16 {
                group.addTask {
                    for index in 0..<50 { try await push.send(frames("\(task)", "\(index)")) }
                }
            }
            try await group.waitForAll()
        }
        var perTask: [String: [Int]] = [:]
        for _ in 0..<(16 * 50) {
            let message = try await receive(pull)
            perTask[text(message[0]), default: []].append(Int(text(message[1])) ?? -1)
        }
        #expect(perTask.count == 16)
        for (_, indices) in perTask { #expect(indices == Array(0..<50)) }
        await context.terminate()
    }
}

@Suite("Receiving with a timeout")
struct ReceiveTimeoutTests {
    @Test("receive(timeout:) returns nil when nothing arrives and the message when one does")
    func timeoutOrMessage() async throws {
        let context = try ZMQContext()
        let pull = try context.socket(.pull)
        let endpoint = try await pull.bind("inproc://timeout-\(UUID().uuidString)")
        #expect(try await pull.receive(timeout: .milliseconds(20)) == nil)
        let push = try context.socket(.push)
        try await push.connect(endpoint)
        try await push.send(frames("late"))
        #expect(try await pull.receive(timeout: .seconds(20))?.map(text) == ["late"])
        await pull.close()
        #expect(try await pull.receive(timeout: .seconds(20)) == nil)
        await context.terminate()
    }

    /// Timeouts racing with arriving messages: every message must come out of some receive,
    /// none may vanish with a timed-out one.
    @Test("no message is lost to a timeout racing its arrival")
    func noMessageLostToTimeouts() async throws {
        let context = try ZMQContext()
        let pull = try context.socket(.pull)
        let endpoint = try await pull.bind("inproc://race-\(UUID().uuidString)")
        let push = try context.socket(.push)
        try await push.connect(endpoint)
        let total = 300
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for index in 0..<total {
                    try await push.send(frames(String(index)))
                    if index % 10 == 0 { try await Task.sleep(for: .milliseconds(1)) }
                }
            }
            var received: [Int] = []
            try await within(.seconds(30), "all messages through short timeouts") {
                var got: [Int] = []
                while got.count < total {
                    if let message = try await pull.receive(timeout: .microseconds(200)) {
                        got.append(Int(text(message[0])) ?? -1)
                    }
                }
                return got
            }.forEach { received.append($0) }
            try await group.waitForAll()
            #expect(received == Array(0..<total))
        }
        await context.terminate()
    }
}

@Suite("Waiting costs no CPU")
struct IdleTests {
    /// ROUTER with routerMandatory reports "writable" while any peer has room, so a message
    /// for a full peer must be retried on a timer, not in a loop.
    @Test("a ROUTER send to a full peer waits, then fails with EAGAIN; nothing is dropped")
    func routerMandatoryFullPeer() async throws {
        let context = try ZMQContext()
        let router = try context.socket(.router, options: ZMQSocketOptions(
            sendHighWaterMark: 2, routerMandatory: true, sendTimeout: .milliseconds(300)
        ))
        let endpoint = try await router.bind("inproc://full-\(UUID().uuidString)")
        let dealer = try context.socket(.dealer, options: ZMQSocketOptions(
            receiveHighWaterMark: 2, routingID: Data("slow".utf8), receiveBufferLimit: 1
        ))
        try await dealer.connect(endpoint)
        try await dealer.send(frames("hello"))
        #expect(try await receive(router).map(text) == ["slow", "hello"])

        var queued = 0
        var pushedBack = false
        while queued < 10_000 {
            do {
                try await router.send(frames("slow", String(queued)))
                queued += 1
            } catch let error as ZMQError where error.code == .wouldBlock {
                pushedBack = true
                break
            }
        }
        #expect(pushedBack)
        var received: [String] = []
        for _ in 0..<queued { received.append(text(try await receive(dealer)[0])) }
        #expect(received == (0..<queued).map(String.init))
        await context.terminate()
    }

    #if os(Linux)
    /// A socket thread waiting for a message, for a peer, or for room at a full peer sleeps
    /// in zmq_poll. Its CPU time over a second of waiting stays far below what a polling loop
    /// would burn (most of that second). Load can only lower a spinner's share, so this
    /// never fails a correct implementation.
    @Test("threads of waiting sockets sleep instead of spinning")
    func waitingThreadsSleep() async throws {
        let context = try ZMQContext()
        // 1. A receiver with nothing to receive.
        let pull = try context.socket(.pull)
        try await pull.bind("inproc://idle-pull-\(UUID().uuidString)")
        // 2. A PUSH with no peer, its send waiting.
        let push = try context.socket(.push)
        try await push.bind("inproc://idle-push-\(UUID().uuidString)")
        // 3. A mandatory ROUTER whose only peer is full while another peer has room.
        let router = try context.socket(.router, options: ZMQSocketOptions(sendHighWaterMark: 1, routerMandatory: true))
        let endpoint = try await router.bind("inproc://idle-router-\(UUID().uuidString)")
        var dealers: [ZMQSocket] = []
        for name in ["full", "free"] {
            let dealer = try context.socket(.dealer, options: ZMQSocketOptions(
                receiveHighWaterMark: 1, routingID: Data(name.utf8), receiveBufferLimit: 1
            ))
            try await dealer.connect(endpoint)
            try await dealer.send(frames("hi"))
            dealers.append(dealer)
        }
        for _ in 0..<2 { _ = try await receive(router) }
        let sockets = [pull, push, router]

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { _ = try await pull.receive() }
            group.addTask { try await push.send(frames("nobody listens")) }
            group.addTask {
                while true { try await router.send(frames("full", "more")) }
            }
            try await Task.sleep(for: .milliseconds(300))  // let the router fill "full"
            let before = try sockets.map { try cpuTime($0) }
            try await Task.sleep(for: .seconds(1))
            let after = try sockets.map { try cpuTime($0) }
            for (index, socket) in sockets.enumerated() {
                let used = after[index] - before[index]
                #expect(used < .milliseconds(100), "\(socket.type) thread used \(used) of CPU in 1 s of waiting")
            }
            group.cancelAll()
            try? await group.waitForAll()
        }
        await context.terminate()
    }

    /// CPU time consumed so far by the socket's thread.
    private func cpuTime(_ socket: ZMQSocket) throws -> Duration {
        let clock = try #require(socket.loop.threadCPUClock.withLock { $0 })
        var time = timespec()
        try #require(clock_gettime(clock, &time) == 0)
        return .seconds(time.tv_sec) + .nanoseconds(time.tv_nsec)
    }
    #endif
}
