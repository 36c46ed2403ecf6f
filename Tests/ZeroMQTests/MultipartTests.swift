import Foundation
import Testing
import ZeroMQ

@Suite("Multipart messages")
struct MultipartTests {
    /// Empty frames at both ends and in the middle, a one-byte frame, and a 1 MiB frame.
    static func sample() -> [Data] {
        var large = Data(count: 1 << 20)
        for index in large.indices { large[index] = UInt8(truncatingIfNeeded: index &* 31 &+ 7) }
        return [Data(), Data([0x2A]), Data(), large, Data("end".utf8), Data()]
    }

    @Test("frames survive PUSH/PULL unchanged", arguments: Transport.allCases)
    func pushPullRoundTrip(transport: Transport) async throws {
        let endpoints = try Endpoints(transport)
        defer { endpoints.removeFiles() }
        let context = try ZMQContext()
        let pull = try context.socket(.pull)
        let endpoint = try await pull.bind(endpoints.bindable())
        let push = try context.socket(.push)
        try await push.connect(endpoint)

        let message = Self.sample()
        try await push.send(message)
        try await push.send([Data()])
        let received = try await receive(pull)
        #expect(received.count == message.count)
        #expect(received == message)
        #expect(try await receive(pull) == [Data()])
        try await within(.seconds(30), "terminate") { await context.terminate() }
    }

    @Test("frames survive DEALER -> ROUTER -> DEALER, behind the routing id", arguments: Transport.allCases)
    func dealerRouterRoundTrip(transport: Transport) async throws {
        let endpoints = try Endpoints(transport)
        defer { endpoints.removeFiles() }
        let context = try ZMQContext()
        let router = try context.socket(.router)
        let endpoint = try await router.bind(endpoints.bindable())
        let dealer = try context.socket(.dealer, options: ZMQSocketOptions(routingID: Data("d1".utf8)))
        try await dealer.connect(endpoint)

        let message = Self.sample()
        try await dealer.send(message)
        let atRouter = try await receive(router)
        #expect(atRouter.first == Data("d1".utf8))
        #expect(Array(atRouter.dropFirst()) == message)
        try await router.send(atRouter)  // echo back: the identity frame routes it
        #expect(try await receive(dealer) == message)
        try await within(.seconds(30), "terminate") { await context.terminate() }
    }

    @Test("byte-array frames are accepted as well as Data")
    func byteArrayFrames() async throws {
        let context = try ZMQContext()
        let pull = try context.socket(.pull)
        let endpoint = try await pull.bind("inproc://bytes-\(UUID().uuidString)")
        let push = try context.socket(.push)
        try await push.connect(endpoint)
        let bytes: [[UInt8]] = [[1, 2, 3], [], [255]]
        try await push.send(bytes)
        #expect(try await receive(pull) == [Data([1, 2, 3]), Data(), Data([255])])
        try await within(.seconds(30), "terminate") { await context.terminate() }
    }
}
