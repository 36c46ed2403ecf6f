import Foundation
import IncidentCore
import PropertyBased
import Testing

@Suite struct CallbackDataTests {
    static let actions: [ButtonAction] = [
        .chooseDepartment(7), .claim, .join, .leave, .resolve, .cancelResolve, .reopen, .openPicker,
        .pickDepartment(DepartmentID(Int64.max)), .closePicker,
    ]

    @Test(arguments: actions)
    func roundTripsAndFitsTelegramLimit(_ action: ButtonAction) throws {
        let data = CallbackData(incidentID: IncidentID(Int64.max), cardVersion: Int(Int32.max), action: action)
        #expect(data.encoded.utf8.count <= 64)
        #expect(CallbackData(parsing: data.encoded) == data)
    }

    @Test func isCompact() {
        #expect(CallbackData(incidentID: 71, cardVersion: 3, action: .claim).encoded == "c:1z:3")
        #expect(CallbackData(incidentID: 71, cardVersion: 4, action: .pickDepartment(5)).encoded == "t:1z:4:5")
    }

    @Test(arguments: [
        "", ":", "c", "c:", "c:1", "c::1", "c:1:", "c:1z:3:", "c:1z:3:4", "d:1z:3", "q:1:1",
        "C:1:1", "c:1Z:3", "c:-1:3", "c:+1:3", "c:0:3", "c:01:3", "c:1:03", "c: 1:3", "c:1:3 ",
        "c:zzzzzzzzzzzzzz:1", "c:1:zzzzzzzzzzzzz", "c:1:3:4:5", "t:1:1:-2", "💥:1:1",
        String(repeating: "a", count: 65), "c:1z:3\u{0}", "c\u{301}:1:1",
    ])
    func rejectsGarbage(_ text: String) {
        #expect(CallbackData(parsing: text) == nil)
    }

    @Test func randomStringsNeverCrashAndOnlyCanonicalOnesParse() async {
        let characters = Array("cdjlrxoptbq:0123456789azAZ-+ 💥")
        let alphabet = Gen.int(in: 0...(characters.count - 1)).map { characters[$0] }
        await propertyCheck(count: 2000, input: alphabet.string(of: 0...20)) { text in
            if let data = CallbackData(parsing: text) {
                #expect(data.encoded == text)
            }
        }
    }

    @Test func randomValidDataRoundTrips() async {
        await propertyCheck(
            count: 500, input: Gen.int64(in: 1...Int64.max), Gen.int(in: 0...Int(Int32.max)),
            Gen.int64(in: 0...Int64.max), Gen.int(in: 0...9)
        ) { id, version, department, index in
            let actions: [ButtonAction] = [
                .chooseDepartment(DepartmentID(department)), .claim, .join, .leave, .resolve, .cancelResolve,
                .reopen, .openPicker, .pickDepartment(DepartmentID(department)), .closePicker,
            ]
            let data = CallbackData(incidentID: IncidentID(id), cardVersion: version, action: actions[index])
            #expect(data.encoded.utf8.count <= CallbackData.maximumBytes)
            #expect(CallbackData(parsing: data.encoded) == data)
        }
    }
}
