#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension IncidentMachine {
    /// What came with the reported message, and where it is: shown on the card when there is
    /// something attached.
    static func withAttachments(_ view: inout CardView, _ incident: Incident) {
        view.attachments = incident.report.attachments
        if !incident.report.attachments.isEmpty, let message = incident.report.messageID {
            view.originalMessageLink = Attachment.messageLink(chat: incident.chatID, message: message)
        }
    }
}

extension CardRenderer {
    /// One line per attachment ("📷 Photo attached", "📄 Document: damage.pdf",
    /// "📍 Location: 52.37020, 4.89520") and a link to the original message.
    static func composeAttachments(_ card: CardView, into out: inout HTMLComposer) {
        for attachment in card.attachments {
            out.newline()
            out.text(Texts.attachmentLine(attachment))
        }
        if let link = card.originalMessageLink {
            out.newline()
            out.markup("<a href=\"\(HTML.escape(link))\">")
            out.text(Texts.originalMessage)
            out.markup("</a>")
        }
    }
}

extension Texts {
    static func attachmentLine(_ attachment: Attachment) -> String {
        switch attachment.kind {
        case .photo:
            "📷 Photo attached"
        case .document:
            attachment.fileName.map { "📄 Document: " + String($0.prefix(64)) } ?? "📄 Document attached"
        case .location:
            if let latitude = attachment.latitude, let longitude = attachment.longitude {
                "📍 Location: " + coordinate(latitude) + ", " + coordinate(longitude)
            } else {
                "📍 Location attached"
            }
        }
    }

    static let originalMessage = "Original message"

    /// Five decimals (about a metre), without Foundation's formatters.
    static func coordinate(_ value: Double) -> String {
        let scaled = (abs(value) * 100_000).rounded()
        let whole = Int(scaled) / 100_000
        let fraction = String(Int(scaled) % 100_000)
        return (value < 0 ? "-" : "") + "\(whole)." + String(repeating: "0", count: 5 - fraction.count) + fraction
    }
}
