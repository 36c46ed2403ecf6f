import Foundation

/// What a company or department name may be, counted the way SQLite's `length()` (the
/// schema's CHECK) counts: in Unicode scalars, not in Swift characters, so a name the API
/// accepts never trips the constraint.
///
/// Control characters (C0, DEL, C1) and the bidirectional formatting characters (which can
/// make a name display as something else, "Trojan Source" style) are refused.
enum NameRules {
    /// The trimmed name, or why it is refused.
    static func validate(_ raw: String, what: String, maximum: Int) throws(StoreError) -> String {
        let name = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        let scalars = name.unicodeScalars
        guard (1...maximum).contains(scalars.count) else {
            throw StoreError.invalidInput("a \(what) name has 1 to \(maximum) characters")
        }
        if scalars.contains(where: isControl) {
            throw StoreError.invalidInput("a \(what) name may not contain control characters")
        }
        if scalars.contains(where: isBidiControl) {
            throw StoreError.invalidInput("a \(what) name may not contain bidirectional formatting characters")
        }
        return name
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .control
    }

    /// LRM, RLM, ALM, the embeddings and overrides (U+202A-U+202E) and the isolates
    /// (U+2066-U+2069).
    static func isBidiControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x200E, 0x200F, 0x061C, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
