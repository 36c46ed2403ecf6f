import IncidentCore

/// A number (0, 1, 2, ... in order of first sight) for each person, looked up by id without
/// Swift's seeded hashing: a report looks up a person for each of hundreds of thousands of
/// participations and sessions among a few dozen people, and SipHash was a tenth of the
/// people report's time. Open addressing over a power-of-two table, Fibonacci hashing.
public struct UserSlots {
    private var keys: [Int64]
    private var slots: [Int32]
    private var used: [Bool]
    private var shift: Int
    /// The people in the order they were first seen: `people[slot]`.
    public private(set) var people: [UserID] = []

    public init() {
        keys = Array(repeating: 0, count: 64)
        slots = Array(repeating: 0, count: 64)
        used = Array(repeating: false, count: 64)
        shift = 64 - 6
    }

    public var count: Int { people.count }

    /// The slot of `user`, given the next free one if it had none.
    public mutating func slot(_ user: UserID) -> Int {
        var position = index(user.rawValue)
        while used[position] {
            if keys[position] == user.rawValue { return Int(slots[position]) }
            position = (position + 1) & (keys.count - 1)
        }
        let slot = people.count
        used[position] = true
        keys[position] = user.rawValue
        slots[position] = Int32(slot)
        people.append(user)
        if people.count * 2 > keys.count { grow() }
        return slot
    }

    private func index(_ key: Int64) -> Int {
        Int(truncatingIfNeeded: (UInt64(bitPattern: key) &* 0x9E37_79B9_7F4A_7C15) >> UInt64(shift))
    }

    private mutating func grow() {
        let old = (keys, slots, used)
        keys = Array(repeating: 0, count: old.0.count * 2)
        slots = Array(repeating: 0, count: old.0.count * 2)
        used = Array(repeating: false, count: old.0.count * 2)
        shift -= 1
        for position in old.0.indices where old.2[position] {
            var target = index(old.0[position])
            while used[target] { target = (target + 1) & (keys.count - 1) }
            used[target] = true
            keys[target] = old.0[position]
            slots[target] = old.1[position]
        }
    }
}
