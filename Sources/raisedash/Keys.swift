import ArgumentParser
import Foundation
import ZeroMQ

/// `raisedash keys`: CURVE keys for the bus.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Make CURVE keys for the bus.",
        subcommands: [Generate.self])

    /// `raisedash keys generate --out DIR`: one key pair per role.
    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "generate",
            abstract: "Write a CURVE key pair per role (ROLE.key and ROLE.key_secret) and an allow-list.",
            discussion: """
                Writes gateway, incidents, sender and scheduler key pairs into DIR: ROLE.key holds \
                the public key, ROLE.key_secret the secret key (mode 0600). Also writes \
                incidents.allowed (the gateway's and the sender's public keys) and \
                scheduler.allowed (the incident service's public key) for \
                RAISEDASH_CURVE_ALLOWED_CLIENTS_FILE. Prints only public keys. Refuses to \
                overwrite existing files unless --force is given. See docs/operations.md.
                """)

        @Option(name: .long, help: ArgumentHelp("Directory for the key files (created if missing).", valueName: "dir"))
        var out: String

        @Option(name: .long, parsing: .upToNextOption, help: "Roles to make pairs for (default: all four).")
        var roles: [String] = ["gateway", "incidents", "sender", "scheduler"]

        @Flag(name: .long, help: "Overwrite existing key files.")
        var force = false

        func validate() throws {
            let known = Set(["gateway", "incidents", "sender", "scheduler"])
            if let unknown = roles.first(where: { !known.contains($0) }) {
                throw ValidationError("unknown role '\(unknown)': expected gateway, incidents, sender or scheduler")
            }
        }

        func run() async throws {
            let directory = URL(fileURLWithPath: out, isDirectory: true)
            var pairs: [(role: String, pair: ZMQCurveKeyPair)] = []
            for role in roles { pairs.append((role, try ZMQCurveKeyPair.generate())) }
            var files: [(name: String, text: String, secret: Bool)] = []
            for (role, pair) in pairs {
                files.append(("\(role).key", pair.publicKey.z85 + "\n", false))
                files.append(("\(role).key_secret", pair.secretKey.z85 + "\n", true))
            }
            func allowList(_ clients: [String]) -> String? {
                let lines = pairs.filter { clients.contains($0.role) }.map { "\($0.pair.publicKey.z85)  # \($0.role)\n" }
                return lines.isEmpty ? nil : lines.joined()
            }
            if roles.contains("incidents"), let text = allowList(["gateway", "sender"]) { files.append(("incidents.allowed", text, false)) }
            if roles.contains("scheduler"), let text = allowList(["incidents"]) { files.append(("scheduler.allowed", text, false)) }

            let manager = FileManager.default
            if !force, let existing = files.first(where: { manager.fileExists(atPath: directory.appendingPathComponent($0.name).path) }) {
                FileHandle.standardError.write(Data(
                    "raisedash keys: \(directory.appendingPathComponent(existing.name).path) exists; not overwriting keys (use --force to replace them)\n".utf8))
                throw ExitCode(1)
            }
            do {
                try manager.createDirectory(at: directory, withIntermediateDirectories: true)
                for file in files {
                    let path = directory.appendingPathComponent(file.name).path
                    try write(file.text, to: path, mode: file.secret ? 0o600 : 0o644)
                }
            } catch {
                FileHandle.standardError.write(Data("raisedash keys: cannot write into \(directory.path): \(error)\n".utf8))
                throw ExitCode(1)
            }
            for (role, pair) in pairs {
                print("\(role) public key: \(pair.publicKey.z85)")
            }
            print("wrote \(files.count) files into \(directory.path); keep the *.key_secret files secret")
        }

        /// Creates the file with `mode` from the start (no window in which a secret is readable
        /// by others), replacing an existing one.
        private func write(_ text: String, to path: String, mode: mode_t) throws {
            unlink(path)
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
            guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            defer { close(descriptor) }
            guard fchmod(descriptor, mode) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            let bytes = Array(text.utf8)
            guard Glibc.write(descriptor, bytes, bytes.count) == bytes.count else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        }
    }
}
