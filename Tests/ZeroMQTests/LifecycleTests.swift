import Foundation
import Synchronization
import Testing
@testable import ZeroMQ

@Suite("Restarts and shutdown")
struct LifecycleTests {
    /// The binding side goes away completely and a new socket binds the same endpoint; the
    /// connected side reconnects on its own. For tcp and ipc the binder is a separate context,
    /// as a restarted process would be; inproc only exists inside one context and does not
    /// reconnect by itself.
    @Test("a restarted binding peer is reconnected and messages flow again", arguments: Transport.allCases)
    func peerRestart(transport: Transport) async throws {
        let endpoints = try Endpoints(transport)
        defer { endpoints.removeFiles() }
        let clientContext = try ZMQContext()
        let push = try clientContext.socket(.push, options: ZMQSocketOptions(
            linger: .zero, reconnectInterval: .milliseconds(20), reconnectIntervalMax: .milliseconds(200)
        ))
        let firstContext = transport == .inproc ? clientContext : try ZMQContext()
        let first = try firstContext.socket(.pull, options: ZMQSocketOptions(linger: .zero))
        let endpoint = try await first.bind(endpoints.bindable())
        try await push.connect(endpoint)
        try await push.send(frames("before"))
        #expect(try await receive(first).map(text) == ["before"])

        await first.close()
        if firstContext !== clientContext {
            try await within(.seconds(30), "terminate the first binder") { await firstContext.terminate() }
        }

        let secondContext = transport == .inproc ? clientContext : try ZMQContext()
        let second = try secondContext.socket(.pull)
        #expect(try await bindRetrying(second, endpoint) == endpoint)
        if transport == .inproc {
            // inproc has no reconnect: a connection to a closed binder is gone for good, so
            // the connected side connects again.
            try await push.connect(endpoint)
        }

        // Messages sent while the connection is being re-established may be lost with the old
        // connection; keep sending until the new binder hears one.
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                var index = 0
                while !Task.isCancelled {
                    try await push.send(frames("after", String(index)))
                    index += 1
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
            let message = try await receive(second, "a message after the restart")
            #expect(text(message[0]) == "after")
            group.cancelAll()
            try? await group.waitForAll()
        }
        try await within(.seconds(30), "terminate") {
            await secondContext.terminate()
            await clientContext.terminate()
        }
    }

    @Test("closing both ends while a sender blasts, then terminating, finishes", arguments: Transport.allCases)
    func shutdownWithMessagesInFlight(transport: Transport) async throws {
        let endpoints = try Endpoints(transport)
        defer { endpoints.removeFiles() }
        let context = try ZMQContext()
        let pull = try context.socket(.pull, options: ZMQSocketOptions(receiveHighWaterMark: 50, receiveBufferLimit: 8))
        let endpoint = try await pull.bind(endpoints.bindable())
        let push = try context.socket(.push, options: ZMQSocketOptions(linger: .milliseconds(200), sendHighWaterMark: 50))
        try await push.connect(endpoint)
        let payload = Data(count: 4096)

        let sent = Counter()
        let blaster = Task {
            // Ends when the socket is closed under it (send fails with socketClosed).
            do {
                while true {
                    try await push.send([payload, payload])
                    sent.increment()
                }
            } catch let error as ZMQError {
                return error
            }
        }
        for _ in 0..<20 { _ = try await receive(pull) }

        try await within(.seconds(30), "close and terminate with messages in flight") {
            await pull.close()
            await push.close()
            await context.terminate()
        }
        let ended = try await within(.seconds(30), "the blasting sender stops") { try await blaster.value }
        #expect(ended.code == .socketClosed)
        #expect(sent.value >= 20)
    }

    @Test("terminate closes sockets that are still open, fails their pending sends, ends their streams")
    func terminateClosesOpenSockets() async throws {
        let context = try ZMQContext()
        let pull = try context.socket(.pull)
        try await pull.bind("inproc://open-\(UUID().uuidString)")
        let push = try context.socket(.push)  // never connected: its send waits
        let pendingSend = Task { try await push.send(frames("stuck")) }
        let reader = Task { () -> Int in
            var count = 0
            for try await _ in pull.messages { count += 1 }
            return count
        }
        try await Task.sleep(for: .milliseconds(50))
        try await within(.seconds(30), "terminate") { await context.terminate() }

        let sendResult = try await within(.seconds(10), "pending send") { await pendingSend.result }
        #expect(throws: ZMQError.self) { try sendResult.get() }
        #expect(try await within(.seconds(10), "reader") { try await reader.value } == 0)
        // Terminating again returns at once.
        try await within(.seconds(10), "second terminate") { await context.terminate() }
    }

    @Test("messages buffered before close are still delivered, then the sequence ends")
    func bufferedMessagesSurviveClose() async throws {
        let context = try ZMQContext()
        let pull = try context.socket(.pull)
        let endpoint = try await pull.bind("inproc://buffered-\(UUID().uuidString)")
        let push = try context.socket(.push)
        try await push.connect(endpoint)
        for index in 0..<3 { try await push.send(frames(String(index))) }
        #expect(try await receive(pull).map(text) == ["0"])
        // Wait until the other two have been read into the socket's buffer.
        try await within(.seconds(20), "two buffered messages") {
            while pull.loop.inbox.bufferedCount < 2 { try await Task.sleep(for: .milliseconds(5)) }
        }
        await pull.close()
        var rest: [String] = []
        for try await message in pull.messages { rest.append(contentsOf: message.map(text)) }
        #expect(rest == ["1", "2"])
        await context.terminate()
    }

    @Test("a socket dropped without close is closed for its context")
    func droppedSocketCloses() async throws {
        let context = try ZMQContext()
        do {
            let socket = try context.socket(.pull)
            try await socket.bind("tcp://127.0.0.1:*")
        }
        try await within(.seconds(30), "terminate after a dropped socket") { await context.terminate() }
    }
}
