#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Everything the card shows, as data; ``CardRenderer`` turns it into HTML and a keyboard.
public struct CardView: Hashable, Codable, Sendable {
    /// A person as the card names them (plain text, no notification).
    public struct Name: Hashable, Codable, Sendable {
        public var displayName: String
        public var handle: Handle?
        public init(displayName: String, handle: Handle?) {
            self.displayName = displayName
            self.handle = handle
        }
    }

    /// One button: its label and what it sends back.
    public struct Button: Hashable, Codable, Sendable {
        public var label: String
        public var data: CallbackData
        public init(label: String, data: CallbackData) {
            self.label = label
            self.data = data
        }
    }

    public var incidentID: IncidentID
    public var number: IncidentNumber
    /// The version the buttons carry.
    public var version: Int
    public var status: IncidentStatus
    public var reporter: Name
    /// The reported text, raw (the renderer escapes and shortens it).
    public var reportedText: String
    public var departmentName: String?
    /// Who is on it now.
    public var participants: [Name]
    /// Who pressed Resolve (awaiting_summary) or resolved it.
    public var resolver: Name?
    public var summary: String?
    /// The department picker is showing instead of the usual buttons.
    public var isPickerOpen: Bool
    /// Rows of buttons.
    public var buttons: [[Button]]
    /// What came with the reported message, and a link to it (supergroups only).
    public var attachments: [Attachment] = []
    public var originalMessageLink: String? = nil

    public init(
        incidentID: IncidentID, number: IncidentNumber, version: Int, status: IncidentStatus,
        reporter: Name, reportedText: String, departmentName: String?, participants: [Name],
        resolver: Name?, summary: String?, isPickerOpen: Bool, buttons: [[Button]]
    ) {
        self.incidentID = incidentID
        self.number = number
        self.version = version
        self.status = status
        self.reporter = reporter
        self.reportedText = reportedText
        self.departmentName = departmentName
        self.participants = participants
        self.resolver = resolver
        self.summary = summary
        self.isPickerOpen = isPickerOpen
        self.buttons = buttons
    }
}
