import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import ProcessTestSupport
import RoleSupport
import Testing
import ZeroMQ
#if canImport(Glibc)
import Glibc
#endif

/// CURVE on the bus with real processes: `raisedash keys generate`, and the incident service
/// run with its keys, faced by an allowed client, a stranger's key and a plain client.
@Suite("Bus keys: real processes", .serialized)
struct BusKeysProcessTests {
    func generate(into directory: String, force: Bool = false) async throws -> ChildProcess {
        let child = try ChildProcess(arguments: ["keys", "generate", "--out", directory] + (force ? ["--force"] : []), environment: isolatedEnvironment())
        _ = await child.waitForExit(timeout: .seconds(20))
        return child
    }

    func read(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("keys generate writes valid pairs, secrets 0600, prints only public keys, and refuses to overwrite")
    func keysGenerate() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rd-keys-\(UUID().uuidString)").path
        let first = try await generate(into: directory)
        #expect(await first.waitForExit(timeout: .seconds(1)) == 0, "output:\n\(first.text)")
        var secrets: [String] = []
        for role in ["gateway", "incidents", "sender", "scheduler"] {
            let publicText = try read("\(directory)/\(role).key")
            let secretText = try read("\(directory)/\(role).key_secret")
            secrets.append(secretText)
            let secretKey = try #require(ZMQCurveKey(z85: secretText))
            #expect(try ZMQCurveKeyPair(secretKey: secretKey).publicKey.z85 == publicText)
            let mode = try FileManager.default.attributesOfItem(atPath: "\(directory)/\(role).key_secret")[.posixPermissions] as? Int
            #expect(mode == 0o600)
            #expect(first.text.contains(publicText))
            #expect(!first.text.contains(secretText), "a secret key was printed")
        }
        let incidentsAllowed = try read("\(directory)/incidents.allowed")
        #expect(incidentsAllowed.contains(try read("\(directory)/gateway.key")))
        #expect(incidentsAllowed.contains(try read("\(directory)/sender.key")))
        #expect(try read("\(directory)/scheduler.allowed").contains(try read("\(directory)/incidents.key")))

        let again = try await generate(into: directory)
        #expect(await again.waitForExit(timeout: .seconds(1)) == 1)
        #expect(again.text.contains("exists"))
        #expect(try read("\(directory)/gateway.key_secret") == secrets[0], "an existing key was overwritten")

        let forced = try await generate(into: directory, force: true)
        #expect(await forced.waitForExit(timeout: .seconds(1)) == 0)
        #expect(try read("\(directory)/gateway.key_secret") != secrets[0])
    }

    @Test("invalid key settings stop a role at start with one line that shows no key", arguments: [
        ("RAISEDASH_CURVE_SECRET_KEY_FILE", "missing"),
        ("RAISEDASH_CURVE_SECRET_KEY_FILE", "truncated"),
        ("RAISEDASH_CURVE_INCIDENTS_PUBLIC_KEY_FILE", "alone"),
        ("RAISEDASH_CURVE_ALLOWED_CLIENTS_FILE", "missing-for-incidents"),
    ])
    func invalidKeySettings(variable: String, problem: String) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rd-keys-\(UUID().uuidString)").path
        _ = try await generate(into: directory)
        let secret = try read("\(directory)/incidents.key_secret")
        var extra: [String: String]
        switch problem {
        case "missing":
            extra = [variable: "\(directory)/nope.key_secret"]
        case "alone":
            extra = [variable: "\(directory)/incidents.key"]
        case "missing-for-incidents":
            extra = ["RAISEDASH_CURVE_SECRET_KEY_FILE": "\(directory)/incidents.key_secret",
                     "RAISEDASH_CURVE_SCHEDULER_PUBLIC_KEY_FILE": "\(directory)/scheduler.key"]
        default:
            try String(secret.dropLast(3)).write(toFile: "\(directory)/short", atomically: true, encoding: .utf8)
            extra = [variable: "\(directory)/short"]
        }
        let child = try ChildProcess(arguments: ["incidents"], environment: isolatedEnvironment(extra: extra))
        let exit = await child.waitForExit(timeout: .seconds(10))
        #expect(exit == 2, "output:\n\(child.text)")
        let lines = child.text.split(separator: "\n")
        #expect(lines.count == 1, "expected one line, got:\n\(child.text)")
        #expect(lines.first?.contains(variable) == true, "output:\n\(child.text)")
        #expect(!child.text.contains(String(secret.prefix(30))))
    }

    @Test("the incident service with keys takes frames from an allowed key only; refusals are counted")
    func incidentsWithKeys() async throws {
        let keys = FileManager.default.temporaryDirectory.appendingPathComponent("rd-keys-\(UUID().uuidString)").path
        _ = try await generate(into: keys)
        let environment = isolatedEnvironment(extra: [
            "RAISEDASH_CURVE_SECRET_KEY_FILE": "\(keys)/incidents.key_secret",
            "RAISEDASH_CURVE_SCHEDULER_PUBLIC_KEY_FILE": "\(keys)/scheduler.key",
            "RAISEDASH_CURVE_ALLOWED_CLIENTS_FILE": "\(keys)/incidents.allowed",
        ])
        let incidents = try ChildProcess(arguments: ["incidents"], environment: environment)
        try await incidents.waitFor(line: "ready")
        let endpoint = try #require(environment["RAISEDASH_INBOUND_ENDPOINT"])
        let serverKey = try #require(ZMQCurveKey(z85: try read("\(keys)/incidents.key")))
        let gatewayPair = try ZMQCurveKeyPair(secretKey: try #require(ZMQCurveKey(z85: try read("\(keys)/gateway.key_secret"))))

        let context = try ZMQContext()
        func dealer(_ security: ZMQSecurity?) async throws -> ZMQSocket {
            var options = Bus.socketOptions(connects: true, security: security)
            // libzmq ends a connection refused at the handshake for good and does not reconnect:
            // a refused client's message may then have nowhere to queue, so its send gives up.
            options.sendTimeout = .seconds(2)
            let socket = try context.socket(.dealer, options: options)
            try await socket.connect(endpoint)
            return socket
        }
        // Not a valid event: an incident service that reads it logs "dropped a bad frame".
        let junk = [Data("junk".utf8)]
        let stranger = try await dealer(.curveClient(serverKey: serverKey, pair: try ZMQCurveKeyPair.generate()))
        let plain = try await dealer(nil)
        // Queued before the refusal, or given up after it: either way nothing gets through.
        try? await stranger.send(junk)
        try? await plain.send(junk)
        try await incidents.waitFor(line: "refused a bus peer")
        try await Task.sleep(for: .seconds(2))
        #expect(!incidents.text.contains("dropped a bad frame"), "a frame from a refused peer was read:\n\(incidents.text)")

        let port = try #require(environment["HTTP_PORT"])
        let (body, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/metrics")!)
        let metrics = String(decoding: body, as: UTF8.self)
        #expect(metrics.contains("raisedash_bus_refused_peers_total{role=\"incidents\"}"), "metrics:\n\(metrics)")

        let gateway = try await dealer(.curveClient(serverKey: serverKey, pair: gatewayPair))
        try await gateway.send(junk)
        try await incidents.waitFor(line: "dropped a bad frame")
        #expect(!incidents.text.contains(try read("\(keys)/incidents.key_secret")))
        await context.terminate()
        incidents.signal(SIGTERM)
        #expect(await incidents.waitForExit(timeout: .seconds(5)) == 0)
    }
}
