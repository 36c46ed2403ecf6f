import IncidentCore
import IncidentKPI
import Testing

@Suite("UserSlots: a number per person without seeded hashing")
struct UserSlotsTests {
    @Test("numbers people 0, 1, 2 ... in order of first sight and gives each the same number again")
    func numbersInOrderOfFirstSight() {
        var slots = UserSlots()
        #expect(slots.slot(UserID(42)) == 0)
        #expect(slots.slot(UserID(-7)) == 1)
        #expect(slots.slot(UserID(42)) == 0)
        #expect(slots.slot(UserID(1 << 52)) == 2)
        #expect(slots.slot(UserID(-7)) == 1)
        #expect(slots.people == [UserID(42), UserID(-7), UserID(1 << 52)])
        #expect(slots.count == 3)
    }

    @Test("agrees with a dictionary over thousands of people, growing and colliding on the way")
    func agreesWithADictionary() {
        var slots = UserSlots()
        var reference: [UserID: Int] = [:]
        var generator = SystemRandomNumberGenerator()
        // Ids that share their low bits and ids far apart, looked up again and again.
        let ids = (0..<3000).map { Int64($0) << 32 } + (0..<3000).map { _ in Int64.random(in: .min ... .max, using: &generator) }
        for _ in 0..<3 {
            for id in ids.shuffled() {
                let user = UserID(id)
                let expected = reference[user] ?? reference.count
                reference[user] = expected
                #expect(slots.slot(user) == expected)
            }
        }
        #expect(slots.count == reference.count)
        #expect(slots.people.enumerated().allSatisfy { reference[$0.element] == $0.offset })
    }
}
