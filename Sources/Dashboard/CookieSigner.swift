import Crypto
import Foundation

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

/// 32 random bytes, URL-safe base64.
func randomToken() -> String {
    var generator = SystemRandomNumberGenerator()
    let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
    return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
        .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
}
