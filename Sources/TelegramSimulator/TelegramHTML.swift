/// Telegram's `parse_mode: "HTML"`: the few tags it accepts, turned into entities.
///
/// Follows the rules in shared/telegram/README.md: only the listed tags, only `&lt;` `&gt;`
/// `&amp;` `&quot;` and numeric character references; anything else (unknown tag, unclosed or
/// misnested tag, bare `&` or `<`) is an error whose text follows tdlib's wording, and the
/// whole message is refused. A bare `>` is accepted, as Telegram does.
enum TelegramHTML {
    /// Why a text could not be parsed; `reason` completes `can't parse entities: `.
    struct ParseError: Error, Equatable {
        var reason: String
    }

    private struct OpenTag {
        var name: String
        var byteOffset: Int
        var utf16Start: Int
        var entity: MessageEntity?
        var codeLanguage: String?
    }

    private static let tagEntityTypes: [String: String] = [
        "b": "bold", "strong": "bold",
        "i": "italic", "em": "italic",
        "u": "underline", "ins": "underline",
        "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
        "tg-spoiler": "spoiler", "span": "spoiler",
        "a": "text_link",
        "tg-emoji": "custom_emoji",
        "code": "code", "pre": "pre",
        "blockquote": "blockquote",
    ]

    /// Parses `html` into text and entities, or says why Telegram would refuse it.
    static func parse(_ html: String) -> Result<FormattedText, ParseError> {
        let scalars = Array(html.unicodeScalars)
        // Byte offset (UTF-8) of every scalar, for tdlib-style error positions.
        var byteOffsets: [Int] = []
        byteOffsets.reserveCapacity(scalars.count + 1)
        var running = 0
        for scalar in scalars {
            byteOffsets.append(running)
            running += UTF8.width(scalar)
        }
        byteOffsets.append(running)

        var output = String.UnicodeScalarView()
        var utf16Length = 0
        var stack: [OpenTag] = []
        var entities: [MessageEntity] = []
        var index = 0

        func append(_ scalar: Unicode.Scalar) {
            output.append(scalar)
            utf16Length += UTF16.width(scalar)
        }

        while index < scalars.count {
            let scalar = scalars[index]
            switch scalar {
            case "&":
                switch decodeEntity(scalars, at: index) {
                case .success(let (decoded, next)):
                    append(decoded)
                    index = next
                case .failure(let reason):
                    return .failure(ParseError(reason: "\(reason) at byte offset \(byteOffsets[index])"))
                }
            case "<":
                let tagOffset = byteOffsets[index]
                if index + 1 < scalars.count, scalars[index + 1] == "/" {
                    // End tag.
                    var cursor = index + 2
                    var name = ""
                    while cursor < scalars.count, isNameScalar(scalars[cursor]) {
                        name.unicodeScalars.append(scalars[cursor])
                        cursor += 1
                    }
                    while cursor < scalars.count, isSpace(scalars[cursor]) { cursor += 1 }
                    guard cursor < scalars.count, scalars[cursor] == ">" else {
                        return .failure(ParseError(reason: "Unclosed end tag at byte offset \(tagOffset)"))
                    }
                    name = name.lowercased()
                    guard let open = stack.popLast() else {
                        return .failure(ParseError(reason: "Unexpected end tag at byte offset \(tagOffset)"))
                    }
                    guard open.name == name else {
                        return .failure(ParseError(
                            reason: "Unmatched end tag at byte offset \(tagOffset), expected \"</\(open.name)>\", found \"</\(name)>\""
                        ))
                    }
                    if open.name == "code", let language = open.codeLanguage,
                       let parentIndex = stack.indices.last, stack[parentIndex].name == "pre",
                       stack[parentIndex].utf16Start == open.utf16Start
                    {
                        // <pre><code class="language-x">: one pre entity with a language.
                        stack[parentIndex].entity?.language = language
                    } else if var entity = open.entity {
                        entity.offset = open.utf16Start
                        entity.length = utf16Length - open.utf16Start
                        if entity.length > 0 { entities.append(entity) }
                    }
                    index = cursor + 1
                } else {
                    // Start tag.
                    var cursor = index + 1
                    var name = ""
                    // A tag name starts with a letter; "<3" or "< b" is a bare "<".
                    while cursor < scalars.count, isNameScalar(scalars[cursor]),
                          !name.isEmpty || scalars[cursor].properties.isAlphabetic && scalars[cursor].isASCII {
                        name.unicodeScalars.append(scalars[cursor])
                        cursor += 1
                    }
                    guard !name.isEmpty else {
                        return .failure(ParseError(reason: "Unescaped \"<\" at byte offset \(tagOffset); use &lt;"))
                    }
                    name = name.lowercased()
                    guard let entityType = tagEntityTypes[name] else {
                        return .failure(ParseError(reason: "Unsupported start tag \"\(name)\" at byte offset \(tagOffset)"))
                    }
                    var attributes: [String: String] = [:]
                    switch parseAttributes(scalars, from: cursor, tagName: name, tagOffset: tagOffset, byteOffsets: byteOffsets) {
                    case .success(let (parsed, next)):
                        attributes = parsed
                        cursor = next
                    case .failure(let error):
                        return .failure(error)
                    }
                    var open = OpenTag(name: name, byteOffset: tagOffset, utf16Start: utf16Length)
                    switch name {
                    case "span":
                        guard attributes["class"] == "tg-spoiler" else {
                            return .failure(ParseError(reason: "Tag \"span\" must have class \"tg-spoiler\" at byte offset \(tagOffset)"))
                        }
                        open.entity = MessageEntity(type: entityType, offset: 0, length: 0)
                    case "a":
                        if let href = attributes["href"], !href.isEmpty {
                            if let userID = mentionedUserID(href) {
                                open.entity = MessageEntity(type: "text_mention", offset: 0, length: 0, userID: userID)
                            } else {
                                open.entity = MessageEntity(type: "text_link", offset: 0, length: 0, url: href)
                            }
                        }
                    case "tg-emoji":
                        guard let emojiID = attributes["emoji-id"], !emojiID.isEmpty, emojiID.allSatisfy(\.isNumber) else {
                            return .failure(ParseError(reason: "Tag \"tg-emoji\" must have a valid attribute \"emoji-id\" at byte offset \(tagOffset)"))
                        }
                        open.entity = MessageEntity(type: entityType, offset: 0, length: 0, customEmojiID: emojiID)
                    case "blockquote":
                        let type = attributes.keys.contains("expandable") ? "expandable_blockquote" : "blockquote"
                        open.entity = MessageEntity(type: type, offset: 0, length: 0)
                    case "code":
                        if let cls = attributes["class"], cls.hasPrefix("language-"), cls.count > "language-".count {
                            open.codeLanguage = String(cls.dropFirst("language-".count))
                        }
                        open.entity = MessageEntity(type: entityType, offset: 0, length: 0)
                    default:
                        open.entity = MessageEntity(type: entityType, offset: 0, length: 0)
                    }
                    stack.append(open)
                    index = cursor
                }
            default:
                append(scalar)
                index += 1
            }
        }
        if let unclosed = stack.last {
            return .failure(ParseError(reason: "Can't find end tag corresponding to start tag \"\(unclosed.name)\""))
        }
        entities.sort { ($0.offset, -$0.length) < ($1.offset, -$1.length) }
        return .success(FormattedText(text: String(output), entities: entities))
    }

