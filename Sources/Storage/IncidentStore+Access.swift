import Crypto
import Foundation
import GRDB
import HummingbirdBcrypt
import IncidentCore
import Timestamps

/// Who a request acts for: the platform (ADMIN_API_TOKEN: every company) or one company (a
/// company access key, or a dashboard session opened with one).
public enum AccessScope: Sendable, Equatable, Hashable {
    case platform
    case company(Int64)

    /// The company this scope is limited to; nil for the platform.
    public var companyID: Int64? {
        if case .company(let id) = self { return id }
        return nil
    }

    /// True when this scope may see and change `company`'s data.
    public func covers(company: Int64?) -> Bool {
        switch self {
        case .platform: true
        case .company(let own): company == own
        }
    }
}

/// A company access key as listed: never its secret.
public struct AccessKeyInfo: Sendable, Hashable {
    public var id: Int64
    public var companyID: Int64
    public var label: String
    /// The non-secret start of the key (`rdk_` and the lookup characters), to tell keys apart.
    public var prefix: String
    public var createdAt: Date
    public var lastUsedAt: Date?
    public var revokedAt: Date?

    public var isRevoked: Bool { revokedAt != nil }
}

/// A dashboard session: who it acts for and until when.
public struct DashboardSession: Sendable, Hashable {
    public var scope: AccessScope
    /// The key the session was opened with (nil for the platform token).
    public var keyID: Int64?
    public var createdAt: Date
    public var expiresAt: Date
}

/// The shape and the hashing of access secrets (keys, session tokens, activation codes).
public enum AccessSecrets {
    /// Company keys start with this; `rdk_` then 32 random bytes in base64url (43 characters).
    public static let keyPrefix = "rdk_"
    /// Dashboard session tokens: `rds_` then 32 random bytes in base64url.
    public static let sessionPrefix = "rds_"
    /// Characters after `rdk_` stored in clear to find a key's row.
    static let lookupLength = 10
    static let keyLength = keyPrefix.count + 43
    /// bcrypt's cost for company keys. The keys are 256 random bits, so the cost guards
    /// nothing against guessing; it is what the issue asks for, kept low enough that a login or
    /// an API call with a key costs a few tens of milliseconds.
    public static let bcryptCost: UInt8 = 10

    /// 32 random bytes, base64url without padding.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return base64url(bytes)
    }

    static func base64url(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Lower-case hex SHA-256 of `text`.
    static func sha256(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// True when `text` has the shape of a company key (it may still be wrong or revoked).
    public static func looksLikeKey(_ text: String) -> Bool {
        text.hasPrefix(keyPrefix) && text.utf8.count == keyLength
            && text.utf8.dropFirst(keyPrefix.utf8.count).allSatisfy(isBase64url)
    }

    /// A key's label: 1 to 100 characters, no control or bidirectional formatting characters.
    static func validateLabel(_ raw: String) throws(StoreError) -> String {
        let label = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...100).contains(label.unicodeScalars.count) else {
            throw StoreError.invalidInput("a key label has 1 to 100 characters")
        }
        if label.unicodeScalars.contains(where: { NameRules.isControl($0) || NameRules.isBidiControl($0) }) {
            throw StoreError.invalidInput("a key label may not contain control or bidirectional formatting characters")
        }
        return label
    }

    static func isBase64url(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || byte == 0x2D || byte == 0x5F
    }
}

extension IncidentStore {
    // MARK: Company access keys

