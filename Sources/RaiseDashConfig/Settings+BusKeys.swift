import Foundation

/// CURVE keys for the bus, read from files named by `RAISEDASH_CURVE_*` (docs/operations.md,
/// "Bus keys"). Keys are 40 characters of Z85, as `raisedash keys generate` writes them.
public struct BusKeys: Sendable, Equatable {
    /// RAISEDASH_CURVE_SECRET_KEY_FILE: this role's secret key (its public key is derived).
    public var secretKey: Secret
    /// RAISEDASH_CURVE_INCIDENTS_PUBLIC_KEY_FILE: the incident service's public key, for the
    /// gateway and the sender.
    public var incidentsPublicKey: String?
    /// RAISEDASH_CURVE_SCHEDULER_PUBLIC_KEY_FILE: the scheduler's public key, for the incident
    /// service.
    public var schedulerPublicKey: String?
    /// RAISEDASH_CURVE_ALLOWED_CLIENTS_FILE: the client public keys a binding role (incidents,
    /// scheduler) accepts, one per line; a line starting with `#`, or `#` after the key and a
    /// space, is a comment.
    public var allowedClientKeys: [String]?

    /// The roles, for what each one needs.
    public enum Role: String, Sendable {
        case gateway, incidents, sender, scheduler
    }

    static let secretVariable = "RAISEDASH_CURVE_SECRET_KEY_FILE"
    static let incidentsVariable = "RAISEDASH_CURVE_INCIDENTS_PUBLIC_KEY_FILE"
    static let schedulerVariable = "RAISEDASH_CURVE_SCHEDULER_PUBLIC_KEY_FILE"
    static let allowedVariable = "RAISEDASH_CURVE_ALLOWED_CLIENTS_FILE"

    /// Reads and checks the files; nil when no `RAISEDASH_CURVE_*` variable is set (plain links).
    static func load(_ raw: (String) -> String?) throws(SettingsError) -> BusKeys? {
        let names = [secretVariable, incidentsVariable, schedulerVariable, allowedVariable]
        guard names.contains(where: { raw($0) != nil }) else { return nil }
        guard let secretPath = raw(secretVariable) else {
            let set = names.filter { raw($0) != nil }.joined(separator: ", ")
            throw SettingsError(
                variable: secretVariable, shownValue: "(unset)",
                expected: "the role's secret key file, since \(set) is set (set all the role's keys or none)")
        }
        let secret = try key(in: secretPath, variable: secretVariable, secret: true)
        let incidents = try raw(incidentsVariable).map { path throws(SettingsError) in try key(in: path, variable: incidentsVariable, secret: false) }
        let scheduler = try raw(schedulerVariable).map { path throws(SettingsError) in try key(in: path, variable: schedulerVariable, secret: false) }
        let allowed = try raw(allowedVariable).map { path throws(SettingsError) in try allowList(in: path) }
        return BusKeys(secretKey: Secret(secret), incidentsPublicKey: incidents, schedulerPublicKey: scheduler, allowedClientKeys: allowed)
    }

    /// Fails with the one line naming the variable a role needs and lacks.
    public func check(for role: Role) throws(SettingsError) {
        let needed: [(String, Bool)] = switch role {
        case .gateway, .sender: [(Self.incidentsVariable, incidentsPublicKey != nil)]
        case .incidents: [(Self.allowedVariable, allowedClientKeys != nil), (Self.schedulerVariable, schedulerPublicKey != nil)]
        case .scheduler: [(Self.allowedVariable, allowedClientKeys != nil)]
        }
        for (variable, present) in needed where !present {
            throw SettingsError(
                variable: variable, shownValue: "(unset)",
                expected: "a key file for the \(role.rawValue), since \(Self.secretVariable) is set (set all the role's keys or none)")
        }
    }

    private static func contents(of path: String, variable: String) throws(SettingsError) -> String {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw SettingsError(variable: variable, shownValue: path, expected: "a readable key file")
        }
        return text
    }

    private static func key(in path: String, variable: String, secret: Bool) throws(SettingsError) -> String {
        let text = try contents(of: path, variable: variable).trimmingCharacters(in: .whitespacesAndNewlines)
        guard isZ85Key(text) else {
            // The path only: a secret key file's content is never shown.
            throw SettingsError(
                variable: variable, shownValue: path,
                expected: "a file holding one \(secret ? "secret" : "public") key of 40 Z85 characters, as `raisedash keys generate` writes")
        }
        return text
    }

    private static func allowList(in path: String) throws(SettingsError) -> [String] {
        var keys: [String] = []
        for (number, line) in try contents(of: path, variable: allowedVariable).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            // Z85 uses `#` inside keys (never as a key's first character), so a comment is a
            // line starting with `#`, or `#` after the key and a space.
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            guard let first = words.first, !first.hasPrefix("#") else { continue }
            let key = String(first)
            guard isZ85Key(key), words.count == 1 || words[1].hasPrefix("#") else {
                throw SettingsError(
                    variable: allowedVariable, shownValue: "\(path) line \(number + 1)",
                    expected: "one public key of 40 Z85 characters per line (# starts a comment)")
            }
            keys.append(key)
        }
        guard !keys.isEmpty else {
            throw SettingsError(variable: allowedVariable, shownValue: path, expected: "at least one client public key")
        }
        return keys
    }

    /// The Z85 alphabet (ZeroMQ RFC 32), in digit order.
    static let z85Digits = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#")

    /// 40 Z85 characters whose five-character groups each stay below 2^32 (a 32-byte key).
    static func isZ85Key(_ text: String) -> Bool {
        let characters = Array(text)
        guard characters.count == 40 else { return false }
        for group in stride(from: 0, to: 40, by: 5) {
            var value: UInt64 = 0
            for character in characters[group..<group + 5] {
                guard let digit = z85Digits.firstIndex(of: character) else { return false }
                value = value * 85 + UInt64(digit)
            }
            if value > UInt64(UInt32.max) { return false }
        }
        return true
    }
}
