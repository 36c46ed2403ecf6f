import Foundation
import Testing
@testable import RaiseDashConfig

/// The `RAISEDASH_CURVE_*` settings: files are read and checked at start; some set but not all
/// is refused; a secret key is never shown.
@Suite("Bus keys settings")
struct BusKeysTests {
    /// The key pair of the ZeroMQ CURVE examples (zmq_curve(7)).
    static let publicKey = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"
    static let secretKey = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs"

    /// Z85 uses `#` as a digit: a public key `raisedash keys generate` once wrote.
    static let keyWithHash = "(:FFY]CHR7[S<6FL2UfqDj#@[n42Vd!Los2xgVoH"

    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("buskeys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func file(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    @Test func noneSetMeansPlainLinks() throws {
        #expect(try Settings(lookup: { _ in nil }).busKeys == nil)
    }

    @Test func allSetAreRead() throws {
        let settings = try Settings(lookup: [
            "RAISEDASH_CURVE_SECRET_KEY_FILE": try file("incidents.key_secret", Self.secretKey + "\n"),
            "RAISEDASH_CURVE_SCHEDULER_PUBLIC_KEY_FILE": try file("scheduler.key", Self.publicKey),
            "RAISEDASH_CURVE_ALLOWED_CLIENTS_FILE": try file("allowed", "# clients\n\(Self.publicKey)  # gateway\n\n\(Self.keyWithHash)\n"),
        ].lookup)
        let keys = try #require(settings.busKeys)
        #expect(keys.secretKey.value == Self.secretKey)
        #expect(keys.schedulerPublicKey == Self.publicKey)
        #expect(keys.allowedClientKeys == [Self.publicKey, Self.keyWithHash])
        try keys.check(for: .incidents)
        try keys.check(for: .scheduler)
        #expect(throws: SettingsError.self) { try keys.check(for: .gateway) }
    }

    @Test func aRoleMissingOneOfItsKeysIsRefused() throws {
        let keys = try #require(try Settings(lookup: [
            "RAISEDASH_CURVE_SECRET_KEY_FILE": try file("s", Self.secretKey),
            "RAISEDASH_CURVE_SCHEDULER_PUBLIC_KEY_FILE": try file("p", Self.publicKey),
        ].lookup).busKeys)
        do {
            try keys.check(for: .incidents)
            Issue.record("incidents without an allow-list was accepted")
        } catch {
            #expect(error.variable == "RAISEDASH_CURVE_ALLOWED_CLIENTS_FILE")
        }
    }

    @Test func aPublicKeyWithoutTheSecretIsRefused() throws {
        let lookup = ["RAISEDASH_CURVE_INCIDENTS_PUBLIC_KEY_FILE": try file("p", Self.publicKey)].lookup
        do {
            _ = try Settings(lookup: lookup)
            Issue.record("accepted")
        } catch {
            #expect(error.variable == "RAISEDASH_CURVE_SECRET_KEY_FILE")
            #expect(error.description.contains("RAISEDASH_CURVE_INCIDENTS_PUBLIC_KEY_FILE"))
        }
    }

    @Test("bad key files stop with one line naming the file, never the secret")
    func badFiles() throws {
        let cases: [(String, String)] = [
            (directory.appendingPathComponent("missing").path, "a readable key file"),
            (try file("short", String(Self.secretKey.dropLast())), "40 Z85 characters"),
            (try file("notz85", String(repeating: "\"", count: 40)), "40 Z85 characters"),
            (try file("toobig", String(repeating: "#", count: 40)), "40 Z85 characters"),
        ]
        for (path, expected) in cases {
            do {
                _ = try Settings(lookup: ["RAISEDASH_CURVE_SECRET_KEY_FILE": path].lookup)
                Issue.record("accepted \(path)")
            } catch {
                #expect(error.variable == "RAISEDASH_CURVE_SECRET_KEY_FILE")
                #expect(error.shownValue == path)
                #expect(error.description.contains(expected))
                #expect(!error.description.contains(String(Self.secretKey.prefix(20))))
            }
        }
    }

    @Test func aBadAllowListLineIsNamed() throws {
        let lookup = [
            "RAISEDASH_CURVE_SECRET_KEY_FILE": try file("s", Self.secretKey),
            "RAISEDASH_CURVE_ALLOWED_CLIENTS_FILE": try file("allowed", "\(Self.publicKey)\nnot a key\n"),
        ].lookup
        do {
            _ = try Settings(lookup: lookup)
            Issue.record("accepted")
        } catch {
            #expect(error.variable == "RAISEDASH_CURVE_ALLOWED_CLIENTS_FILE")
            #expect(error.shownValue.hasSuffix("line 2"))
        }
    }
}