    private static func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "-", "_": return true
        default: return false
        }
    }

    private static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r"
    }

    private static func mentionedUserID(_ href: String) -> Int? {
        let prefix = "tg://user?id="
        guard href.lowercased().hasPrefix(prefix) else { return nil }
        return Int(href.dropFirst(prefix.count))
    }

    /// Decodes the character reference starting at `start` (which holds `&`).
    private static func decodeEntity(_ scalars: [Unicode.Scalar], at start: Int) -> Result<(Unicode.Scalar, Int), EntityFailure> {
        var cursor = start + 1
        var name = ""
        while cursor < scalars.count, cursor - start <= 12, scalars[cursor] != ";" {
            let scalar = scalars[cursor]
            guard scalar.properties.isASCIIHexDigit || isNameScalar(scalar) || scalar == "#" else { break }
            name.unicodeScalars.append(scalar)
            cursor += 1
        }
        guard cursor < scalars.count, scalars[cursor] == ";", !name.isEmpty else {
            return .failure(EntityFailure("Unescaped \"&\"; use &amp;"))
        }
        let next = cursor + 1
        switch name {
        case "lt": return .success(("<", next))
        case "gt": return .success((">", next))
        case "amp": return .success(("&", next))
        case "quot": return .success(("\"", next))
        default: break
        }
        if name.hasPrefix("#") {
            let digits = name.dropFirst()
            let value: UInt32?
            if digits.first == "x" || digits.first == "X" {
                value = UInt32(digits.dropFirst(), radix: 16)
            } else {
                value = UInt32(digits, radix: 10)
            }
            if let value, value != 0, let scalar = Unicode.Scalar(value) {
                return .success((scalar, next))
            }
            return .failure(EntityFailure("Invalid numeric character reference \"&\(name);\""))
        }
        return .failure(EntityFailure("Unsupported HTML entity \"&\(name);\""))
    }

    private struct EntityFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// Parses `name="value"` pairs up to and including the closing `>`.
    private static func parseAttributes(
        _ scalars: [Unicode.Scalar], from start: Int, tagName: String, tagOffset: Int, byteOffsets: [Int]
    ) -> Result<([String: String], Int), ParseError> {
        var attributes: [String: String] = [:]
        var cursor = start
        let unclosed = ParseError(reason: "Unclosed start tag at byte offset \(tagOffset)")
        while true {
            while cursor < scalars.count, isSpace(scalars[cursor]) { cursor += 1 }
            guard cursor < scalars.count else { return .failure(unclosed) }
            if scalars[cursor] == ">" { return .success((attributes, cursor + 1)) }
            var name = ""
            while cursor < scalars.count, isNameScalar(scalars[cursor]) {
                name.unicodeScalars.append(scalars[cursor])
                cursor += 1
            }
            guard !name.isEmpty else {
                return .failure(ParseError(
                    reason: "Unexpected \"\(scalars[cursor])\" in the tag \"\(tagName)\" at byte offset \(byteOffsets[cursor])"
                ))
            }
            name = name.lowercased()
            while cursor < scalars.count, isSpace(scalars[cursor]) { cursor += 1 }
            guard cursor < scalars.count else { return .failure(unclosed) }
            guard scalars[cursor] == "=" else {
                attributes[name] = ""
                continue
            }
            cursor += 1
            while cursor < scalars.count, isSpace(scalars[cursor]) { cursor += 1 }
            guard cursor < scalars.count else { return .failure(unclosed) }
            var raw: [Unicode.Scalar] = []
            if scalars[cursor] == "\"" || scalars[cursor] == "'" {
                let quote = scalars[cursor]
                cursor += 1
                while cursor < scalars.count, scalars[cursor] != quote {
                    raw.append(scalars[cursor])
                    cursor += 1
                }
                guard cursor < scalars.count else { return .failure(unclosed) }
                cursor += 1
            } else {
                while cursor < scalars.count, !isSpace(scalars[cursor]), scalars[cursor] != ">" {
                    raw.append(scalars[cursor])
                    cursor += 1
                }
            }
            // Attribute values may carry character references too.
            var value = String.UnicodeScalarView()
            var valueIndex = 0
            while valueIndex < raw.count {
                if raw[valueIndex] == "&" {
                    switch decodeEntity(raw, at: valueIndex) {
                    case .success(let (decoded, next)):
                        value.append(decoded)
                        valueIndex = next
                    case .failure(let reason):
                        return .failure(ParseError(reason: "\(reason) in an attribute of the tag \"\(tagName)\" at byte offset \(tagOffset)"))
                    }
                } else {
                    value.append(raw[valueIndex])
                    valueIndex += 1
                }
            }
            attributes[name] = String(value)
        }
    }

    // MARK: Rendering

    /// Renders text and entities back to Telegram HTML with every other character escaped.
    ///
    /// Overlapping entities (possible when a client sends `entities` directly) are closed and
    /// reopened around each other, so the result is always well-formed.
    static func render(_ formatted: FormattedText) -> String {
        let units = Array(formatted.text.utf16)
        let entities = formatted.entities
            .filter { $0.length > 0 && $0.offset >= 0 && $0.offset + $0.length <= units.count }
            .sorted { ($0.offset, -$0.length) < ($1.offset, -$1.length) }
        var boundaries = Set<Int>([0, units.count])
        for entity in entities {
            boundaries.insert(entity.offset)
            boundaries.insert(entity.offset + entity.length)
        }
        let points = boundaries.sorted()
        var html = ""
        var open: [MessageEntity] = []
        for (position, point) in points.enumerated() {
            // Close what ends here; reopen anything closed only to get at it.
            if let lowest = open.firstIndex(where: { $0.offset + $0.length <= point }) {
                let reopen = open[lowest...].filter { $0.offset + $0.length > point }
                for entity in open[lowest...].reversed() { html += closeTag(entity) }
                open.removeSubrange(lowest...)
                for entity in reopen {
                    html += openTag(entity)
                    open.append(entity)
                }
            }
            for entity in entities where entity.offset == point {
                html += openTag(entity)
                open.append(entity)
            }
            if position + 1 < points.count {
                let slice = units[point..<points[position + 1]]
                html += escape(String(decoding: slice, as: UTF16.self))
            }
        }
        return html
    }

    /// Escapes `<`, `>`, `&` and `"` for use in Telegram HTML.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "&": result += "&amp;"
            case "\"": result += "&quot;"
            default: result.append(character)
            }
        }
        return result
    }

    private static func openTag(_ entity: MessageEntity) -> String {
        switch entity.type {
        case "bold": return "<b>"
        case "italic": return "<i>"
        case "underline": return "<u>"
        case "strikethrough": return "<s>"
        case "spoiler": return "<tg-spoiler>"
        case "code": return "<code>"
        case "pre":
            if let language = entity.language { return "<pre><code class=\"language-\(escape(language))\">" }
            return "<pre>"
        case "blockquote": return "<blockquote>"
        case "expandable_blockquote": return "<blockquote expandable>"
        case "text_link": return "<a href=\"\(escape(entity.url ?? ""))\">"
        case "text_mention": return "<a href=\"tg://user?id=\(entity.userID ?? 0)\">"
        case "custom_emoji": return "<tg-emoji emoji-id=\"\(escape(entity.customEmojiID ?? ""))\">"
        default: return ""
        }
    }

    private static func closeTag(_ entity: MessageEntity) -> String {
        switch entity.type {
        case "bold": return "</b>"
        case "italic": return "</i>"
        case "underline": return "</u>"
        case "strikethrough": return "</s>"
        case "spoiler": return "</tg-spoiler>"
        case "code": return "</code>"
        case "pre": return entity.language == nil ? "</pre>" : "</code></pre>"
        case "blockquote", "expandable_blockquote": return "</blockquote>"
        case "text_link", "text_mention": return "</a>"
        case "custom_emoji": return "</tg-emoji>"
        default: return ""
        }
    }
}
