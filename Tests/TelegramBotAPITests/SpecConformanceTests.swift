import BotAPITestSupport
import Foundation
import Testing

@testable import TelegramBotAPI

/// Checks what the client sends and decodes against Telegram's published Bot API description.
@Suite("Bot API spec conformance")
struct SpecConformanceTests {
    let spec: BotAPISpec

    init() throws {
        spec = try BotAPISpec.load()
    }

    @Test(arguments: RequestSamples.all)
    func everyRequestConformsToItsMethod(_ request: BotAPIRequest) throws {
        let body = try JSONValue(json: request.jsonBody())
        let problems = spec.problems(method: request.method.rawValue, body: body)
        #expect(problems.isEmpty, "\(request.method) \(body): \(problems.joined(separator: "\n"))")
    }

    @Test func theSamplesCoverEveryMethodScopeMarkupAndButton() {
        #expect(Set(RequestSamples.all.map(\.method)) == Set(BotAPIMethod.allCases))
        var scopes: Set<String> = []
        var markups: Set<String> = []
        var actions: Set<String> = []
        for request in RequestSamples.all {
            switch request {
            case .setMyCommands(let p): if let scope = p.scope { scopes.insert(RequestSamples.name(scope)) }
            case .sendMessage(let p):
                if let markup = p.replyMarkup {
                    markups.insert(RequestSamples.name(markup))
                    if case .inlineKeyboard(let keyboard) = markup {
                        actions.formUnion(keyboard.rows.joined().map { RequestSamples.name($0.action) })
                    }
                }
            default: break
            }
        }
        #expect(scopes == RequestSamples.allScopeNames)
        #expect(markups == RequestSamples.allReplyMarkupNames)
        #expect(actions == RequestSamples.allButtonActionNames)
    }

    /// The check itself must be able to fail: unknown fields, missing required fields, wrong
    /// types and wrong discriminators are all reported.
    @Test func theCheckCatchesDepartures() throws {
        #expect(!spec.problems(method: "sendMessage", body: try .init(json: #"{"chat_id":1}"#)).isEmpty)
        #expect(!spec.problems(method: "sendMessage", body: try .init(json: #"{"chat_id":1,"text":"x","colour":"red"}"#)).isEmpty)
        #expect(!spec.problems(method: "sendMessage", body: try .init(json: #"{"chat_id":1,"text":7}"#)).isEmpty)
        #expect(!spec.problems(method: "sendMessage", body: try .init(json: #"{"chat_id":1.5,"text":"x"}"#)).isEmpty)
        #expect(
            !spec.problems(
                method: "sendMessage",
                body: try .init(json: #"{"chat_id":1,"text":"x","reply_markup":{"inline_keyboard":[[{"txt":"a"}]]}}"#)
            ).isEmpty)
        #expect(
            !spec.problems(method: "setMyCommands", body: try .init(json: #"{"commands":[],"scope":{"type":"everyone"}}"#))
                .isEmpty)
        #expect(!spec.problems(method: "sendMessages", body: try .init(json: #"{}"#)).isEmpty)
        #expect(spec.problems(method: "sendMessage", body: try .init(json: #"{"chat_id":"@channel","text":"x"}"#)).isEmpty)
    }

    @Test func resultShapesMatchWhatEachMethodReturns() throws {
        for request in RequestSamples.all {
            let returns = try #require(spec.methods[request.method.rawValue]?.returns)
            let expected: String =
                switch request.resultShape {
                case .done: "Boolean"
                case .user: "User"
                case .updates: "Array of Update"
                case .message: "Message"
                case .chatMember: "ChatMember"
                case .chatMembers: "Array of ChatMember"
                }
            #expect(returns.contains(expected), "\(request.method) returns \(returns), client expects \(expected)")
        }
    }

    /// Every field name the decoders read exists in the spec, so a typo cannot silently decode as nil.
    @Test func decodedFieldNamesExistInTheSpec() throws {
        func check(_ type: String, _ keys: [String], orSubtypesOf union: Bool = false) throws {
            var known: Set<String>
            if union {
                let subtypes = try #require(spec.types[type]?.subtypes)
                known = Set(subtypes.flatMap { spec.fields(ofType: $0)?.map(\.name) ?? [] })
            } else {
                known = Set(try #require(spec.fields(ofType: type)).map(\.name))
            }
            let unknown = keys.filter { !known.contains($0) }
            #expect(unknown.isEmpty, "\(type) has no fields \(unknown)")
        }
        try check("User", User.CodingKeys.allCases.map(\.rawValue))
        try check("Chat", Chat.CodingKeys.allCases.map(\.rawValue))
        try check("MessageEntity", MessageEntity.CodingKeys.allCases.map(\.rawValue))
        try check("Message", Message.CodingKeys.allCases.map(\.rawValue))
        try check("CallbackQuery", CallbackQuery.CodingKeys.allCases.map(\.rawValue))
        try check("ChatMemberUpdated", ChatMemberUpdated.CodingKeys.allCases.map(\.rawValue))
        try check("ChatMember", ChatMember.CodingKeys.allCases.map(\.rawValue), orSubtypesOf: true)
        try check("Update", ["update_id"] + UpdateKind.allCases.map(\.rawValue))
        try check("ResponseParameters", ["retry_after", "migrate_to_chat_id"])
    }

    @Test func knownStatusesAndChatKindsAreTheSpecsValues() throws {
        let subtypes = try #require(spec.types["ChatMember"]?.subtypes)
        let statuses = try subtypes.map { subtype -> String in
            let field = try #require(spec.fields(ofType: subtype)?.first { $0.name == "status" })
            let quoted = field.description.split(separator: "\"")
            return String(try #require(quoted.count >= 2 ? quoted[1] : nil))
        }
        let ours: [ChatMember.Status] = [.creator, .administrator, .member, .restricted, .left, .kicked]
        #expect(Set(statuses) == Set(ours.map(\.rawValue)))

        let chatType = try #require(spec.fields(ofType: "Chat")?.first { $0.name == "type" })
        for kind in [Chat.Kind.private, .group, .supergroup, .channel] {
            #expect(chatType.description.contains("\"\(kind.rawValue)\""))
        }
    }
}
