#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Why `/activate CODE` did not attach the group to a company.
public enum ActivationRefusal: Hashable, Codable, Sendable {
    /// Only an administrator of the group may activate it.
    case administratorsOnly
    /// `/activate` without a code, or with something that cannot be a code.
    case usage
    /// No such code (mistyped, or of no company).
    case unknownCode
    /// The code was used already (codes are single use).
    case usedCode
    /// The code is past its expiry time.
    case expiredCode
    /// The group is already active for a company.
    case alreadyActive
}

/// What the store found for an activation code.
public enum ActivationCodeLookup: Hashable, Sendable {
    case valid(CompanyID, companyName: String)
    case unknown
    case used
    case expired
}

extension ChatDecisions {
    /// `/activate CODE` in a group: an administrator of the group attaches it to the company
    /// that created the code. `code` is nil when the argument cannot be a code at all.
    /// On success the group becomes active for `company` and is told so.
    public static func activate(
        in chat: ChatRef, group: Group?, senderIsAdministrator: Bool, code: ActivationCodeLookup?,
        command: MessageID
    ) -> Result<(company: CompanyID, effects: [Effect]), Refusal> {
        guard chat.kind.isGroup else { return .failure(.groupsOnly) }
        guard senderIsAdministrator else { return .failure(.activation(.administratorsOnly)) }
        if let group, group.isActive { return .failure(.activation(.alreadyActive)) }
        switch code {
        case nil: return .failure(.activation(.usage))
        case .unknown?: return .failure(.activation(.unknownCode))
        case .used?: return .failure(.activation(.usedCode))
        case .expired?: return .failure(.activation(.expiredCode))
        case .valid(let company, let name)?:
            return .success((company, [.sendMessage(OutgoingMessage(
                incidentID: nil, html: Texts.groupActivated(companyName: name), replyTo: .message(command)))]))
        }
    }

    /// A company manager approved the pending group on the dashboard (or the admin API).
    public static func approved(companyName: String) -> [Effect] {
        [.sendMessage(OutgoingMessage(incidentID: nil, html: Texts.groupActivated(companyName: companyName)))]
    }

    /// A company manager denied the pending group.
    public static func denied() -> [Effect] {
        [.sendMessage(OutgoingMessage(incidentID: nil, html: Texts.groupDenied))]
    }
}
