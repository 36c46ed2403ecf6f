/// Counts a child's exits that look like the same failure again: the same status, each
/// before the child was stable. A stable run or a different status starts the count again.
struct CrashLoop: Sendable, Equatable {
    let limit: Int
    private(set) var count = 0
    private var lastStatus: Int32?

    init(limit: Int) { self.limit = max(1, limit) }

    /// Records an exit; true when the child has now failed the same way `limit` times in a row.
    mutating func exited(status: Int32, stable: Bool) -> Bool {
        if stable || status != lastStatus {
            count = 0
        }
        lastStatus = status
        if stable { return false }
        count += 1
        return count >= limit
    }
}
