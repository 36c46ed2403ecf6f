import Foundation
import Testing
import ZeroMQ

/// CURVE over real tcp sockets: a server ROUTER with an allow-list, clients in another context
/// (as another process would be).
@Suite("CURVE")
struct CurveTests {
    struct Server {
        let context: ZMQContext
        let router: ZMQSocket
        let endpoint: String
        let authenticator: ZMQCurveAuthenticator
        let pair: ZMQCurveKeyPair
    }

    func server(
        allowing allowed: Set<ZMQCurveKey>, pair: ZMQCurveKeyPair? = nil, endpoint: String = "tcp://127.0.0.1:*"
    ) async throws -> Server {
        let context = try ZMQContext()
        let authenticator = try ZMQCurveAuthenticator(context: context, allowedClientKeys: allowed)
        let pair = try pair ?? ZMQCurveKeyPair.generate()
        let router = try context.socket(.router, options: ZMQSocketOptions(linger: .zero, security: .curveServer(secretKey: pair.secretKey)))
        let endpoint = try await router.bind(endpoint)
        return Server(context: context, router: router, endpoint: endpoint, authenticator: authenticator, pair: pair)
    }

    /// A DEALER in `context` connected to `server`. Sends give up after 2 s: libzmq 4.3 drops
    /// a connection whose handshake failed (a refused key, a plain client, a wrong server key)
    /// for good, taking the DEALER's only pipe with it, so a send that comes after the refusal
    /// can never be queued. Without a send timeout that send waits forever; whether it comes
    /// before or after the refusal is a race that load decides (these tests once hung the
    /// parallel run that way).
    func client(_ context: ZMQContext, to server: Server, pair: ZMQCurveKeyPair?) async throws -> ZMQSocket {
        let security = pair.map { ZMQSecurity.curveClient(serverKey: server.pair.publicKey, pair: $0) }
        let dealer = try context.socket(.dealer, options: ZMQSocketOptions(
            linger: .zero, reconnectInterval: .milliseconds(50), sendTimeout: .seconds(2), security: security))
        try await dealer.connect(server.endpoint)
        return dealer
    }

    /// Sends from a client the server must refuse. libzmq either queues the message (it is
    /// then discarded with the refused connection) or, once the connection was dropped, cannot
    /// queue it at all (EAGAIN after the send timeout); both mean nothing got through.
    func sendRefused(_ dealer: ZMQSocket, _ text: String) async throws {
        do {
            try await within(.seconds(20), "a refused client's send") { try await dealer.send([Data(text.utf8)]) }
        } catch let error as ZMQError where error.code == .wouldBlock {
        }
    }

    /// Terminates both contexts, failing (instead of hanging) if that does not finish.
    func terminate(_ clients: ZMQContext, _ server: Server) async throws {
        try await within(.seconds(30), "terminate the contexts") {
            await clients.terminate()
            await server.context.terminate()
        }
    }

    /// Sends "hello" from an allowed client and expects it at the server and the answer back.
    func expectExchange(_ server: Server, _ dealer: ZMQSocket) async throws {
        try await within(.seconds(20), "an allowed client's send") { try await dealer.send([Data("hello".utf8)]) }
        let received = try #require(try await within(.seconds(20), "the server receives") { try await server.router.receive(timeout: .seconds(10)) })
        #expect(received.count == 2)
        #expect(received.last == Data("hello".utf8))
        try await within(.seconds(20), "the server's answer") { try await server.router.send([received[0], Data("welcome".utf8)]) }
        let answer = try await within(.seconds(20), "the client receives") { try await dealer.receive(timeout: .seconds(10)) }
        #expect(answer == [Data("welcome".utf8)])
    }

    @Test("an allowed client key exchanges messages with the server")
    func allowedClient() async throws {
        let clientPair = try ZMQCurveKeyPair.generate()
        let server = try await server(allowing: [clientPair.publicKey])
        let clients = try ZMQContext()
        let dealer = try await client(clients, to: server, pair: clientPair)
        try await within(.seconds(30), "exchange") { try await expectExchange(server, dealer) }
        #expect(server.authenticator.refusedCount == 0)
        try await terminate(clients, server)
    }

