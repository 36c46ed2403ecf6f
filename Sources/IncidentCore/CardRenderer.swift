#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A Telegram inline keyboard button.
public struct InlineButton: Hashable, Codable, Sendable {
    public var text: String
    /// At most 64 bytes (see ``CallbackData``).
    public var callbackData: String
    public init(text: String, callbackData: String) {
        self.text = text
        self.callbackData = callbackData
    }
}

/// A card ready to send: `parse_mode: HTML` text and an inline keyboard.
public struct RenderedCard: Hashable, Codable, Sendable {
    public var html: String
    /// The text's length after Telegram parses it (UTF-16 units); at most 4096.
    public var visibleLength: Int
    public var keyboard: [[InlineButton]]
}

/// Turns a ``CardView`` into Telegram HTML and a keyboard. Pure: the same view always gives
/// the same text, so an unchanged card is never edited.
public enum CardRenderer {
    /// Names longer than this are shortened on the card.
    static let maximumNameLength = 64
    /// At most this many people are listed as working on it.
    static let maximumListedParticipants = 10

    public static func render(_ card: CardView) -> RenderedCard {
        let report = card.reportedText
        let summary = card.summary ?? ""
        // Measure everything but the two free texts, then share what is left between them.
        let fixed = compose(card, report: "", summary: "").visibleLength
        let budget = max(0, HTML.maximumMessageLength - fixed)
        let (reportLimit, summaryLimit) = share(
            budget, first: report.utf16.count, second: summary.utf16.count)
        let body = compose(
            card, report: HTML.shortened(report, toUTF16Length: reportLimit),
            summary: HTML.shortened(summary, toUTF16Length: summaryLimit))
        let keyboard = card.buttons.map { row in
            row.map { InlineButton(text: $0.label, callbackData: $0.data.encoded) }
        }
        return RenderedCard(html: body.html, visibleLength: body.visibleLength, keyboard: keyboard)
    }

    /// Splits `budget` between two texts: each gets what it needs if both fit; otherwise a
    /// short one keeps its length and the long one gets the rest, or both get half.
    static func share(_ budget: Int, first: Int, second: Int) -> (Int, Int) {
        if first + second <= budget { return (first, second) }
        let half = budget / 2
        if second <= half { return (budget - second, second) }
        if first <= half { return (first, budget - first) }
        return (budget - half, half)
    }

    private static func name(_ name: CardView.Name) -> String {
        var text = HTML.shortened(name.displayName, toUTF16Length: maximumNameLength)
        if let handle = name.handle { text += " (" + handle.description + ")" }
        return text
    }

    private static func compose(_ card: CardView, report: String, summary: String) -> HTMLComposer {
        var out = HTMLComposer()
        out.bold(card.number.description)
        out.text(" · ")
        out.bold(Texts.status(card.status))
        out.newline()
        out.text(Texts.reportedBy + name(card.reporter))
        out.newline()
        out.markup("<blockquote>")
        out.text(report)
        out.markup("</blockquote>")
        composeAttachments(card, into: &out)
        if let department = card.departmentName {
            out.newline()
            out.text(Texts.department)
            out.bold(HTML.shortened(department, toUTF16Length: maximumNameLength))
        }
        if !card.participants.isEmpty && !card.status.isFinished {
            out.newline()
            let listed = card.participants.prefix(maximumListedParticipants).map(name)
            var line = Texts.onIt + listed.joined(separator: ", ")
            if card.participants.count > listed.count {
                line += Texts.andMore(card.participants.count - listed.count)
            }
            out.text(line)
        }
        switch card.status {
        case .awaitingSummary:
            if let resolver = card.resolver {
                out.newline()
                out.text(Texts.resolveRequestedBy + name(resolver) + Texts.waitingForSummary)
            }
        case .resolved:
            if let resolver = card.resolver {
                out.newline()
                out.text(Texts.resolvedBy + name(resolver))
            }
            if card.summary != nil {
                out.newline()
                out.text(Texts.summary)
                out.newline()
                out.markup("<blockquote>")
                out.text(summary)
                out.markup("</blockquote>")
            }
        case .closed:
            out.newline()
            out.text(Texts.closedWithoutSummary)
        case .awaitingDepartment:
            out.newline()
            out.text(Texts.chooseDepartment)
        case .awaitingClaim, .inProgress:
            if card.isPickerOpen {
                out.newline()
                out.text(Texts.chooseNewDepartment)
            }
        }
        return out
    }
}
