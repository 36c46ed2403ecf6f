import GRDB
@testable import Storage
import Testing

@Suite("Report rows put in incident order")
struct StoreIncidentOrderTests {
    /// The order by comparison: what `incidentOrder` must give.
    func expected(_ incidents: [Int64], _ seqs: [Int]) -> [Int32] {
        incidents.indices.sorted { (incidents[$0], seqs[$0]) < (incidents[$1], seqs[$1]) }.map(Int32.init)
    }

    @Test("dense ids (counted): rows of one incident scattered and out of seq order come out by (incident, seq)")
    func denseIds() {
        // Incident 7's rows arrive 2, 0, 1 among others; incident 3 alone; gaps between ids.
        let incidents: [Int64] = [7, 3, 7, 10, 5, 7, 10, 5]
        let seqs = [2, 0, 0, 1, 4, 1, 0, 3]
        #expect(Database.incidentOrder(incidents: incidents, seqs: seqs) == [1, 7, 4, 2, 5, 0, 6, 3])
        #expect(Database.incidentOrder(incidents: incidents, seqs: seqs) == expected(incidents, seqs))
    }

    @Test("ids spread far wider than the rows (sorted instead), and the trivial sizes")
    func sparseIdsAndTrivialSizes() {
        let incidents: [Int64] = [1 << 40, 5, 1 << 40, -3, 5]
        let seqs = [1, 9, 0, 2, 1]
        #expect(Database.incidentOrder(incidents: incidents, seqs: seqs) == [3, 4, 1, 2, 0])
        #expect(Database.incidentOrder(incidents: [], seqs: []) == [])
        #expect(Database.incidentOrder(incidents: [9], seqs: [4]) == [0])
    }

    @Test("random rows, dense and sparse: the same order as sorting by comparison")
    func randomRows() {
        var generator = SystemRandomNumberGenerator()
        for spread in [Int64(50), 5_000, 1 << 40] {
            // At most as many rows as there are distinct keys.
            let count = Int(min(Int64.random(in: 1...2_000, using: &generator), spread * 6))
            var keys = Set<[Int64]>()
            while keys.count < count {
                keys.insert([Int64.random(in: 0..<spread, using: &generator), Int64.random(in: 0..<6, using: &generator)])
            }
            let rows = keys.shuffled()
            let incidents = rows.map { $0[0] }
            let seqs = rows.map { Int($0[1]) }
            #expect(Database.incidentOrder(incidents: incidents, seqs: seqs) == expected(incidents, seqs))
        }
    }
}
