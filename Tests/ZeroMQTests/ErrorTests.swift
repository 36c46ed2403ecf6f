import Foundation
import Testing
import ZeroMQ

@Suite("Failures become typed errors with errno text")
struct ErrorTests {
    struct BadEndpoint: Sendable, CustomTestStringConvertible {
        let endpoint: String
        let code: ZMQError.Code
        let reason: String
        var testDescription: String { endpoint.debugDescription }
    }

    static let badEndpoints = [
        BadEndpoint(endpoint: "tcp://", code: .invalidArgument, reason: "Invalid argument"),
        BadEndpoint(endpoint: "tcp://127.0.0.1:notaport", code: .invalidArgument, reason: "Invalid argument"),
        BadEndpoint(endpoint: "tcp://127.0.0.1", code: .invalidArgument, reason: "Invalid argument"),
        BadEndpoint(endpoint: "no transport at all", code: .invalidArgument, reason: "Invalid argument"),
        BadEndpoint(endpoint: "inproc://", code: .invalidArgument, reason: "Invalid argument"),
        BadEndpoint(endpoint: "carrier-pigeon://coop", code: .protocolNotSupported, reason: "Protocol not supported"),
        BadEndpoint(endpoint: "tcp://127.0.0.1:1\u{0}", code: .invalidArgument, reason: "Invalid argument"),
    ]

    @Test("bind to a malformed endpoint fails with errno and its text", arguments: badEndpoints)
    func malformedBind(bad: BadEndpoint) async throws {
        let context = try ZMQContext()
        let socket = try context.socket(.pull)
        let error = try await #require(throws: ZMQError.self) { try await socket.bind(bad.endpoint) }
        #expect(error.code == bad.code)
        #expect(error.reason == bad.reason)
        #expect(error.operation == .bind)
        #expect(error.description == "bind: \(bad.reason)")
        // The socket is still usable after a refused bind.
        let endpoint = try await socket.bind("tcp://127.0.0.1:*")
        #expect(endpoint.hasPrefix("tcp://127.0.0.1:"))
        await context.terminate()
    }

    @Test("connect with an unknown or malformed transport fails", arguments: [
        BadEndpoint(endpoint: "carrier-pigeon://coop", code: .protocolNotSupported, reason: "Protocol not supported"),
        BadEndpoint(endpoint: "tcp://", code: .invalidArgument, reason: "Invalid argument"),
        BadEndpoint(endpoint: "ipc://", code: .invalidArgument, reason: "Invalid argument"),
    ])
    func badConnect(bad: BadEndpoint) async throws {
        let context = try ZMQContext()
        let socket = try context.socket(.push)
        let error = try await #require(throws: ZMQError.self) { try await socket.connect(bad.endpoint) }
        #expect(error.code == bad.code)
        #expect(error.reason == bad.reason)
        #expect(error.operation == .connect)
        #expect(error.subject == bad.endpoint)
        await context.terminate()
    }

    @Test("binding an address already bound fails with EADDRINUSE")
    func addressInUse() async throws {
        let context = try ZMQContext()
        let first = try context.socket(.pull)
        let endpoint = try await first.bind("tcp://127.0.0.1:*")
        let second = try context.socket(.pull)
        let error = try await #require(throws: ZMQError.self) { try await second.bind(endpoint) }
        #expect(error.code == .addressInUse)
        #expect(error.reason == "Address already in use")
        await context.terminate()
    }

    @Test("unbinding an endpoint that is not bound fails with ENOENT")
    func unbindUnknown() async throws {
        let context = try ZMQContext()
        let socket = try context.socket(.pull)
        let bound = try await socket.bind("tcp://127.0.0.1:*")
        try await socket.unbind(bound)
        let error = try await #require(throws: ZMQError.self) { try await socket.unbind(bound) }
        #expect(error.code == .noSuchEntry)
        #expect(error.operation == .unbind)
        await context.terminate()
    }

