#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Texts {
    /// Said once in a group when pinning fails for lack of the right (again only after the
    /// right was given and taken away again).
    public static let pinRightMissing =
        "I can't pin incident cards here: I need the right to pin messages. An administrator can give it to me in the group's settings (Administrators → this bot → Pin messages). Until then, cards stay unpinned."
}