    /// Creates an access key for `companyID`. The secret is returned once and never stored:
    /// only its bcrypt hash and its first characters (to find the row) are.
    public func createAccessKey(
        companyID: Int64, label: String, now: Date = Date()
    ) async throws(StoreError) -> (key: AccessKeyInfo, secret: String) {
        let label = try AccessSecrets.validateLabel(label)
        var secret = AccessSecrets.keyPrefix + AccessSecrets.randomToken()
        // bcrypt runs before the write transaction, so it never holds the writer.
        var hash = Bcrypt.hash(secret, cost: AccessSecrets.bcryptCost)
        let now = Timestamp.rounded(now)
        while true {
            let lookup = String(secret.dropFirst(AccessSecrets.keyPrefix.count).prefix(AccessSecrets.lookupLength))
            let attempt = (secret, hash)
            let created: AccessKeyInfo? = try await write { db in
                guard try db.row("SELECT 1 FROM companies WHERE id = ?", [companyID]) != nil else {
                    throw StoreError.notFound("company \(companyID)")
                }
                // 60 random bits: a clash is all but impossible, and answered by a new key.
                if try db.row("SELECT 1 FROM access_keys WHERE lookup = ?", [lookup]) != nil { return nil }
                try db.run(
                    "INSERT INTO access_keys (company_id, label, lookup, secret_hash, created_at) VALUES (?, ?, ?, ?, ?)",
                    [companyID, label, lookup, attempt.1, stamp(now)])
                return AccessKeyInfo(
                    id: db.lastInsertedRowID, companyID: companyID, label: label,
                    prefix: AccessSecrets.keyPrefix + lookup, createdAt: now, lastUsedAt: nil, revokedAt: nil)
            }
            if let created { return (created, secret) }
            secret = AccessSecrets.keyPrefix + AccessSecrets.randomToken()
            hash = Bcrypt.hash(secret, cost: AccessSecrets.bcryptCost)
        }
    }

    /// The keys of `companyID` (nil: of every company), oldest first, revoked ones included.
    public func accessKeys(companyID: Int64?) async throws(StoreError) -> [AccessKeyInfo] {
        try await read { db in
            let rows = if let companyID {
                try db.rows("SELECT * FROM access_keys WHERE company_id = ? ORDER BY id", [companyID])
            } else {
                try db.rows("SELECT * FROM access_keys ORDER BY id")
            }
            return try rows.map(Self.keyInfo)
        }
    }

    /// One key, or nil.
    public func accessKey(id: Int64) async throws(StoreError) -> AccessKeyInfo? {
        try await read { db in try db.row("SELECT * FROM access_keys WHERE id = ?", [id]).map(Self.keyInfo) }
    }

    /// Revokes a key and ends the dashboard sessions opened with it, in one transaction.
    /// False when there is no such key; revoking a revoked key changes nothing and is true.
    public func revokeAccessKey(id: Int64, now: Date = Date()) async throws(StoreError) -> Bool {
        let now = Timestamp.rounded(now)
        return try await write { db in
            guard try db.row("SELECT 1 FROM access_keys WHERE id = ?", [id]) != nil else { return false }
            try db.run("UPDATE access_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", [stamp(now), id])
            try db.run(
                "UPDATE dashboard_sessions SET ended_at = ? WHERE key_id = ? AND ended_at IS NULL", [stamp(now), id])
            return true
        }
    }

    /// The scope of a company key, or nil when it is malformed, unknown or revoked. One bcrypt
    /// verification at most (the row is found by the key's non-secret first characters).
    /// The platform token is not a key: its holder checks it.
    public func authenticate(secret: String, now: Date = Date()) async throws(StoreError) -> AccessScope? {
        try await authenticateKey(secret: secret, now: now).map { .company($0.companyID) }
    }

    /// As ``authenticate(secret:now:)``, with the key itself (its id opens a dashboard session).
    public func authenticateKey(secret: String, now: Date = Date()) async throws(StoreError) -> AccessKeyInfo? {
        guard AccessSecrets.looksLikeKey(secret) else { return nil }
        let lookup = String(secret.dropFirst(AccessSecrets.keyPrefix.count).prefix(AccessSecrets.lookupLength))
        let found = try await read { db -> (AccessKeyInfo, String)? in
            guard let row = try db.row("SELECT * FROM access_keys WHERE lookup = ? AND revoked_at IS NULL", [lookup])
            else { return nil }
            return (try Self.keyInfo(row), row["secret_hash"] as String)
        }
        guard let (key, hash) = found, Bcrypt.verify(secret, hash: hash) else { return nil }
        // Revoked between the read and now? The update is guarded, and says so.
        let now = Timestamp.rounded(now)
        let stillValid = try await write { db in
            guard try db.row("SELECT 1 FROM access_keys WHERE id = ? AND revoked_at IS NULL", [key.id]) != nil else {
                return false
            }
            // last_used_at moves at most once a minute: an API client does not write per call.
            try db.run(
                "UPDATE access_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)",
                [stamp(now), key.id, stamp(now.addingTimeInterval(-60))])
            return true
        }
        guard stillValid else { return nil }
        var used = key
        if used.lastUsedAt.map({ now.timeIntervalSince($0) >= 60 }) ?? true { used.lastUsedAt = now }
        return used
    }

