import BotAPITestSupport
import Foundation

/// The published Bot API description (`bot-api-spec.json`), and checks of JSON against it.
struct BotAPISpec: Decodable {
    struct Field: Decodable {
        let name: String
        let types: [String]
        let required: Bool
        let description: String
    }

    struct Method: Decodable {
        let fields: [Field]?
        let returns: [String]
    }

    struct TypeDefinition: Decodable {
        let fields: [Field]?
        let subtypes: [String]?
        let description: [String]?
    }

    let version: String
    let methods: [String: Method]
    let types: [String: TypeDefinition]

    /// Loads the spec from the repository: three levels up from this file is the package root.
    static func load(filePath: String = #filePath) throws -> BotAPISpec {
        let root = URL(fileURLWithPath: filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let url = root.appendingPathComponent("Sources/TelegramSimulator/Resources/bot-api-spec.json")
        return try JSONDecoder().decode(BotAPISpec.self, from: Data(contentsOf: url))
    }

    /// Every way the body of a call to `method` departs from the spec; empty if it conforms.
    func problems(method: String, body: JSONValue) -> [String] {
        guard let spec = methods[method] else { return ["\(method): no such method"] }
        guard case .object(let object) = body else { return ["\(method): body is not an object"] }
        return problems(object: object, fields: spec.fields ?? [], path: method)
    }

    /// The fields of a type, or nil for an unknown type.
    func fields(ofType name: String) -> [Field]? {
        types[name]?.fields ?? (types[name] == nil ? nil : [])
    }

    private func problems(object: [String: JSONValue], fields: [Field], path: String) -> [String] {
        var found: [String] = []
        let byName = Dictionary(fields.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for key in object.keys.sorted() where byName[key] == nil {
            found.append("\(path).\(key): unknown field")
        }
        for field in fields where field.required && object[field.name] == nil {
            found.append("\(path).\(field.name): required field missing")
        }
        for (key, value) in object.sorted(by: { $0.key < $1.key }) {
            guard let field = byName[key] else { continue }
            found += problems(value: value, types: field.types, path: "\(path).\(key)", field: field)
        }
        return found
    }

    /// Problems of `value` against a union of types: none if any one of them fits.
    private func problems(value: JSONValue, types: [String], path: String, field: Field?) -> [String] {
        var all: [String] = []
        for type in types {
            let found = problems(value: value, type: type, path: path, field: field)
            if found.isEmpty { return [] }
            all += found
        }
        return types.count == 1 ? all : ["\(path): fits none of \(types): \(all.joined(separator: "; "))"]
    }

    private func problems(value: JSONValue, type: String, path: String, field: Field?) -> [String] {
        if type.hasPrefix("Array of ") {
            guard case .array(let elements) = value else { return ["\(path): expected \(type)"] }
            let element = String(type.dropFirst("Array of ".count))
            return elements.enumerated().flatMap { index, item in
                problems(value: item, types: [element], path: "\(path)[\(index)]", field: nil)
            }
        }
        switch (type, value) {
        case ("Integer", .number(let n)) where n == n.rounded(): return []
        case ("Float", .number): return []
        case ("Boolean", .bool): return []
        case ("True", .bool(true)): return []
        case ("String", .string(let s)):
            // Discriminator fields say "must be X" (e.g. a command scope's `type`).
            if let required = field.flatMap({ Self.mustBe($0.description) }), s != required {
                return ["\(path): must be \(required), is \(s)"]
            }
            return []
        case ("Integer", _), ("Float", _), ("Boolean", _), ("True", _), ("String", _):
            return ["\(path): expected \(type), got \(value)"]
        default:
            break
        }
        guard let definition = types[type] else { return ["\(path): unknown type \(type)"] }
        if let subtypes = definition.subtypes, !subtypes.isEmpty {
            return problems(value: value, types: subtypes, path: path, field: nil)
        }
        guard case .object(let object) = value else { return ["\(path): expected \(type) object, got \(value)"] }
        return problems(object: object, fields: definition.fields ?? [], path: "\(path)<\(type)>")
    }

    /// `X` in a field description ending in "must be X".
    static func mustBe(_ description: String) -> String? {
        guard let range = description.range(of: "must be ", options: .backwards) else { return nil }
        let rest = description[range.upperBound...]
        guard !rest.isEmpty, rest.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return nil }
        return String(rest)
    }
}
