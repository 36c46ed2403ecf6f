import Foundation
import Testing
import ZeroMQ

@Suite("Socket patterns over inproc, ipc and tcp")
struct PatternTests {
    @Test("PUSH/PULL delivers every message in order", arguments: Transport.allCases)
    func pushPull(transport: Transport) async throws {
        let endpoints = try Endpoints(transport)
        defer { endpoints.removeFiles() }
        let context = try ZMQContext()
        let pull = try context.socket(.pull)
        let endpoint = try await pull.bind(endpoints.bindable())
        let push = try context.socket(.push)
        try await push.connect(endpoint)

        for index in 0..<100 {
            try await push.send(frames("job", String(index)))
        }
        var received: [String] = []
        for _ in 0..<100 {
            let message = try await receive(pull)
            #expect(message.count == 2)
            #expect(text(message[0]) == "job")
            received.append(text(message[1]))
        }
        #expect(received == (0..<100).map(String.init))
        try await within(.seconds(30), "terminate") { await context.terminate() }
    }

    @Test("PUB/SUB delivers only subscribed prefixes", arguments: Transport.allCases)
    func pubSubFiltering(transport: Transport) async throws {
        let endpoints = try Endpoints(transport)
        defer { endpoints.removeFiles() }
        let context = try ZMQContext()
        let pub = try context.socket(.pub)
        let endpoint = try await pub.bind(endpoints.bindable())
        let sub = try context.socket(.sub)
        try await sub.subscribe(to: "tick.")
        try await sub.connect(endpoint)

        // A subscription reaches the publisher asynchronously ("slow joiner"); until then PUB
        // drops. Publish a marker until the subscriber sees one, plus filtered noise.
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    try await pub.send(frames("tock.noise"))
                    try await pub.send(frames("tick.ready"))
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
            let first = try await receive(sub, "the first subscribed message")
            #expect(text(first[0]) == "tick.ready")
            group.cancelAll()
            try? await group.waitForAll()
        }

        for message in ["tock.1", "tick.1", "tock.2", "tick.2", "tick.end"] {
            try await pub.send(frames(message, "payload"))
        }
        var received: [String] = []
        while true {
            let message = try await receive(sub, "tick.end")
            let topic = text(message[0])
            #expect(!topic.hasPrefix("tock"), "unsubscribed topic delivered: \(topic)")
            if topic == "tick.ready" { continue }
            #expect(message.count == 2)
            received.append(topic)
            if topic == "tick.end" { break }
        }
        #expect(received == ["tick.1", "tick.2", "tick.end"])
        try await within(.seconds(30), "terminate") { await context.terminate() }
    }

    @Test("DEALER/ROUTER: the router sees each dealer's routing id and replies reach the right dealer",
          arguments: Transport.allCases)
    func dealerRouter(transport: Transport) async throws {
        let endpoints = try Endpoints(transport)
        defer { endpoints.removeFiles() }
        let context = try ZMQContext()
        let router = try context.socket(.router, options: ZMQSocketOptions(routerMandatory: true))
        let endpoint = try await router.bind(endpoints.bindable())

        var dealers: [String: ZMQSocket] = [:]
        for name in ["alpha", "beta", "gamma"] {
            let dealer = try context.socket(.dealer, options: ZMQSocketOptions(routingID: Data(name.utf8)))
            try await dealer.connect(endpoint)
            dealers[name] = dealer
        }
        for (name, dealer) in dealers {
            try await dealer.send(frames("request from \(name)"))
        }

        var seen: Set<String> = []
        for _ in 0..<dealers.count {
            let request = try await receive(router, "a request")
            try #require(request.count == 2)
            let identity = text(request[0])
            #expect(text(request[1]) == "request from \(identity)")
            seen.insert(identity)
            try await router.send([request[0], Data("reply to \(identity)".utf8)])
        }
        #expect(seen == Set(dealers.keys))

        for (name, dealer) in dealers {
            let reply = try await receive(dealer, "reply for \(name)")
            #expect(reply.map(text) == ["reply to \(name)"])
        }
        try await within(.seconds(30), "terminate") { await context.terminate() }
    }

    @Test("REQ/REP alternate request and reply", arguments: Transport.allCases)
    func requestReply(transport: Transport) async throws {
        let endpoints = try Endpoints(transport)
        defer { endpoints.removeFiles() }
        let context = try ZMQContext()
        let rep = try context.socket(.rep)
        let endpoint = try await rep.bind(endpoints.bindable())
        let req = try context.socket(.req)
        try await req.connect(endpoint)

        for round in 0..<3 {
            try await req.send(frames("ping \(round)"))
            let request = try await receive(rep)
            #expect(request.map(text) == ["ping \(round)"])
            try await rep.send(frames("pong \(round)"))
            let reply = try await receive(req)
            #expect(reply.map(text) == ["pong \(round)"])
        }
        try await within(.seconds(30), "terminate") { await context.terminate() }
    }
}
