#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What a card button carries: the incident, the card version it was drawn for, and the
/// action. Encoded compactly as `code:id:version[:department]` with base-36 numbers, e.g.
/// `c:1z:3` (claim incident 71 on card version 3) or `t:1z:4:5` (transfer to department 5);
/// at most 44 bytes, well inside Telegram's 64.
///
/// Because the data names the incident, a card works the moment it is visible, even before
/// the bot has learned its message id.
public struct CallbackData: Hashable, Sendable, CustomStringConvertible {
    public var incidentID: IncidentID
    public var cardVersion: Int
    public var action: ButtonAction

    public init(incidentID: IncidentID, cardVersion: Int, action: ButtonAction) {
        self.incidentID = incidentID
        self.cardVersion = cardVersion
        self.action = action
    }

    /// Telegram's limit on `callback_data`, in bytes.
    public static let maximumBytes = 64

    /// The string sent to Telegram.
    public var encoded: String {
        var parts = [
            Self.code(of: action), Self.base36(incidentID.rawValue), Self.base36(Int64(cardVersion)),
        ]
        switch action {
        case .chooseDepartment(let department), .pickDepartment(let department):
            parts.append(Self.base36(department.rawValue))
        default:
            break
        }
        return parts.joined(separator: ":")
    }

    public var description: String { encoded }

    /// Parses data made by ``encoded``; nil for anything else (garbled, forged, too long,
    /// negative or overflowing numbers, non-canonical spellings). Never traps.
    public init?(parsing text: String) {
        guard !text.isEmpty, text.utf8.count <= Self.maximumBytes else { return nil }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3 || parts.count == 4 else { return nil }
        guard let id = Self.number(parts[1]), id > 0,
            let version = Self.number(parts[2]), version <= Int64(Int32.max)
        else { return nil }
        let argument = parts.count == 4 ? Self.number(parts[3]) : nil
        if parts.count == 4 && argument == nil { return nil }
        let action: ButtonAction
        switch (parts[0], argument) {
        case ("d", .some(let department)): action = .chooseDepartment(DepartmentID(department))
        case ("t", .some(let department)): action = .pickDepartment(DepartmentID(department))
        case ("c", nil): action = .claim
        case ("j", nil): action = .join
        case ("l", nil): action = .leave
        case ("r", nil): action = .resolve
        case ("x", nil): action = .cancelResolve
        case ("o", nil): action = .reopen
        case ("p", nil): action = .openPicker
        case ("b", nil): action = .closePicker
        default: return nil
        }
        self.init(incidentID: IncidentID(id), cardVersion: Int(version), action: action)
        // Exactly one spelling is accepted, so equal presses have equal data.
        guard encoded == text else { return nil }
    }

    private static func code(of action: ButtonAction) -> String {
        switch action {
        case .chooseDepartment: "d"
        case .claim: "c"
        case .join: "j"
        case .leave: "l"
        case .resolve: "r"
        case .cancelResolve: "x"
        case .reopen: "o"
        case .openPicker: "p"
        case .pickDepartment: "t"
        case .closePicker: "b"
        }
    }

    private static func base36(_ value: Int64) -> String { String(value, radix: 36) }

    /// A non-negative base-36 number of 1 to 13 lower-case digits; nil otherwise.
    private static func number(_ text: Substring) -> Int64? {
        guard (1...13).contains(text.utf8.count),
            text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x7A) })
        else { return nil }
        return Int64(text, radix: 36)
    }
}

extension CallbackData: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let data = CallbackData(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath, debugDescription: "not RaiseDash callback data"))
        }
        self = data
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(encoded)
    }
}
