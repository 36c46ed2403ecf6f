import Foundation
import IncidentCore
import Testing

typealias CardAttachment = IncidentCore.Attachment

/// The card says what came with the reported message and links to it.
@Suite struct AttachmentCardTests {
    static func created(chat: ChatRef, attachments: [CardAttachment]) throws -> Incident {
        let request = CreateRequest(
            reporter: Fixture.reporter, commandMessageID: 501,
            reported: .init(messageID: 500, text: "Dent <rear> & door", attachments: attachments))
        let context = CreationContext(
            group: Group(chatID: chat.id, companyID: Fixture.company, status: .active, managerIDs: [Fixture.manager.id]),
            departments: Fixture.departments, members: Fixture.members, reporterIsRegisteredDriver: true,
            incidentID: Fixture.incidentID, number: 1, policy: Fixture.policy)
        return try IncidentMachine.create(request, in: chat, context: context, now: Fixture.t0).get().incident
    }

    @Test func photoDocumentLocationAndLink() throws {
        let attachments = [
            CardAttachment(kind: .photo, fileID: "AgACAgQ-1"),
            CardAttachment(kind: .document, fileID: "BQACAgQ-2", fileName: "damage <report>.pdf", mimeType: "application/pdf"),
            CardAttachment(kind: .location, latitude: 52.3702, longitude: -4.89),
        ]
        let incident = try Self.created(chat: Fixture.chat, attachments: attachments)
        #expect(incident.report.attachments == attachments)
        let card = IncidentMachine.card(for: incident, context: Fixture.context)
        #expect(card.attachments == attachments)
        // The fixture's chat id (-100123) is not a supergroup id of the -100xxxxxxxxxx form: no link.
        #expect(card.originalMessageLink == nil)
        let rendered = CardRenderer.render(card)
        #expect(rendered.html.contains("📷 Photo attached"))
        #expect(rendered.html.contains("📄 Document: damage &lt;report&gt;.pdf"))
        #expect(rendered.html.contains("📍 Location: 52.37020, -4.89000"))
    }

    @Test func linkToTheOriginalMessageInASupergroup() throws {
        let chat = ChatRef(id: -1_001_234_567_890, kind: .supergroup, title: "Fleet")
        let incident = try Self.created(chat: chat, attachments: [CardAttachment(kind: .photo, fileID: "x")])
        let rendered = CardRenderer.render(IncidentMachine.card(for: incident, context: Fixture.context))
        #expect(rendered.html.contains("<a href=\"https://t.me/c/1234567890/500\">Original message</a>"))
        #expect(CardAttachment.messageLink(chat: ChatID(-4_000_000_001), message: 5) == nil)
    }

    @Test func plainTextCardIsUnchanged() throws {
        let incident = try Self.created(chat: ChatRef(id: -1_001_234_567_890, kind: .supergroup), attachments: [])
        let rendered = CardRenderer.render(IncidentMachine.card(for: incident, context: Fixture.context))
        #expect(!rendered.html.contains("attached"))
        #expect(!rendered.html.contains("Original message"))
    }
}
