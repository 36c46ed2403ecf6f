import Foundation

/// The machine-readable Bot API description (Resources/bot-api-spec.json, Bot API 10.1).
///
/// The simulator checks every request against it (the method exists, required parameters are
/// present and of the right type) and tests check the simulator's answers against it.
struct BotAPISpec: Sendable {
    struct Field: Sendable {
        var name: String
        var types: [String]
        var required: Bool
    }

    struct Method: Sendable {
        var name: String
        var fields: [Field]
        var returns: [String]
    }

    struct TypeDefinition: Sendable {
        var name: String
        var fields: [Field]
        var subtypes: [String]
    }

    /// Why the spec could not be loaded.
    struct LoadError: Error, CustomStringConvertible {
        var description: String
    }

    var version: String
    var methods: [String: Method]
    var types: [String: TypeDefinition]
    private var methodNamesByLowercase: [String: String]

    /// The copy bundled with the module, read once per process.
    static func bundled() throws -> BotAPISpec {
        try bundledCopy.get()
    }

    private static let bundledCopy: Result<BotAPISpec, LoadError> = {
        guard let url = Bundle.module.url(forResource: "bot-api-spec", withExtension: "json", subdirectory: "Resources")
            ?? Bundle.module.url(forResource: "bot-api-spec", withExtension: "json")
        else { return .failure(LoadError(description: "bot-api-spec.json is missing from the TelegramSimulator bundle")) }
        do {
            return .success(try BotAPISpec(data: try Data(contentsOf: url)))
        } catch let error as LoadError {
            return .failure(error)
        } catch {
            return .failure(LoadError(description: "cannot read bot-api-spec.json: \(error)"))
        }
    }()

    /// The file's layout; descriptions are skipped.
    private struct File: Decodable {
        struct FieldEntry: Decodable {
            var name: String
            var types: [String]?
            var required: Bool?
        }

        struct MethodEntry: Decodable {
            var name: String
            var fields: [FieldEntry]?
            var returns: [String]?
        }

        struct TypeEntry: Decodable {
            var name: String
            var fields: [FieldEntry]?
            var subtypes: [String]?
        }

        var version: String?
        var methods: [String: MethodEntry]
        var types: [String: TypeEntry]
    }

