import Foundation
import Hummingbird
import RaiseDashConfig
import Storage
import Synchronization

/// Who calls the admin API: the platform token or a company key, as a bearer token.
extension AdminAPI {
    /// A failed authentication, already answered.
    struct AuthenticationRefusal: Error {
        var response: Response
    }

    /// The caller's scope: the platform token (compared in constant time) or a live company
    /// key. Failures of both count towards the same throttle (``FailedAuthentications``).
    func authenticate(_ request: Request) async throws -> Result<AccessScope, AuthenticationRefusal> {
        if let seconds = throttle.retryAfter() {
            var response = errorResponse(.tooManyRequests, "too many failed authentications; retry in \(seconds) s")
            response.headers[.retryAfter] = "\(seconds)"
            return .failure(AuthenticationRefusal(response: response))
        }
        let presented = request.headers[.authorization].flatMap(BearerAuthentication<BasicRequestContext>.bearerCredentials)
        if let presented {
            if let token, BearerAuthentication<BasicRequestContext>.equal(Array(presented.utf8), Array(token.value.utf8)) {
                return .success(.platform)
            }
            if AccessSecrets.looksLikeKey(String(presented)),
                let scope = try await store.authenticate(secret: String(presented), now: now())
            {
                return .success(scope)
            }
        }
        throttle.recordFailure()
        let message = token == nil && presented.map({ !AccessSecrets.looksLikeKey(String($0)) }) ?? true
            ? "the admin API takes a company key (rdk_...) or the platform token; ADMIN_API_TOKEN is not set"
            : "missing or wrong bearer token"
        var response = errorResponse(.unauthorized, message)
        response.headers[.wwwAuthenticate] = "Bearer"
        return .failure(AuthenticationRefusal(response: response))
    }

    /// The shortest admin token the incident service accepts at start.
    public static let minimumTokenLength = 32

    /// Why `token` cannot protect the admin API, or nil if it can.
    public static func tokenProblem(_ token: Secret) -> String? {
        let length = token.value.unicodeScalars.count
        if length < minimumTokenLength {
            return "ADMIN_API_TOKEN has \(length) characters; at least \(minimumTokenLength) are required (e.g. `openssl rand -hex 24`)"
        }
        if token.value.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value > 0x7E }) {
            return "ADMIN_API_TOKEN must be printable ASCII without spaces"
        }
        return nil
    }
}

/// Failed admin API authentications in a sliding window. Beyond `limit` failures within
/// `window`, every request is answered 429 with `Retry-After` until the window has moved on,
/// a correct token included: answering a correct token normally while throttled would let a
/// guesser tell right from wrong at full speed.
public final class FailedAuthentications: Sendable {
    let limit: Int
    let window: Duration
    private let failures = Mutex<[ContinuousClock.Instant]>([])

    public init(limit: Int = 20, window: Duration = .seconds(60)) {
        self.limit = max(1, limit)
        self.window = window
    }

    /// Seconds until requests are looked at again, or nil when not throttled.
    func retryAfter(now: ContinuousClock.Instant = .now) -> Int? {
        failures.withLock { failures in
            failures.removeAll { now - $0 >= window }
            guard failures.count >= limit, let oldest = failures.first else { return nil }
            let wait = window - (now - oldest)
            return max(1, Int(wait.components.seconds) + 1)
        }
    }

    func recordFailure(now: ContinuousClock.Instant = .now) {
        failures.withLock { failures in
            failures.append(now)
            if failures.count > limit { failures.removeFirst(failures.count - limit) }
        }
    }
}

/// `Authorization: Bearer $ADMIN_API_TOKEN` (the scheme in any case, RFC 9110), compared in
/// constant time. Without a configured token every call is refused; failures are throttled
/// (`FailedAuthentications`).
struct BearerAuthentication<Context: RequestContext>: RouterMiddleware {
    let token: Secret?
    let throttle: FailedAuthentications

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token else {
            return errorResponse(.unauthorized, "the admin API is disabled: set ADMIN_API_TOKEN")
        }
        if let seconds = throttle.retryAfter() {
            var response = errorResponse(.tooManyRequests, "too many failed authentications; retry in \(seconds) s")
            response.headers[.retryAfter] = "\(seconds)"
            return response
        }
        guard let presented = request.headers[.authorization].flatMap(Self.bearerCredentials),
              Self.equal(Array(presented.utf8), Array(token.value.utf8))
        else {
            throttle.recordFailure()
            var response = errorResponse(.unauthorized, "missing or wrong bearer token")
            response.headers[.wwwAuthenticate] = "Bearer"
            return response
        }
        return try await next(request, context)
    }

    /// The credentials of a `Bearer` authorization header; the scheme is case-insensitive.
    static func bearerCredentials(_ header: String) -> Substring? {
        let trimmed = header.drop { $0 == " " }
        guard let space = trimmed.firstIndex(of: " "),
              trimmed[..<space].lowercased() == "bearer" else { return nil }
        let credentials = trimmed[space...].drop { $0 == " " }
        return credentials.isEmpty ? nil : credentials
    }

    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }
}
