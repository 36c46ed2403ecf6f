import Foundation
import Testing
import ZeroMQ

@Suite("Socket options")
struct OptionTests {
    @Test("options given at creation read back from libzmq")
    func readBack() async throws {
        let context = try ZMQContext()
        let options = ZMQSocketOptions(
            linger: .milliseconds(250),
            sendHighWaterMark: 10,
            receiveHighWaterMark: 20,
            reconnectInterval: .milliseconds(50),
            reconnectIntervalMax: .seconds(2),
            heartbeatInterval: .seconds(1),
            heartbeatTimeout: .seconds(3),
            heartbeatTTL: .milliseconds(5_000),
            routingID: Data("worker-7".utf8),
            immediate: true,
            maxMessageSize: 4 << 20
        )
        let dealer = try context.socket(.dealer, options: options)
        #expect(try await dealer.option(.type) == 5)  // ZMQ_DEALER
        #expect(try await dealer.option(.linger) == 250)
        #expect(try await dealer.option(.sendHighWaterMark) == 10)
        #expect(try await dealer.option(.receiveHighWaterMark) == 20)
        #expect(try await dealer.option(.reconnectInterval) == 50)
        #expect(try await dealer.option(.reconnectIntervalMax) == 2_000)
        #expect(try await dealer.option(.heartbeatInterval) == 1_000)
        #expect(try await dealer.option(.heartbeatTimeout) == 3_000)
        #expect(try await dealer.option(.heartbeatTTL) == 5_000)
        #expect(try await dealer.option(.immediate) == 1)
        #expect(try await dealer.option(.maxMessageSize) == 4 << 20)
        #expect(try await dealer.routingID() == Data("worker-7".utf8))
        await context.terminate()
    }

    @Test("unset options keep libzmq's defaults; linger is bounded by default")
    func defaults() async throws {
        let context = try ZMQContext()
        let socket = try context.socket(.pull)
        #expect(try await socket.option(.linger) == 1_000)
        #expect(try await socket.option(.sendHighWaterMark) == 1_000)
        #expect(try await socket.option(.receiveHighWaterMark) == 1_000)
        #expect(try await socket.option(.heartbeatInterval) == 0)
        #expect(try await socket.option(.maxMessageSize) == -1)
        #expect(try await socket.routingID() == Data())
        await context.terminate()
    }

    @Test("durations are passed in whole milliseconds, rounding up; TTL in tenths of a second")
    func durationRounding() async throws {
        let context = try ZMQContext()
        let socket = try context.socket(.dealer, options: ZMQSocketOptions(
            reconnectInterval: .microseconds(1_500), heartbeatTTL: .milliseconds(2_550)
        ))
        #expect(try await socket.option(.reconnectInterval) == 2)
        #expect(try await socket.option(.heartbeatTTL) == 2_500)
        await context.terminate()
    }

    @Test("heartbeats on a live tcp connection keep it working")
    func heartbeatingConnection() async throws {
        let context = try ZMQContext()
        let heartbeats = ZMQSocketOptions(
            heartbeatInterval: .milliseconds(20), heartbeatTimeout: .seconds(5), heartbeatTTL: .seconds(5)
        )
        let router = try context.socket(.router, options: heartbeats)
        let endpoint = try await router.bind("tcp://127.0.0.1:*")
        let dealer = try context.socket(.dealer, options: heartbeats)
        try await dealer.connect(endpoint)
        try await dealer.send(frames("first"))
        let first = try await receive(router)
        // Several heartbeat intervals of silence, then traffic both ways still flows.
        try await Task.sleep(for: .milliseconds(200))
        try await router.send([first[0], Data("answer".utf8)])
        #expect(try await receive(dealer).map(text) == ["answer"])
        await context.terminate()
    }

    @Test("lastEndpoint reports the port a wildcard bind picked")
    func lastEndpoint() async throws {
        let context = try ZMQContext()
        let socket = try context.socket(.pull)
        let bound = try await socket.bind("tcp://127.0.0.1:*")
        let port = try #require(Int(bound.split(separator: ":").last ?? ""))
        #expect(port > 0)
        #expect(try await socket.lastEndpoint() == bound)
        #expect(ZMQLibrary.version.major == 4)
        await context.terminate()
    }
}
