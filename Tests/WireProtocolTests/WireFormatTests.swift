import Foundation
import Testing
@testable import WireProtocol

private let when = Date(timeIntervalSince1970: 1_764_000_000.123)
private let reporter = UserRef(id: 42, username: "driver_ann", firstName: "Ann", lastName: "Lee")
private let group = WireChat(id: -100_123, kind: .supergroup, title: "Night shift <ops>")

@Suite("Envelope round trips")
struct RoundTripTests {
    static let inboundKinds: [InboundEvent.Kind] = [
        .command(name: "new_issue", arguments: "", messageID: 10,
                 replyTo: ReferencedMessage(messageID: 9, text: "Truck 12 <flat> & stuck", from: reporter)),
        .command(name: "help", arguments: "now", messageID: 11, replyTo: nil),
        .reply(messageID: 12, text: "Replaced the tyre", replyTo: ReferencedMessage(messageID: 5, text: nil, from: nil)),
        .buttonPress(callbackQueryID: "q-1", messageID: 5, data: "c:17:3"),
        .buttonPress(callbackQueryID: "q-2", messageID: nil, data: ""),
        .botMembership(BotMembership(status: .administrator, canPinMessages: true)),
        .botMembership(BotMembership(status: .removed, canPinMessages: false)),
        .chatMigrated(toChatID: -100_999),
    ]

    @Test("inbound events", arguments: inboundKinds)
    func inbound(kind: InboundEvent.Kind) throws {
        let envelope = Envelope(
            type: .inboundEvent, causationID: nil, sender: .gateway, time: when,
            payload: InboundEvent(updateID: 7, chat: group, from: reporter, kind: kind))
        let frames = try WireFormat.encode(envelope)
        #expect(frames.count == 2)
        let decoded = try WireFormat.decode(frames, as: InboundEvent.self)
        #expect(decoded == envelope)
    }

    static let actions: [OutboundIntent.Action] = [
        .sendMessage(SendMessage(
            text: "<b>#0001</b> &amp;", replyToMessageID: 3,
            keyboard: [[WireButton(text: "Claim", callbackData: "c:1:1")]],
            forceReply: WireForceReply(selective: true, placeholder: "Summary"), disableNotification: true)),
        .editMessage(target: .message(id: 5), text: "x", keyboard: []),
        .editMessage(target: .sentBy(intentID: 3), text: "y", keyboard: [[WireButton(text: "a", callbackData: "b")]]),
        .editKeyboard(target: .message(id: 5), keyboard: []),
        .answerCallback(callbackQueryID: "q", text: "This card has changed", showAlert: true),
        .answerCallback(callbackQueryID: "q", text: nil, showAlert: false),
        .pin(target: .sentBy(intentID: 9), disableNotification: true),
        .unpin(target: .message(id: 9)),
        .delete(target: .message(id: 9)),
    ]

    @Test("outbound intents", arguments: actions)
    func outbound(action: OutboundIntent.Action) throws {
        let envelope = Envelope(
            type: .outboundIntent, causationID: "evt-1", sender: .incidents, time: when,
            payload: OutboundIntent(id: 77, chatID: -1, action: action, coalescingKey: "card:1"))
        #expect(try WireFormat.decode(WireFormat.encode(envelope), as: OutboundIntent.self) == envelope)
    }

    static let outcomes: [IntentResult.Outcome] = [
        .delivered(messageID: 12), .delivered(messageID: nil), .notModified, .superseded,
        .messageNotFound, .notEnoughRights, .forbidden(description: "Forbidden: bot was kicked from the group chat"),
        .chatMigrated(newChatID: -100_5), .queryTooOld, .rejected(description: "Bad Request: chat not found"),
        .gaveUp(description: "5 attempts"),
    ]

    @Test("intent results", arguments: outcomes)
    func results(outcome: IntentResult.Outcome) throws {
        let envelope = Envelope(
            type: .intentResult, causationID: "i-77", sender: .sender, time: when,
            payload: IntentResult(intentID: 77, chatID: -1, outcome: outcome))
        #expect(try WireFormat.decode(WireFormat.encode(envelope), as: IntentResult.self) == envelope)
    }

    @Test func acknowledgementsAndTicks() throws {
        let ack = Envelope(
            type: .acknowledgement, causationID: "evt-1", sender: .incidents, time: when,
            payload: Acknowledgement(updateID: 7, outcome: .duplicate))
        #expect(try WireFormat.decode(WireFormat.encode(ack), as: Acknowledgement.self) == ack)
        let tick = Envelope(type: .slaTick, sender: .scheduler, time: when, payload: SLATick(sequence: 3, at: when))
        #expect(try WireFormat.decode(WireFormat.encode(tick), as: SLATick.self) == tick)
        let ready = Envelope(type: .senderReady, sender: .sender, time: when, payload: SenderReady(session: "s-1", credit: 32))
        #expect(try WireFormat.decode(WireFormat.encode(ready), as: SenderReady.self) == ready)
    }

