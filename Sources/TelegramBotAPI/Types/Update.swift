/// One incoming update from `getUpdates`.
///
/// Decoding never fails because of what an update carries, only when `update_id` itself is
/// missing: an update of a kind this client does not decode becomes ``Content/unsupported(kind:)``
/// and one whose payload does not decode becomes ``Content/undecodable(kind:reason:)``. Either way
/// the poller still learns its id and can confirm it, so one odd update never blocks the
/// updates behind it.
public struct Update: Sendable, Hashable, Decodable {
    /// What the update carries; Telegram sends exactly one kind per update.
    public enum Content: Sendable, Hashable {
        case message(Message)
        case editedMessage(Message)
        case callbackQuery(CallbackQuery)
        /// The bot's own membership changed (added, promoted, kicked, left).
        case myChatMember(ChatMemberUpdated)
        /// Someone else's membership changed.
        case chatMember(ChatMemberUpdated)
        /// A kind of update this client does not decode (`poll`, `message_reaction`, ...);
        /// `kind` is its field name, or empty if the update carried nothing.
        case unsupported(kind: String)
        /// A kind this client decodes, whose payload did not decode; `reason` says where.
        case undecodable(kind: UpdateKind, reason: String)
    }

    /// Increases with each update; confirm by polling with `offset = updateID + 1`.
    public let updateID: Int
    public let content: Content

    public init(updateID: Int, content: Content) {
        self.updateID = updateID
        self.content = content
    }

    /// The chat the update happened in, if it has one.
    public var chat: Chat? {
        switch content {
        case .message(let m), .editedMessage(let m): m.chat
        case .callbackQuery(let q): q.message?.chat
        case .myChatMember(let u), .chatMember(let u): u.chat
        case .unsupported, .undecodable: nil
        }
    }

    private struct AnyKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        updateID = try c.decode(Int.self, forKey: AnyKey(stringValue: "update_id"))
        guard let kind = UpdateKind.allCases.first(where: { c.contains(AnyKey(stringValue: $0.rawValue)) }) else {
            let other = c.allKeys.map(\.stringValue).filter { $0 != "update_id" }.sorted()
            content = .unsupported(kind: other.first ?? "")
            return
        }
        let key = AnyKey(stringValue: kind.rawValue)
        do {
            switch kind {
            case .message: content = .message(try c.decode(Message.self, forKey: key))
            case .editedMessage: content = .editedMessage(try c.decode(Message.self, forKey: key))
            case .callbackQuery: content = .callbackQuery(try c.decode(CallbackQuery.self, forKey: key))
            case .myChatMember: content = .myChatMember(try c.decode(ChatMemberUpdated.self, forKey: key))
            case .chatMember: content = .chatMember(try c.decode(ChatMemberUpdated.self, forKey: key))
            }
        } catch let error as DecodingError {
            content = .undecodable(kind: kind, reason: error.summary)
        }
    }
}

extension DecodingError {
    /// Where decoding failed and why, without the data itself.
    var summary: String {
        let (context, what): (Context, String) =
            switch self {
            case .typeMismatch(_, let c): (c, "type mismatch")
            case .valueNotFound(_, let c): (c, "value missing")
            case .keyNotFound(let key, let c): (c, "key \(key.stringValue) missing")
            case .dataCorrupted(let c): (c, "data corrupted")
            @unknown default: (Context(codingPath: [], debugDescription: ""), "decoding failed")
            }
        let path = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        return path.isEmpty ? what : "\(what) at \(path)"
    }
}
