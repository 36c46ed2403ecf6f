extension Texts {
    /// The group was attached to a company (by `/activate CODE` or a manager's approval).
    public static func groupActivated(companyName: String) -> String {
        "This group is now active for <b>\(HTML.escape(companyName))</b>. Reply <b>/new_issue</b> to a message to report a problem."
    }

    /// A company manager denied the pending group.
    public static let groupDenied =
        "A manager declined to activate this group, so I will not run incidents here. A group administrator can still activate it with <b>/activate CODE</b> and a code from the dashboard."

    static func activationRefusal(_ reason: ActivationRefusal) -> String {
        switch reason {
        case .administratorsOnly: "Only an administrator of this group can activate it."
        case .usage: "Usage: /activate CODE, with the activation code shown on your company's dashboard."
        case .unknownCode: "That activation code is not valid. Check it on the dashboard, or create a new one there."
        case .usedCode: "That activation code was already used. Create a new one on the dashboard."
        case .expiredCode: "That activation code has expired. Create a new one on the dashboard."
        case .alreadyActive: "This group is already active."
        }
    }
}