    @Test func headerIsReadableJSONWithMillisecondUTCTime() throws {
        let tick = Envelope(type: .slaTick, id: "abc", sender: .scheduler, time: when, payload: SLATick(sequence: 1, at: when))
        let header = try #require(String(data: try WireFormat.encode(tick)[0], encoding: .utf8))
        #expect(header == #"{"id":"abc","sender":"scheduler","time":"2025-11-24T16:00:00.123Z","type":"sla_tick","v":1}"#)
    }

    @Test func unknownPayloadFieldsAreIgnored() throws {
        let tick = Envelope(type: .slaTick, sender: .scheduler, time: when, payload: SLATick(sequence: 1, at: when))
        var frames = try WireFormat.encode(tick)
        frames[1] = Data(#"{"sequence":1,"at":"2025-11-24T16:00:00.123Z","added_later":true}"#.utf8)
        #expect(try WireFormat.decode(frames, as: SLATick.self).payload == tick.payload)
    }
}

@Suite("Bad frames are refused with a reason")
struct BadFrameTests {
    static func goodFrames() throws -> [Data] {
        try WireFormat.encode(Envelope(type: .slaTick, sender: .scheduler, time: when, payload: SLATick(sequence: 1, at: when)))
    }

    static func header(_ json: String) throws -> [Data] {
        [Data(json.utf8), try goodFrames()[1]]
    }

    @Test func wrongFrameCount() throws {
        let frames = try Self.goodFrames()
        for bad in [[], [frames[0]], frames + [Data()]] {
            #expect(throws: FrameError.self) { try WireFormat.decodeHeader(bad) }
            do throws(FrameError) { _ = try WireFormat.decodeHeader(bad) } catch { #expect(error.kind == .wrongFrameCount) }
        }
    }

    @Test func tooLarge() throws {
        var frames = try Self.goodFrames()
        frames[1] = Data(repeating: 0x20, count: 2048)
        do {
            _ = try WireFormat.decode(frames, as: SLATick.self, maximumFrameBytes: 1024)
            Issue.record("an oversized frame was accepted")
        } catch {
            #expect(error.kind == .tooLarge)
            #expect(error.description.contains("2048 bytes"))
        }
    }

    static let badHeaders: [(String, FrameError.Kind)] = [
        ("not json at all", .malformed),
        ("", .malformed),
        ("[1,2,3]", .malformed),
        (#"{"v":1,"type":"sla_tick","id":"x","sender":"scheduler"}"#, .malformed),
        (#"{"v":"1","type":"sla_tick","id":"x","sender":"scheduler","time":"2025-11-24T16:00:00Z"}"#, .malformed),
        (#"{"v":1,"type":"sla_tick","id":"x","sender":"scheduler","time":"yesterday"}"#, .malformed),
        (#"{"v":1,"type":"sla_tick","id":"x","sender":"postman","time":"2025-11-24T16:00:00Z"}"#, .malformed),
        (#"{"v":2,"type":"sla_tick","id":"x","sender":"scheduler","time":"2025-11-24T16:00:00Z"}"#, .unknownVersion),
        (#"{"v":0,"type":"sla_tick","id":"x","sender":"scheduler","time":"2025-11-24T16:00:00Z"}"#, .unknownVersion),
        (#"{"v":1,"type":"launch_rockets","id":"x","sender":"scheduler","time":"2025-11-24T16:00:00Z"}"#, .unknownType),
    ]

    @Test("bad headers", arguments: badHeaders)
    func badHeader(json: String, kind: FrameError.Kind) throws {
        let frames = try Self.header(json)
        do {
            _ = try WireFormat.decodeHeader(frames)
            Issue.record("accepted \(json)")
        } catch {
            #expect(error.kind == kind)
        }
    }

    @Test func plainTimeWithoutFractionIsAccepted() throws {
        let header = try WireFormat.decodeHeader(try Self.header(
            #"{"v":1,"type":"sla_tick","id":"x","sender":"scheduler","time":"2025-11-24T16:00:00Z"}"#))
        #expect(header.time == Date(timeIntervalSince1970: 1_764_000_000))
    }

    @Test func payloadThatDoesNotDecode() throws {
        var frames = try Self.goodFrames()
        frames[1] = Data(#"{"sequence":"one"}"#.utf8)
        do {
            _ = try WireFormat.decode(frames, as: SLATick.self)
            Issue.record("accepted a bad payload")
        } catch {
            #expect(error.kind == .malformed)
            #expect(error.description.contains("sequence"))
        }
        frames[1] = Data([0xff, 0xfe, 0x00])
        #expect(throws: FrameError.self) { try WireFormat.decode(frames, as: SLATick.self) }
    }

    @Test func typeAndPayloadMustAgree() throws {
        let frames = try Self.goodFrames()
        do {
            _ = try WireFormat.decode(frames, as: Acknowledgement.self)
            Issue.record("a tick was decoded as an acknowledgement")
        } catch {
            #expect(error.kind == .unexpectedType)
        }
    }

    @Test func randomBytesNeverCrash() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let count = Int.random(in: 0...3, using: &generator)
            let frames = (0..<count).map { _ in
                Data((0..<Int.random(in: 0...64, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) })
            }
            #expect(throws: FrameError.self) { try WireFormat.decode(frames, as: InboundEvent.self) }
        }
    }
}
