/// Realistic Bot API JSON, shaped like Telegram's answers, including fields this client does
/// not decode (and some no Bot API version has) to prove they are ignored.
enum Samples {
    static let botUser = #"""
        {"id":7357001234,"is_bot":true,"first_name":"RaiseDash","username":"raisedash_bot",
         "can_join_groups":true,"can_read_all_group_messages":false,"supports_inline_queries":false,
         "can_connect_to_business":false,"has_main_web_app":false,"some_future_flag":{"nested":[1,2,3]}}
        """#

    static let group = #"{"id":-1001234567890,"title":"Night shift","type":"supergroup","is_forum":false}"#

    /// A reply to a photo with a caption: `/new_issue@raisedash_bot` answering the problem report.
    static let replyUpdate = #"""
        {"update_id":900001,
         "message":{"message_id":501,"from":{"id":42,"is_bot":false,"first_name":"Dana","last_name":"Kim",
            "username":"dana_k","language_code":"en","is_premium":true},
          "chat":\#(group),"date":1732857600,
          "reply_to_message":{"message_id":480,"from":{"id":43,"is_bot":false,"first_name":"Omar"},
            "chat":\#(group),"date":1732857000,
            "photo":[{"file_id":"AgAC","file_unique_id":"AQAD","file_size":1024,"width":90,"height":67}],
            "caption":"Truck 17: flat tyre at gate 3","caption_entities":[{"offset":0,"length":8,"type":"bold"}],
            "has_media_spoiler":false},
          "text":"/new_issue@raisedash_bot tyre","entities":[{"offset":0,"length":24,"type":"bot_command"}],
          "link_preview_options":{"is_disabled":true},"brand_new_field":"ignored"}}
        """#

    /// A button press on the card; the message carries the keyboard it had.
    static let callbackUpdate = #"""
        {"update_id":900002,
         "callback_query":{"id":"4382bfdwdsb323b2d9","from":{"id":42,"is_bot":false,"first_name":"Dana"},
          "message":{"message_id":502,"from":{"id":7357001234,"is_bot":true,"first_name":"RaiseDash",
            "username":"raisedash_bot"},"chat":\#(group),"date":1732857605,"edit_date":1732857700,
            "text":"Incident #12","reply_markup":{"inline_keyboard":[[{"text":"Claim","callback_data":"claim:12"}]]}},
          "chat_instance":"-8794451135447392553","data":"claim:12"}}
        """#

    /// A press on a button of a message too old for the bot to see.
    static let inaccessibleCallbackUpdate = #"""
        {"update_id":900003,
         "callback_query":{"id":"77","from":{"id":42,"is_bot":false,"first_name":"Dana"},
          "message":{"chat":\#(group),"message_id":12,"date":0},"chat_instance":"-1","data":"claim:3"}}
        """#

    /// The bot is made an administrator with the pin right.
    static let promotedUpdate = #"""
        {"update_id":900004,
         "my_chat_member":{"chat":\#(group),"from":{"id":1,"is_bot":false,"first_name":"Owner"},"date":1732857800,
          "old_chat_member":{"user":\#(botUser),"status":"member"},
          "new_chat_member":{"user":\#(botUser),"status":"administrator","can_be_edited":false,
            "can_manage_chat":true,"can_change_info":true,"can_delete_messages":true,"can_invite_users":true,
            "can_restrict_members":true,"can_pin_messages":true,"can_manage_topics":false,
            "can_promote_members":false,"can_manage_video_chats":true,"can_post_stories":false,
            "can_edit_stories":false,"can_delete_stories":false,"is_anonymous":false,"can_manage_voice_chats":true}}}
        """#

    /// The bot is removed from the group.
    static let kickedUpdate = #"""
        {"update_id":900005,
         "my_chat_member":{"chat":\#(group),"from":{"id":1,"is_bot":false,"first_name":"Owner"},"date":1732857900,
          "old_chat_member":{"user":\#(botUser),"status":"administrator","can_be_edited":false,
            "can_manage_chat":true,"can_change_info":true,"can_delete_messages":true,"can_invite_users":true,
            "can_restrict_members":true,"can_pin_messages":true,"can_promote_members":false,
            "can_manage_video_chats":true,"is_anonymous":false},
          "new_chat_member":{"user":\#(botUser),"status":"kicked","until_date":0}}}
        """#

    /// The service message in the old group when it becomes a supergroup.
    static let migrateUpdate = #"""
        {"update_id":900006,
         "message":{"message_id":77,"from":{"id":1,"is_bot":false,"first_name":"Owner"},
          "chat":{"id":-4012345678,"title":"Day shift","type":"group","all_members_are_administrators":false},
          "date":1732858000,"migrate_to_chat_id":-1009876543210}}
        """#

    /// The first message in the new supergroup.
    static let migrateFromUpdate = #"""
        {"update_id":900007,
         "message":{"message_id":1,"from":{"id":1087968824,"is_bot":true,"first_name":"Group","username":"GroupAnonymousBot"},
          "sender_chat":{"id":-1009876543210,"title":"Day shift","type":"supergroup"},
          "chat":{"id":-1009876543210,"title":"Day shift","type":"supergroup"},"date":1732858000,
          "migrate_from_chat_id":-4012345678}}
        """#

    /// The bare minimum Telegram may send: only required fields.
    static let minimalMessageUpdate = #"""
        {"update_id":900008,"message":{"message_id":1,"date":1,"chat":{"id":5,"type":"private"}}}
        """#

    /// An update kind this client does not decode.
    static let pollUpdate = #"""
        {"update_id":900009,"poll":{"id":"1","question":"Lunch?","options":[],"total_voter_count":0,
         "is_closed":true,"is_anonymous":true,"type":"regular","allows_multiple_answers":false}}
        """#

    /// A kind this client decodes, with a broken payload (a string where a number belongs).
    static let brokenCallbackUpdate = #"""
        {"update_id":900010,"callback_query":{"id":"1","from":{"id":"not-a-number","is_bot":false,"first_name":"X"},
         "chat_instance":"1"}}
        """#

    static let sentMessage = #"""
        {"message_id":503,"from":\#(botUser),"chat":\#(group),"date":1732858100,
         "text":"Incident #12","entities":[{"offset":0,"length":12,"type":"bold"}],
         "reply_markup":{"inline_keyboard":[[{"text":"Claim","callback_data":"claim:12"}]]}}
        """#

    static let ownerMember = #"""
        {"user":{"id":1,"is_bot":false,"first_name":"Owner"},"status":"creator","is_anonymous":false,"custom_title":"Boss"}
        """#

    static let restrictedMember = #"""
        {"user":{"id":44,"is_bot":false,"first_name":"Lee"},"status":"restricted","is_member":true,
         "can_send_messages":true,"can_send_audios":false,"can_send_documents":false,"can_send_photos":true,
         "can_send_videos":false,"can_send_video_notes":false,"can_send_voice_notes":false,"can_send_polls":false,
         "can_send_other_messages":false,"can_add_web_page_previews":false,"can_change_info":false,
         "can_invite_users":false,"can_pin_messages":false,"can_manage_topics":false,"until_date":1735689600}
        """#
}
