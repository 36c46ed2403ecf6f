import Foundation

/// How a person's message is sent, beyond its text: on behalf of a chat, with an attachment.
extension ControlAPI {
    /// `"anonymous": true` (an administrator posting as the group) or `"sender_chat": {"id":
    /// -100..., "title": "...", "username": "..."}` (posting as a channel); neither: as the person.
    static func postingIdentity(_ input: BotAPIParameters) throws(ControlError) -> PostingIdentity {
        let anonymous: Bool
        if let value = input.value("anonymous") {
            guard let flag = value.boolValue else { throw .badRequest("\"anonymous\" must be true or false") }
            anonymous = flag
        } else {
            anonymous = false
        }
        guard let channel = input.value("sender_chat") else { return anonymous ? .anonymousAdministrator : .person }
        guard !anonymous else { throw .badRequest("\"anonymous\" and \"sender_chat\" exclude each other") }
        guard let id = channel["id"]?.intValue, let title = channel["title"]?.stringValue, !title.isEmpty else {
            throw .badRequest("\"sender_chat\" needs an integer \"id\" and a \"title\"")
        }
        return .channel(id: id, title: title, username: channel["username"]?.stringValue)
    }

    /// `"photo": {"width": 1280, "height": 960}` (or `true`), `"document": {"file_name": "...",
    /// "mime_type": "..."}` (or `true`), `"location": {"latitude": 52.37, "longitude": 4.9}`;
    /// at most one. File ids are made up, unique per message.
    static func attachment(_ input: BotAPIParameters) throws(ControlError) -> Attachment? {
        let given = ["photo", "document", "location"].filter { input.value($0) != nil }
        guard given.count <= 1 else { throw .badRequest("at most one of \"photo\", \"document\", \"location\"") }
        guard let kind = given.first, let value = input.value(kind) else { return nil }
        let token = UUID().uuidString.replacingOccurrences(of: "-", with: "")
        switch kind {
        case "photo":
            let width = value["width"]?.intValue ?? 1280
            let height = value["height"]?.intValue ?? 960
            guard (1...10_000).contains(width), (1...10_000).contains(height) else {
                throw .badRequest("photo width and height must be 1-10000")
            }
            return .photo(fileID: "AgACAgQ-sim-" + token, uniqueID: "AQAD" + token.prefix(12), width: width, height: height)
        case "document":
            return .document(
                fileID: "BQACAgQ-sim-" + token, uniqueID: "AgAD" + token.prefix(12),
                fileName: value["file_name"]?.stringValue, mimeType: value["mime_type"]?.stringValue)
        default:
            guard let latitude = value["latitude"]?.doubleValue, let longitude = value["longitude"]?.doubleValue,
                (-90...90).contains(latitude), (-180...180).contains(longitude)
            else { throw .badRequest("\"location\" needs \"latitude\" (-90 to 90) and \"longitude\" (-180 to 180)") }
            return .location(latitude: latitude, longitude: longitude)
        }
    }
}
