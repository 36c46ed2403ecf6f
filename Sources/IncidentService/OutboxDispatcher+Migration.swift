import IncidentCore
import Storage

extension OutboxDispatcher {
    /// Whether the card an edit targeted is still the incident's card (see
    /// ``OutboxDispatch/cardChecked(_:isCurrent:now:)``).
    func isCurrentCard(_ item: OutboxItem) async throws -> Bool {
        guard let incident = item.incidentID else { return true }
        return try await store.isCurrentCard(item.cardMessageID, of: incident)
    }
}
