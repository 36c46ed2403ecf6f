#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension Texts {
    /// Said once to a person whose commands in a chat got as many answers as flood control
    /// allows per window; further commands of theirs get no answer until the window moved on.
    public static func tooManyCommands(_ person: Person, window: TimeInterval) -> String {
        "\(HTML.mention(person.mention)), that is a lot of commands at once; I will answer yours again in "
            + duration(window) + ". Incidents are not affected."
    }

    /// "a minute", "5 minutes", "30 seconds".
    static func duration(_ interval: TimeInterval) -> String {
        let seconds = max(1, Int(interval.rounded()))
        if seconds == 60 { return "a minute" }
        if seconds % 60 == 0 { return "\(seconds / 60) minutes" }
        return seconds == 1 ? "a second" : "\(seconds) seconds"
    }
}
