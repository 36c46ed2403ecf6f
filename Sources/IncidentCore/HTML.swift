#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Telegram HTML (`parse_mode: HTML`) helpers. Telegram counts a message's length after
/// parsing, in UTF-16 code units, so lengths here are visible UTF-16 lengths.
public enum HTML {
    /// Telegram's limit on a message's text after entity parsing.
    public static let maximumMessageLength = 4096

    /// Escapes `&`, `<`, `>` and `"` so that text cannot be read as markup.
    public static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 })
        else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    /// `text` if it is at most `limit` UTF-16 units long; otherwise its longest prefix of whole
    /// characters that leaves room for "...", followed by "...".
    public static func shortened(_ text: String, toUTF16Length limit: Int) -> String {
        guard text.utf16.count > limit else { return text }
        let ellipsis = "..."
        let room = limit - ellipsis.utf16.count
        guard room > 0 else { return String(ellipsis.prefix(max(0, limit))) }
        var used = 0
        var end = text.startIndex
        for index in text.indices {
            let next = text.index(after: index)
            let width = text.utf16.distance(from: index, to: next)
            if used + width > room { break }
            used += width
            end = next
        }
        return String(text[..<end]) + ellipsis
    }

    /// A mention: `@handle`, or a `tg://user` link named after the person.
    public static func mention(_ mention: Mention) -> String {
        switch mention {
        case .handle(let handle):
            return handle.description
        case .user(_, .some(let handle), _):
            return handle.description
        case .user(let id, nil, let name):
            return "<a href=\"tg://user?id=\(id)\">\(escape(name.isEmpty ? String(id.rawValue) : name))</a>"
        }
    }
}

/// Builds Telegram HTML while counting the visible (after-parsing) length.
struct HTMLComposer {
    private(set) var html = ""
    private(set) var visibleLength = 0

    /// Visible text, escaped.
    mutating func text(_ text: String) {
        html += HTML.escape(text)
        visibleLength += text.utf16.count
    }

    /// Markup that is not visible (tags).
    mutating func markup(_ markup: String) {
        html += markup
    }

    mutating func bold(_ text: String) {
        markup("<b>")
        self.text(text)
        markup("</b>")
    }

    mutating func newline() { text("\n") }
}

extension String {
    /// Without leading and trailing whitespace and newlines.
    var trimmedOfWhitespace: String {
        guard let first = firstIndex(where: { !$0.isWhitespace }),
            let last = lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return String(self[first...last])
    }
}
