import Foundation
import TelegramBotAPI
import WireProtocol

extension InboundRelay {
    /// For each `/activate` command of a person in a group, whether Telegram says the sender
    /// is the group's owner or an administrator (getChatMember), by update id. The incident
    /// service lets only them attach a group to a company. A failed call leaves the answer out,
    /// which the incident service treats as "not an administrator": the person is refused and
    /// may send the command again.
    func administratorStatus(of updates: [Update], normalizer: UpdateNormalizer) async -> [Int64: Bool] {
        var statuses: [Int64: Bool] = [:]
        for update in updates {
            guard case .event(let event) = normalizer.normalize(update),
                case .command(let name, _, _, _) = event.kind, name.lowercased() == "activate",
                event.chat.kind == .group || event.chat.kind == .supergroup,
                event.senderChat == nil, let from = event.from
            else { continue }
            do throws(BotAPIError) {
                let member = try await client.getChatMember(chatID: event.chat.id, userID: from.id)
                statuses[event.updateID] = member.status == .creator || member.status == .administrator
            } catch {
                logger.warning(
                    "could not ask Telegram whether the sender of /activate is an administrator",
                    metadata: ["chat.id": "\(event.chat.id)", "update.id": "\(event.updateID)", "error": "\(error)"])
            }
        }
        return statuses
    }
}
