import BotAPITestSupport
import Foundation

/// Telegram update JSON as the Bot API sends it, for the fake's getUpdates and for decoding.
enum Fixture {
    static let botID: Int64 = 123456
    static let botUsername = "RaiseDashBot"

    static let bot = #"{"id":\#(botID),"is_bot":true,"first_name":"RaiseDash","username":"\#(botUsername)"}"#
    static let alice = #"{"id":501,"is_bot":false,"first_name":"Alice","last_name":"Driver","username":"alice_d","language_code":"en"}"#
    static let bob = #"{"id":502,"is_bot":false,"first_name":"Bob"}"#

    static let groupID: Int64 = -4_000_000_001
    static let supergroupID: Int64 = -1_001_000_000_001
    static let group = #"{"id":\#(groupID),"type":"group","title":"Dispatch North","all_members_are_administrators":true}"#
    static let supergroup = #"{"id":\#(supergroupID),"type":"supergroup","title":"Dispatch North"}"#
    static let privateChat = #"{"id":501,"type":"private","first_name":"Alice","username":"alice_d"}"#

    /// A message; `extra` is appended inside the object (e.g. `,"reply_to_message":{...}`).
    static func message(
        _ id: Int, chat: String = group, from: String? = alice, text: String? = nil, caption: String? = nil,
        extra: String = ""
    ) -> String {
        var fields = [#""message_id":\#(id)"#, #""date":1767225600"#, #""chat":\#(chat)"#]
        if let from { fields.append(#""from":\#(from)"#) }
        if let text {
            fields.append(#""text":\#(jsonString(text))"#)
            if text.hasPrefix("/") {
                let length = text.prefix { !$0.isWhitespace }.utf16.count
                fields.append(#""entities":[{"type":"bot_command","offset":0,"length":\#(length)}]"#)
            }
        }
        if let caption { fields.append(#""caption":\#(jsonString(caption))"#) }
        return "{" + fields.joined(separator: ",") + extra + "}"
    }

    static func update(_ id: Int64, _ kind: String, _ payload: String) -> String {
        #"{"update_id":\#(id),"\#(kind)":\#(payload)}"#
    }

    static func command(_ updateID: Int64, _ text: String, messageID: Int = 10, chat: String = group, extra: String = "") -> String {
        update(updateID, "message", message(messageID, chat: chat, text: text, extra: extra))
    }

    static func plainText(_ updateID: Int64, _ text: String = "Trailer door is jammed") -> String {
        update(updateID, "message", message(11, text: text))
    }

    static func callback(_ updateID: Int64, data: String? = "claim:42", messageID: Int = 77, withMessage: Bool = true) -> String {
        var fields = [#""id":"4382bfdwdsb323b2d9""#, #""from":\#(bob)"#, #""chat_instance":"-539812""#]
        if withMessage { fields.append(#""message":\#(message(messageID, from: bot, text: "Incident #42"))"#) }
        if let data { fields.append(#""data":\#(jsonString(data))"#) }
        return update(updateID, "callback_query", "{" + fields.joined(separator: ",") + "}")
    }

    static func member(_ status: String, user: String = bot, extra: String = "") -> String {
        #"{"status":"\#(status)","user":\#(user)\#(extra)}"#
    }

    static func myChatMember(_ updateID: Int64, old: String, new: String, chat: String = group) -> String {
        update(
            updateID, "my_chat_member",
            #"{"chat":\#(chat),"from":\#(alice),"date":1767225600,"old_chat_member":\#(old),"new_chat_member":\#(new)}"#)
    }

    static let administratorRights =
        #","can_be_edited":false,"is_anonymous":false,"can_manage_chat":true,"can_delete_messages":true,"can_manage_video_chats":true,"can_restrict_members":true,"can_promote_members":false,"can_change_info":true,"can_invite_users":true,"can_post_stories":false,"can_edit_stories":false,"can_delete_stories":false"#
}
