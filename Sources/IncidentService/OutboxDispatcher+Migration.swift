import IncidentCore
import IncidentStore

extension OutboxDispatcher {
    /// Whether the card an edit targeted is still the incident's card. After a group migration
    /// the card is posted afresh in the supergroup; an edit of the old card, retried there and
    /// answered "message to edit not found", must not post yet another copy.
    func isCurrentCard(_ item: OutboxItem) async throws -> Bool {
        guard let incident = item.incidentID else { return true }
        return try await store.isCurrentCard(item.cardMessageID, of: incident)
    }
}
