import Testing
@testable import TelegramSimulator

@Suite("Entities found in what people type")
struct EntityDetectionTests {
    @Test("commands and mentions", arguments: [
        ("/new_issue", ["bot_command:0:10"]),
        ("/new_issue@RaiseDashBot the door", ["bot_command:0:23"]),
        ("please /help me", ["bot_command:7:5"]),
        ("ask @ana_ops now", ["mention:4:8"]),
        ("mail a@bcdef.com", []),
        ("path a/b and </b> and 1/2", []),
        ("@abc is too short", []),
        ("🚚 /status", ["bot_command:3:7"]),
    ])
    func detect(text: String, expected: [String]) {
        let found = SimulatorState.detectEntities(text).map { "\($0.type):\($0.offset):\($0.length)" }
        #expect(found == expected)
    }
}
