import WireProtocol

/// Results of completed intents, the oldest forgotten first.
struct RecentResults {
    private var map: BoundedMap<Int64, IntentResult>

    init(limit: Int) {
        map = BoundedMap(limit: limit)
    }

    subscript(id: Int64) -> IntentResult? {
        get { map[id] }
        set { map[id] = newValue }
    }

    var count: Int { map.count }
}