    @Test("ROUTER with routerMandatory refuses an unknown routing id with EHOSTUNREACH")
    func routerMandatoryUnknownPeer() async throws {
        let context = try ZMQContext()
        let router = try context.socket(.router, options: ZMQSocketOptions(routerMandatory: true))
        try await router.bind("inproc://mandatory-\(UUID().uuidString)")
        let error = try await #require(throws: ZMQError.self) {
            try await router.send(frames("nobody", "hello"))
        }
        #expect(error.code == .hostUnreachable)
        #expect(error.operation == .send)
        #expect(error.reason == "Host unreachable")
        await context.terminate()
    }

    @Test("a send that cannot be queued within sendTimeout fails with EAGAIN")
    func sendTimeout() async throws {
        let context = try ZMQContext()
        // No peer ever connects, so PUSH has nowhere to queue the message.
        let push = try context.socket(.push, options: ZMQSocketOptions(sendTimeout: .milliseconds(100)))
        try await push.bind("inproc://lonely-\(UUID().uuidString)")
        let error = try await within(.seconds(20), "send timeout") {
            try await #require(throws: ZMQError.self) { try await push.send(frames("anyone?")) }
        }
        #expect(error.code == .wouldBlock)
        #expect(error.reason == "Resource temporarily unavailable")

        let once = try context.socket(.push, options: ZMQSocketOptions(sendTimeout: .zero))
        let immediate = try await #require(throws: ZMQError.self) { try await once.send(frames("now")) }
        #expect(immediate.code == .wouldBlock)
        await context.terminate()
    }

    @Test("bad calls are refused with a clear error and change nothing")
    func refusedCalls() async throws {
        let context = try ZMQContext()
        let pull = try context.socket(.pull)
        let endpoint = try await pull.bind("inproc://refused-\(UUID().uuidString)")

        let noFrames = try await #require(throws: ZMQError.self) { try await pull.send([Data]()) }
        #expect(noFrames.code == .invalidArgument)

        let sendOnPull = try await #require(throws: ZMQError.self) { try await pull.send(frames("x")) }
        #expect(sendOnPull.code == .notSupported)

        let subscribeOnPull = try await #require(throws: ZMQError.self) { try await pull.subscribe(to: "x") }
        #expect(subscribeOnPull.code == .invalidArgument)
        #expect(subscribeOnPull.operation == .subscribe)

        // The socket still works.
        let push = try context.socket(.push)
        try await push.connect(endpoint)
        try await push.send(frames("still fine"))
        #expect(try await receive(pull).map(text) == ["still fine"])
        await context.terminate()
    }

    @Test("invalid option values are refused when the socket is created, naming the option")
    func invalidOptions() throws {
        let context = try ZMQContext()
        let cases: [(ZMQSocketType, ZMQSocketOptions, String)] = [
            (.push, ZMQSocketOptions(sendHighWaterMark: -1), "ZMQ_SNDHWM"),
            (.push, ZMQSocketOptions(linger: .milliseconds(-5)), "ZMQ_LINGER"),
            (.push, ZMQSocketOptions(heartbeatTTL: .seconds(100_000)), "ZMQ_HEARTBEAT_TTL"),
            (.dealer, ZMQSocketOptions(routingID: Data()), "ZMQ_ROUTING_ID"),
            (.dealer, ZMQSocketOptions(routingID: Data([0, 1])), "ZMQ_ROUTING_ID"),
            (.dealer, ZMQSocketOptions(routingID: Data(count: 256)), "ZMQ_ROUTING_ID"),
            (.pull, ZMQSocketOptions(routerMandatory: true), "ZMQ_ROUTER_MANDATORY"),
        ]
        for (type, options, name) in cases {
            let error = try #require(throws: ZMQError.self) { try context.socket(type, options: options) }
            #expect(error.code == .invalidArgument, "\(name)")
            #expect(error.operation == .setOption)
            #expect(error.subject == name)
        }
        let threads = try #require(throws: ZMQError.self) { try ZMQContext(ioThreads: 0) }
        #expect(threads.code == .invalidArgument)
    }

    @Test("operations on a closed socket fail with ENOTSOCK")
    func closedSocket() async throws {
        let context = try ZMQContext()
        let socket = try context.socket(.dealer)
        await socket.close()
        await socket.close()  // idempotent
        let send = try await #require(throws: ZMQError.self) { try await socket.send(frames("late")) }
        #expect(send.code == .socketClosed)
        let bind = try await #require(throws: ZMQError.self) { try await socket.bind("tcp://127.0.0.1:*") }
        #expect(bind.code == .socketClosed)
        #expect(bind.operation == .bind)
        #expect(try await socket.receive() == nil)
        await context.terminate()

        let afterTerminate = try #require(throws: ZMQError.self) { try context.socket(.push) }
        #expect(afterTerminate.code == .contextTerminated)
        #expect(afterTerminate.reason == "Context was terminated")
    }
}
