#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Personal messages: `/start` in a private chat registers a person for them; `/notify on|off`
/// turns them on or off.
extension ChatDecisions {
    /// What `/notify` asks for.
    public enum NotifyRequest: Hashable, Sendable {
        case on, off
        /// No argument or an unknown one: the person is told how to use it.
        case show
    }

    /// Parses `/notify`'s argument (`on`, `off`, case and surrounding spaces ignored).
    public static func notifyRequest(_ argument: String) -> NotifyRequest {
        switch argument.trimmedOfWhitespace.lowercased() {
        case "on": .on
        case "off": .off
        default: .show
        }
    }

    /// `/start` in private: personal messages on, and the person is told what they will get.
    /// Elsewhere `/start` is `/help`.
    public static func start(in chat: ChatRef, command: MessageID) -> (register: Bool, effects: [Effect]) {
        guard chat.kind == .private else { return (false, help(replyingTo: command)) }
        return (true, [.sendMessage(OutgoingMessage(incidentID: nil, html: Texts.directStarted))])
    }

    /// `/notify on|off` in private: the new setting (nil: unchanged) and the answer. In a group
    /// it changes nothing and says to use it in private.
    public static func notify(
        _ request: NotifyRequest, in chat: ChatRef, enabled: Bool, command: MessageID
    ) -> (enabled: Bool?, effects: [Effect]) {
        guard chat.kind == .private else {
            return (nil, [.sendMessage(OutgoingMessage(incidentID: nil, html: Texts.notifyInPrivate, replyTo: .message(command)))])
        }
        switch request {
        case .on: return (true, [.sendMessage(OutgoingMessage(incidentID: nil, html: Texts.notifyOn))])
        case .off: return (false, [.sendMessage(OutgoingMessage(incidentID: nil, html: Texts.notifyOff))])
        case .show:
            return (nil, [.sendMessage(OutgoingMessage(incidentID: nil, html: Texts.notifyUsage(enabled: enabled)))])
        }
    }
}

/// Decisions about shifts.
public enum ShiftDecisions {
    /// A shift started while incidents of its department wait for a claim in its group: its
    /// person is mentioned once with their numbers.
    public static func shiftStarted(_ person: Mention, department: Department, waiting: [IncidentNumber]) -> [Effect] {
        guard !waiting.isEmpty else { return [] }
        return [.sendMessage(OutgoingMessage(
            incidentID: nil, html: Texts.shiftStarted(person, department: department.name, waiting: waiting),
            purpose: .reminder))]
    }
}