    @Test("frames from an unknown client key never arrive, and the refusal is counted")
    func unknownKey() async throws {
        let allowedPair = try ZMQCurveKeyPair.generate()
        let server = try await server(allowing: [allowedPair.publicKey])
        let clients = try ZMQContext()
        let stranger = try await client(clients, to: server, pair: try ZMQCurveKeyPair.generate())
        try await sendRefused(stranger, "fake chat migration")
        let leaked = try await within(.seconds(20), "the server hears nothing") { try await server.router.receive(timeout: .milliseconds(1500)) }
        #expect(leaked == nil)
        #expect(server.authenticator.refusedCount >= 1)
        // The server still serves the allowed key, so the silence above was the refusal.
        let friend = try await client(clients, to: server, pair: allowedPair)
        try await within(.seconds(30), "exchange") { try await expectExchange(server, friend) }
        try await terminate(clients, server)
    }

    @Test("a refused client gets through on the same socket once the restarted server allows its key")
    func refusedThenAllowed() async throws {
        let serverPair = try ZMQCurveKeyPair.generate()
        let latePair = try ZMQCurveKeyPair.generate()
        let first = try await server(allowing: [try ZMQCurveKeyPair.generate().publicKey], pair: serverPair)
        let clients = try ZMQContext()
        let dealer = try await client(clients, to: first, pair: latePair)
        try await sendRefused(dealer, "too early")
        try await within(.seconds(20), "the refusal") {
            while first.authenticator.refusedCount == 0 { try await Task.sleep(for: .milliseconds(20)) }
        }
        // The operator adds the key to the allow-list and restarts the server (rotation, step 2).
        try await within(.seconds(30), "stop the first server") { await first.context.terminate() }
        let second = try await server(allowing: [latePair.publicKey], pair: serverPair, endpoint: first.endpoint)
        // libzmq alone never reconnects a session whose handshake failed; the socket's watch
        // does, after its back-off (1 s, then 2 s, ...).
        // What the refused connection had queued may come first: it was kept for the new one.
        let received = try await within(.seconds(45), "the late key's message arrives") { () async throws -> [Data] in
            var texts: [Data] = []
            while !texts.contains(Data("after the restart".utf8)) {
                do {
                    try await dealer.send([Data("after the restart".utf8)])
                } catch let error as ZMQError where error.code == .wouldBlock {
                    continue  // no connection yet: the send timed out
                }
                while let message = try await second.router.receive(timeout: .seconds(3)) { texts.append(message.last ?? Data()) }
            }
            return texts
        }
        #expect(Set(received).isSubset(of: [Data("too early".utf8), Data("after the restart".utf8)]))
        #expect(second.authenticator.refusedCount == 0)
        try await terminate(clients, second)
    }

    @Test("a plain client cannot talk to a CURVE server")
    func plainClient() async throws {
        let allowedPair = try ZMQCurveKeyPair.generate()
        let server = try await server(allowing: [allowedPair.publicKey])
        let clients = try ZMQContext()
        let plain = try await client(clients, to: server, pair: nil)
        try await sendRefused(plain, "plain")
        let leaked = try await within(.seconds(20), "the server hears nothing") { try await server.router.receive(timeout: .milliseconds(1500)) }
        #expect(leaked == nil)
        let friend = try await client(clients, to: server, pair: allowedPair)
        try await within(.seconds(30), "exchange") { try await expectExchange(server, friend) }
        try await terminate(clients, server)
    }

    @Test("a client that trusts another server key never reaches the server")
    func wrongServerKey() async throws {
        let clientPair = try ZMQCurveKeyPair.generate()
        let server = try await server(allowing: [clientPair.publicKey])
        let impostor = Server(context: server.context, router: server.router, endpoint: server.endpoint,
                              authenticator: server.authenticator, pair: try ZMQCurveKeyPair.generate())
        let clients = try ZMQContext()
        let dealer = try await client(clients, to: impostor, pair: clientPair)
        try await sendRefused(dealer, "hello")
        let leaked = try await within(.seconds(20), "the server hears nothing") { try await server.router.receive(timeout: .milliseconds(1500)) }
        #expect(leaked == nil)
        try await terminate(clients, server)
    }

    @Test("keys round-trip through Z85; bad text is refused; a secret key gives its public key")
    func keys() throws {
        let pair = try ZMQCurveKeyPair.generate()
        #expect(pair.publicKey.z85.count == 40)
        #expect(ZMQCurveKey(z85: pair.publicKey.z85 + "\n") == pair.publicKey)
        #expect(try ZMQCurveKeyPair(secretKey: pair.secretKey).publicKey == pair.publicKey)
        #expect(ZMQCurveKey(z85: String(pair.publicKey.z85.dropLast())) == nil)
        #expect(ZMQCurveKey(z85: String(repeating: "\"", count: 40)) == nil)
        #expect("\(pair.secretKey)" == "<curve key>")
    }
}
