import IncidentCore

extension OutboxDispatcher {
    /// Pins and unpins fail with "not enough rights" when the bot lacks the pin right; the
    /// group is then told once (see `IncidentStore.notePinRightMissing(outbox:now:)`).
    nonisolated func isPinning(_ effect: Effect) -> Bool {
        switch effect {
        case .pinCard, .unpinCard: true
        default: false
        }
    }
}
