/// A Telegram bot token (`<bot id>:<secret>`), kept out of every printed form.
///
/// `description`, `debugDescription`, string interpolation and `dump` all show the redacted
/// form `123456:***`. Only the client itself reads the secret, to build request URLs.
public struct BotToken: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The full token as Telegram issued it. Internal on purpose: nothing outside the client
    /// needs it, and every public way of printing a token redacts it.
    let rawValue: String

    /// The numeric user id of the bot (the part before the colon); not secret.
    public let botID: Int64

    /// Accepts a token of the form `<digits>:<letters, digits, _ and ->`, ignoring surrounding
    /// whitespace (a trailing newline from a file is common). Returns `nil` for anything else,
    /// so a token can never inject `/`, `?` or `#` into the request path.
    public init?(_ raw: String) {
        let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let colon = trimmed.firstIndex(of: ":") else { return nil }
        let idPart = trimmed[..<colon]
        let secretPart = trimmed[trimmed.index(after: colon)...]
        guard !idPart.isEmpty, idPart.allSatisfy({ $0.isASCII && $0.isNumber }),
            let id = Int64(idPart), id > 0,
            !secretPart.isEmpty,
            secretPart.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "_" || $0 == "-" })
        else { return nil }
        self.rawValue = trimmed
        self.botID = id
    }

    /// The secret part after the colon; used to scrub text that might echo it.
    var secret: Substring {
        guard let colon = rawValue.firstIndex(of: ":") else { return Substring(rawValue) }
        return rawValue[rawValue.index(after: colon)...]
    }

    /// `"<bot id>:***"`.
    public var description: String { "\(botID):***" }

    /// Same as `description`: the secret is never shown, not even in debug output.
    public var debugDescription: String { "BotToken(\(description))" }

    /// Keeps `dump(token)` and reflection from printing the stored secret.
    public var customMirror: Mirror { Mirror(self, children: ["redacted": description]) }

    /// Replaces every occurrence of this token (or its secret part) in `text` with the
    /// redacted form. Used on any text that came back from the network before it is kept.
    func redact(_ text: String) -> String {
        guard text.contains(secret) else { return text }
        return text.replacingOccurrences(of: rawValue, with: description)
            .replacingOccurrences(of: String(secret), with: "***")
    }
}
