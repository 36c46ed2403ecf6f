import Foundation

extension SimulatorState {
    /// Queues an update for the bot unless its kind is filtered out by `allowed_updates`
    /// (Telegram drops those when they happen), and wakes a waiting long poll.
    static let updateLifetime: TimeInterval = 24 * 3600

    @discardableResult
    mutating func enqueueUpdate(kind: String, payload: JSONValue) -> Int? {
        let allowed = allowedUpdates ?? Self.defaultAllowedUpdates
        guard allowed.contains(kind) else { return nil }
        let id = nextUpdateID
        nextUpdateID += 1
        updates.append(PendingUpdate(id: id, date: lastKnownNow, kind: kind, payload: [kind: payload]))
        if let poll = currentPollID, let resumption = polls.resolve(poll, with: .updatesArrived) {
            resumptions.append(resumption)
        }
        markChanged()
        return id
    }

    /// Forgets unconfirmed updates older than 24 hours, as Telegram does.
    mutating func expireUpdates(now: Date) {
        updates.removeAll { now.timeIntervalSince($0.date) > Self.updateLifetime }
    }

    /// Applies getUpdates' `offset` (confirming what lies below it) and `allowed_updates`.
    mutating func confirmUpdates(offset: Int?, allowed: [String]?) {
        if let allowed {
            allowedUpdates = allowed.isEmpty ? nil : Set(allowed)
        }
        guard let offset else { return }
        if offset < 0 {
            // A negative offset keeps only the last |offset| updates and forgets the rest.
            let keep = Int(min(UInt(updates.count), offset.magnitude))
            updates.removeFirst(updates.count - keep)
        } else {
            updates.removeAll { $0.id < offset }
        }
    }

    /// The updates a poll with this offset and limit would receive now.
    func deliverableUpdates(offset: Int?, limit: Int) -> [JSONValue] {
        let from = offset.map { $0 < 0 ? Int.min : $0 } ?? Int.min
        return updates.lazy.filter { $0.id >= from }.prefix(limit).map(\.json)
    }

    /// Ends a waiting long poll with 409 when another one arrives.
    mutating func supersedeCurrentPoll() {
        if let poll = currentPollID {
            if let resumption = polls.resolve(poll, with: .superseded) { resumptions.append(resumption) }
            currentPollID = nil
        }
    }

    /// Wakes every long poll and chat-page wait: the server is going away.
    mutating func shutDownWaits() {
        isShuttingDown = true
        if let poll = currentPollID, let resumption = polls.resolve(poll, with: .shuttingDown) {
            resumptions.append(resumption)
        }
        resumptions += changeWaits.resolveAll(with: .shuttingDown)
    }
}
