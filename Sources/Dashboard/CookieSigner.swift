import Crypto
import Foundation
import IncidentCore
import Synchronization

/// Who a dashboard session acts for: the platform (every company; it picks one to look at)
/// or one company.
public enum DashboardScope: Sendable, Equatable {
    case platform
    case company(CompanyID)
}

/// A live dashboard session as the access store keeps it.
public struct DashboardSessionInfo: Sendable, Equatable {
    public var scope: DashboardScope
    public var expiresAt: Date

    public init(scope: DashboardScope, expiresAt: Date) {
        self.scope = scope
        self.expiresAt = expiresAt
    }
}

/// Where keys are checked and sessions kept: the store (company access keys, sessions in the
/// database; see docs/dashboard.md). The platform key (ADMIN_API_TOKEN) is checked by the
/// dashboard itself and never reaches `authenticate`.
public protocol DashboardAccess: Sendable {
    /// The scope of a company access key, or nil for a wrong, unknown or revoked one.
    func authenticate(secret: String) async throws -> (scope: DashboardScope, keyID: Int64?)?
    /// Starts a session; returns its token.
    func createSession(scope: DashboardScope, keyID: Int64?, lifetime: TimeInterval) async throws -> String
    /// The session of a token, or nil when unknown, ended or expired.
    func session(token: String) async throws -> DashboardSessionInfo?
    func endSession(token: String) async throws
}

/// Signs cookie values with HMAC-SHA256, so a cookie the server did not issue is refused
/// before any lookup, and derives per-session CSRF tokens.
struct CookieSigner: Sendable {
    let key: SymmetricKey

    init(secret: Data) { key = SymmetricKey(data: SHA256.hash(data: secret)) }

    func sign(_ value: String) -> String { value + "." + mac(value) }

    /// The value of a signed cookie, or nil if the signature is missing or wrong.
    func verify(_ signed: String) -> String? {
        guard let dot = signed.lastIndex(of: ".") else { return nil }
        let value = String(signed[..<dot])
        let signature = Array(signed[signed.index(after: dot)...].utf8)
        return constantTimeEqual(Array(mac(value).utf8), signature) ? value : nil
    }

    /// The CSRF token of a session: every form carries it; a POST without it changes nothing.
    func csrfToken(session: String) -> String { mac("csrf:" + session) }

    private func mac(_ value: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data(value.utf8), using: key)
        return Data(code).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}

func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    var difference = UInt8(a.count == b.count ? 0 : 1)
    for index in 0..<max(a.count, b.count) {
        difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
    }
    return difference == 0
}

/// Failed logins per address in a sliding window: beyond `limit` within `window`, the login
/// form answers 429 with `Retry-After` for that address, a correct key included.
public final class LoginThrottle: Sendable {
    let limit: Int
    let window: Duration
    private let failures = Mutex<[String: [ContinuousClock.Instant]]>([:])

    public init(limit: Int = 10, window: Duration = .seconds(300)) {
        self.limit = max(1, limit)
        self.window = window
    }

    /// Seconds until `address` may try again, or nil when it may now.
    func retryAfter(_ address: String, now: ContinuousClock.Instant = .now) -> Int? {
        failures.withLock { table in
            var list = table[address, default: []]
            list.removeAll { now - $0 >= window }
            table[address] = list.isEmpty ? nil : list
            guard list.count >= limit, let oldest = list.first else { return nil }
            return max(1, Int((window - (now - oldest)).components.seconds) + 1)
        }
    }

    func recordFailure(_ address: String, now: ContinuousClock.Instant = .now) {
        failures.withLock { table in
            var list = table[address, default: []]
            list.append(now)
            if list.count > limit { list.removeFirst(list.count - limit) }
            table[address] = list
            // Bounded memory under a spray of addresses: forget the stalest ones.
            if table.count > 10_000 {
                for key in table.keys.prefix(1_000) { table[key] = nil }
            }
        }
    }
}

/// Sessions kept in memory: for tests and for running without an access store. Lost when the
/// process stops.
public final class InMemoryDashboardAccess: DashboardAccess {
    private let sessions = Mutex<[String: DashboardSessionInfo]>([:])
    private let keys: [String: DashboardScope]

    /// `keys`: company key secrets and the company each one opens.
    public init(keys: [String: CompanyID] = [:]) {
        self.keys = keys.mapValues { .company($0) }
    }

    public func authenticate(secret: String) async throws -> (scope: DashboardScope, keyID: Int64?)? {
        keys[secret].map { ($0, nil) }
    }

    public func createSession(scope: DashboardScope, keyID: Int64?, lifetime: TimeInterval) async throws -> String {
        let token = randomToken()
        sessions.withLock { $0[token] = DashboardSessionInfo(scope: scope, expiresAt: Date().addingTimeInterval(lifetime)) }
        return token
    }

    public func session(token: String) async throws -> DashboardSessionInfo? {
        sessions.withLock { $0[token] }.flatMap { $0.expiresAt > Date() ? $0 : nil }
    }

    public func endSession(token: String) async throws {
        _ = sessions.withLock { $0.removeValue(forKey: token) }
    }
}

/// 32 random bytes, URL-safe base64.
func randomToken() -> String {
    var generator = SystemRandomNumberGenerator()
    let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
    return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
        .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
}