    static func keyInfo(_ row: Row) throws -> AccessKeyInfo {
        AccessKeyInfo(
            id: row["id"], companyID: row["company_id"], label: row["label"],
            prefix: AccessSecrets.keyPrefix + (row["lookup"] as String), createdAt: try row.date("created_at"),
            lastUsedAt: try row.optionalDate("last_used_at"), revokedAt: try row.optionalDate("revoked_at"))
    }

    // MARK: Dashboard sessions

    /// Opens a dashboard session and returns its token (`rds_` + 32 random bytes, base64url);
    /// only the token's SHA-256 is stored. A company session names the key it was opened with
    /// (revoking that key ends it); `keyID` must be a live key of that company.
    public func createDashboardSession(
        scope: AccessScope, keyID: Int64?, lifetime: Duration, now: Date = Date()
    ) async throws(StoreError) -> String {
        guard lifetime > .zero else { throw StoreError.invalidInput("a session lasts longer than zero") }
        let token = AccessSecrets.sessionPrefix + AccessSecrets.randomToken()
        let hash = AccessSecrets.sha256(token)
        let now = Timestamp.rounded(now)
        let expires = now.addingTimeInterval(Double(lifetime.components.seconds) + Double(lifetime.components.attoseconds) / 1e18)
        try await write { db in
            switch scope {
            case .platform:
                guard keyID == nil else { throw StoreError.invalidInput("a platform session is opened without a company key") }
            case .company(let company):
                guard let keyID,
                    try db.row(
                        "SELECT 1 FROM access_keys WHERE id = ? AND company_id = ? AND revoked_at IS NULL",
                        [keyID, company]) != nil
                else { throw StoreError.invalidInput("a company session needs a live key of that company") }
            }
            try db.run(
                "INSERT INTO dashboard_sessions (token_hash, company_id, key_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                [hash, scope.companyID, keyID, stamp(now), stamp(expires)])
        }
        return token
    }

    /// The live session of `token`; nil when unknown, ended, expired or its key revoked.
    public func dashboardSession(token: String, now: Date = Date()) async throws(StoreError) -> DashboardSession? {
        guard token.hasPrefix(AccessSecrets.sessionPrefix), token.utf8.count < 200 else { return nil }
        let hash = AccessSecrets.sha256(token)
        let now = Timestamp.rounded(now)
        return try await read { db in
            guard let row = try db.row(
                """
                SELECT s.company_id, s.key_id, s.created_at, s.expires_at FROM dashboard_sessions s
                LEFT JOIN access_keys k ON k.id = s.key_id
                WHERE s.token_hash = ? AND s.ended_at IS NULL AND s.expires_at > ? AND k.revoked_at IS NULL
                """, [hash, stamp(now)])
            else { return nil }
            let company: Int64? = row["company_id"]
            return DashboardSession(
                scope: company.map { .company($0) } ?? .platform, keyID: row["key_id"],
                createdAt: try row.date("created_at"), expiresAt: try row.date("expires_at"))
        }
    }

    /// Ends a session (logout). Unknown or ended tokens change nothing.
    public func endDashboardSession(token: String, now: Date = Date()) async throws(StoreError) {
        let hash = AccessSecrets.sha256(token)
        let now = Timestamp.rounded(now)
        try await write { db in
            try db.run("UPDATE dashboard_sessions SET ended_at = ? WHERE token_hash = ? AND ended_at IS NULL", [stamp(now), hash])
        }
    }
}