    init(data: Data) throws {
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: data)
        } catch {
            throw LoadError(description: "bot-api-spec.json does not have the expected layout: \(error)")
        }
        func fields(_ entries: [File.FieldEntry]?) -> [Field] {
            (entries ?? []).map { Field(name: $0.name, types: $0.types ?? [], required: $0.required ?? false) }
        }
        version = file.version ?? "unknown"
        methods = file.methods.mapValues { Method(name: $0.name, fields: fields($0.fields), returns: $0.returns ?? []) }
        types = file.types.mapValues { TypeDefinition(name: $0.name, fields: fields($0.fields), subtypes: $0.subtypes ?? []) }
        methodNamesByLowercase = Dictionary(
            methods.keys.map { ($0.lowercased(), $0) }, uniquingKeysWith: { first, _ in first }
        )
    }

    /// The method with this name; Telegram matches method names case-insensitively.
    func method(named name: String) -> Method? {
        methodNamesByLowercase[name.lowercased()].flatMap { methods[$0] }
    }

    // MARK: Conformance

    /// How strictly values are checked.
    enum Strictness {
        /// What a client may send: numbers and booleans as text, JSON-serialised objects as
        /// strings, unknown fields ignored.
        case request
        /// What Telegram answers: exact JSON types, and no field the type does not declare.
        case answer
    }

    /// Problems of `value` as one of `types` (spec names like `Integer`, `Array of String`,
    /// `Message`); empty when it conforms. Each problem names the path to the bad value.
    func problems(_ value: JSONValue, as types: [String], path: String, strictness: Strictness) -> [String] {
        var best: [String]?
        for type in types {
            let found = problems(value, as: type, path: path, strictness: strictness)
            if found.isEmpty { return [] }
            if best.map({ found.count < $0.count }) ?? true { best = found }
        }
        return best ?? []
    }

    private func problems(_ value: JSONValue, as type: String, path: String, strictness: Strictness) -> [String] {
        let mismatch = ["\(path): expected \(type)"]
        if type.hasPrefix("Array of ") {
            let elementType = String(type.dropFirst("Array of ".count))
            guard let elements = arrayValue(value, strictness) else { return mismatch }
            return elements.enumerated().flatMap { index, element in
                problems(element, as: [elementType], path: "\(path)[\(index)]", strictness: strictness)
            }
        }
        switch type {
        case "Integer":
            if strictness == .answer { if case .int = value { return [] } else { return mismatch } }
            return value.intValue == nil ? mismatch : []
        case "Float":
            if strictness == .answer {
                switch value { case .int, .double: return []; default: return mismatch }
            }
            return value.doubleValue == nil ? mismatch : []
        case "Boolean", "True":
            if strictness == .answer { if case .bool = value { return [] } else { return mismatch } }
            return value.boolValue == nil ? mismatch : []
        case "String":
            switch value {
            case .string: return []
            case .int, .double: return strictness == .request ? [] : mismatch
            default: return mismatch
            }
        case "InputFile":
            return value.stringValue == nil ? mismatch : []
        default:
            guard let definition = types[type] else { return [] }  // a type the spec does not describe
            if !definition.subtypes.isEmpty {
                return problems(value, as: definition.subtypes, path: path, strictness: strictness)
            }
            guard let object = objectValue(value, strictness) else { return mismatch }
            var found: [String] = []
            let known = Set(definition.fields.map(\.name))
            for field in definition.fields {
                if let fieldValue = object[field.name], !(strictness == .request && fieldValue.isNull) {
                    found += problems(fieldValue, as: field.types, path: "\(path).\(field.name)", strictness: strictness)
                } else if field.required {
                    found.append("\(path).\(field.name): required field is missing")
                }
            }
            if strictness == .answer {
                for key in object.keys where !known.contains(key) {
                    found.append("\(path).\(key): not a field of \(type)")
                }
            }
            return found
        }
    }

    /// `value` with leaves converted to the spec's JSON types (numbers sent as text become
    /// numbers) and fields the type does not declare dropped; call only on conforming values.
    func normalized(_ value: JSONValue, as candidates: [String]) -> JSONValue {
        let type = candidates.first { problems(value, as: $0, path: "", strictness: .request).isEmpty }
            ?? candidates.first ?? ""
        if type.hasPrefix("Array of ") {
            let elementType = String(type.dropFirst("Array of ".count))
            return .array((arrayValue(value, .request) ?? []).map { normalized($0, as: [elementType]) })
        }
        switch type {
        case "Integer": return value.intValue.map(JSONValue.int) ?? value
        case "Float": return value.doubleValue.map(JSONValue.double) ?? value
        case "Boolean", "True": return value.boolValue.map(JSONValue.bool) ?? value
        case "String":
            switch value {
            case .int(let number): return .string(String(number))
            case .double(let number): return .string(String(number))
            default: return value
            }
        default:
            guard let definition = types[type] else { return value }
            if !definition.subtypes.isEmpty { return normalized(value, as: definition.subtypes) }
            guard let object = objectValue(value, .request) else { return value }
            var result: [String: JSONValue] = [:]
            for field in definition.fields {
                if let fieldValue = object[field.name], !fieldValue.isNull {
                    result[field.name] = normalized(fieldValue, as: field.types)
                }
            }
            return .object(result)
        }
    }

    private func arrayValue(_ value: JSONValue, _ strictness: Strictness) -> [JSONValue]? {
        if let array = value.arrayValue { return array }
        if strictness == .request, let text = value.stringValue { return JSONValue.parse(text)?.arrayValue }
        return nil
    }

    private func objectValue(_ value: JSONValue, _ strictness: Strictness) -> [String: JSONValue]? {
        if let object = value.objectValue { return object }
        if strictness == .request, let text = value.stringValue { return JSONValue.parse(text)?.objectValue }
        return nil
    }
}
