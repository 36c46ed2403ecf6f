/// A press on a button: the callback query it made and, once the bot answered, the answer.
/// What `POST /control/chats/{id}/messages/{message}/press` and `GET /control/callbacks/{id}`
/// answer.
public struct ButtonPress: Codable, Sendable, Hashable {
    public var id: String
    public var chatID: Int64
    public var messageID: Int
    public var from: UserSummary
    public var data: String?
    public var date: Int
    public var updateID: Int
    public var answered: Bool
    public var answer: CallbackAnswer?

    enum CodingKeys: String, CodingKey {
        case id, from, data, date, answered, answer
        case chatID = "chat_id"
        case messageID = "message_id"
        case updateID = "update_id"
    }
}

/// The bot's answer to a callback query.
public struct CallbackAnswer: Codable, Sendable, Hashable {
    public var text: String?
    public var showAlert: Bool
    public var url: String?
    public var cacheTime: Int?
    public var date: Int?

    enum CodingKeys: String, CodingKey {
        case text, url, date
        case showAlert = "show_alert"
        case cacheTime = "cache_time"
    }
}

/// Which button a person presses: `POST /control/chats/{id}/messages/{message}/press`.
public struct Press: Codable, Sendable, Hashable {
    public enum Button: Sendable, Hashable {
        /// The button with this label (it must carry callback data).
        case labelled(String)
        /// Raw callback data, as a forged client would send it; works on any live message.
        case data(String)
    }

    public var from: Int64
    /// Exactly one of the two (see `Button`).
    public var buttonText: String?
    public var callbackData: String?

    public init(from: Int64, button: Button) {
        self.from = from
        switch button {
        case .labelled(let label): buttonText = label
        case .data(let data): callbackData = data
        }
    }

    enum CodingKeys: String, CodingKey {
        case from
        case buttonText = "button_text"
        case callbackData = "callback_data"
    }
}
