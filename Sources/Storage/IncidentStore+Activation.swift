import Foundation
import GRDB
import IncidentCore
import Timestamps

/// A one-time group activation code as listed (never the code itself).
public struct ActivationCodeInfo: Sendable, Hashable {
    public var id: Int64
    public var companyID: Int64
    public var createdAt: Date
    public var expiresAt: Date
    public var usedAt: Date?
    /// The group it activated.
    public var usedChatID: Int64?
}

/// The shape of activation codes: 10 characters of an alphabet without look-alikes (no 0/O,
/// 1/I/L, U), shown as `ABCDE-FGHJK`; typed in any case, with or without the dash. About 49
/// random bits, single use, expiring.
public enum ActivationCodes {
    static let alphabet = Array("ABCDEFGHJKMNPQRSTVWXYZ23456789")
    static let length = 10
    /// How long a code is valid unless the caller says otherwise.
    public static let defaultLifetime: Duration = .seconds(24 * 3600)

    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let characters = (0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }
        return String(characters[0..<5]) + "-" + String(characters[5...])
    }

    /// The code as stored (upper case, no dash or spaces), or nil when it cannot be a code.
    public static func normalize(_ text: String) -> String? {
        let compact = text.uppercased().filter { $0 != "-" && $0 != " " }
        guard compact.count == length, compact.allSatisfy(alphabet.contains) else { return nil }
        return compact
    }
}

extension IncidentStore {
    /// Creates a one-time activation code for `companyID`, valid for `lifetime`. The code is
    /// returned once; only its SHA-256 is stored.
    public func createActivationCode(
        companyID: Int64, lifetime: Duration = ActivationCodes.defaultLifetime, now: Date = Date()
    ) async throws(StoreError) -> (info: ActivationCodeInfo, code: String) {
        let seconds = Double(lifetime.components.seconds)
        guard seconds >= 60, seconds <= 30 * 86400 else {
            throw StoreError.invalidInput("an activation code lasts from 1 minute to 30 days")
        }
        let now = Timestamp.rounded(now)
        let expires = now.addingTimeInterval(seconds)
        while true {
            let code = ActivationCodes.generate()
            let hash = AccessSecrets.sha256(ActivationCodes.normalize(code) ?? code)
            let info: ActivationCodeInfo? = try await write { db in
                guard try db.row("SELECT 1 FROM companies WHERE id = ?", [companyID]) != nil else {
                    throw StoreError.notFound("company \(companyID)")
                }
                if try db.row("SELECT 1 FROM activation_codes WHERE code_hash = ?", [hash]) != nil { return nil }
                try db.run(
                    "INSERT INTO activation_codes (company_id, code_hash, created_at, expires_at) VALUES (?, ?, ?, ?)",
                    [companyID, hash, stamp(now), stamp(expires)])
                return ActivationCodeInfo(
                    id: db.lastInsertedRowID, companyID: companyID, createdAt: now, expiresAt: expires,
                    usedAt: nil, usedChatID: nil)
            }
            if let info { return (info, code) }
        }
    }

    /// The activation codes of `companyID`, newest first.
    public func activationCodes(companyID: Int64) async throws(StoreError) -> [ActivationCodeInfo] {
        try await read { db in
            try db.rows("SELECT * FROM activation_codes WHERE company_id = ? ORDER BY id DESC", [companyID]).map {
                ActivationCodeInfo(
                    id: $0["id"], companyID: $0["company_id"], createdAt: try $0.date("created_at"),
                    expiresAt: try $0.date("expires_at"), usedAt: try $0.optionalDate("used_at"),
                    usedChatID: $0["used_chat_id"])
            }
        }
    }
}

extension Transaction {
    /// `/activate CODE`: checks the sender and the code, and on success attaches the group to
    /// the code's company, marks the code used and tells the group, in this one transaction.
    mutating func activate(code text: String, by sender: Person, isAdministrator: Bool, command: MessageID) throws -> ApplyResult {
        let normalized = ActivationCodes.normalize(text.trimmingCharacters(in: .whitespacesAndNewlines))
        var lookup: ActivationCodeLookup?
        var codeID: Int64?
        if let normalized {
            if let row = try db.row(
                """
                SELECT a.id, a.company_id, a.expires_at, a.used_at, c.name FROM activation_codes a
                JOIN companies c ON c.id = a.company_id WHERE a.code_hash = ?
                """, [AccessSecrets.sha256(normalized)])
            {
                codeID = row["id"]
                if row["used_at"] as String? != nil {
                    lookup = .used
                } else if try row.date("expires_at") <= now {
                    lookup = .expired
                } else {
                    lookup = .valid(CompanyID(row["company_id"] as Int64), companyName: row["name"])
                }
            } else {
                lookup = .unknown
            }
        }
        switch ChatDecisions.activate(
            in: chat, group: group?.group, senderIsAdministrator: isAdministrator, code: lookup, command: command)
        {
        case .failure(let refusal):
            return try refuse(refusal, answering: .message(command, incident: nil))
        case .success(let outcome):
            guard let current = group, let codeID else { throw StoreError.notFound("group") }
            try db.run(
                "UPDATE activation_codes SET used_at = ?, used_chat_id = ?, used_by = ? WHERE id = ? AND used_at IS NULL",
                [stamp(now), chat.id.rawValue, sender.id.rawValue, codeID])
            guard db.changesCount == 1 else { throw CompareAndSetConflict() }
            try db.run(
                "UPDATE groups SET company_id = ?, status = 'active', denied_at = NULL, updated_at = ? WHERE id = ?",
                [outcome.company.rawValue, stamp(now), current.rowID])
            // The administrator who activated it manages it, unless managers were named before.
            try db.run(
                """
                INSERT INTO group_managers (group_id, user_id)
                SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM group_managers WHERE group_id = ?)
                """, [current.rowID, sender.id.rawValue, current.rowID])
            group = try db.group(rowID: current.rowID)
            return try finish(outcome.effects)
        }
    }
}
