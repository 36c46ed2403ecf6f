import Foundation

/// The parameters of one Bot API call, merged from the query string and the body.
///
/// Form fields and query strings carry text, so accessors accept numbers and booleans written
/// as text and JSON-serialised objects (`reply_markup`, `allowed_updates`) as strings, as
/// Telegram does. An empty string counts as absent.
struct BotAPIParameters: Sendable {
    var values: [String: JSONValue]

    init(_ values: [String: JSONValue] = [:]) {
        self.values = values
    }

    /// The value of a present, non-null, non-empty parameter.
    func value(_ name: String) -> JSONValue? {
        guard let value = values[name] else { return nil }
        switch value {
        case .null: return nil
        case .string(let text) where text.isEmpty: return nil
        default: return value
        }
    }

    func int(_ name: String) -> Int? { value(name)?.intValue }

    func double(_ name: String) -> Double? { value(name)?.doubleValue }

    func string(_ name: String) -> String? {
        switch value(name) {
        case .string(let text): text
        case .int(let number): String(number)
        case .double(let number): String(number)
        default: nil
        }
    }

    /// A boolean parameter; absent means false.
    func bool(_ name: String) -> Bool { value(name)?.boolValue ?? false }

    /// An object or array parameter, also when sent as a JSON string.
    func json(_ name: String) -> JSONValue? {
        guard let value = value(name) else { return nil }
        if let text = value.stringValue { return JSONValue.parse(text) }
        return value
    }

    /// Reads `application/x-www-form-urlencoded` text (also used for query strings).
    static func formFields(_ text: Substring) -> [String: JSONValue] {
        var fields: [String: JSONValue] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let rawName = parts.first else { continue }
            let name = decodeFormComponent(rawName)
            let value = parts.count > 1 ? decodeFormComponent(parts[1]) : ""
            guard !name.isEmpty else { continue }
            fields[name] = .string(value)
        }
        return fields
    }

    private static func decodeFormComponent(_ component: Substring) -> String {
        let spaced = component.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// Reads the text fields of a `multipart/form-data` body (files are not simulated).
    static func multipartFields(_ body: Data, boundary: String) -> [String: JSONValue] {
        var fields: [String: JSONValue] = [:]
        let text = String(decoding: body, as: UTF8.self)
        for part in text.components(separatedBy: "--\(boundary)") {
            guard let headerEnd = part.range(of: "\r\n\r\n") else { continue }
            let headers = part[part.startIndex..<headerEnd.lowerBound]
            guard let nameRange = headers.range(of: "name=\"") else { continue }
            let nameStart = nameRange.upperBound
            guard let nameEnd = headers[nameStart...].firstIndex(of: "\"") else { continue }
            let name = String(headers[nameStart..<nameEnd])
            var value = String(part[headerEnd.upperBound...])
            // "\r\n" is a single Character in Swift, so one removeLast drops both bytes.
            if value.hasSuffix("\r\n") { value.removeLast() }
            fields[name] = .string(value)
        }
        return fields
    }
}
