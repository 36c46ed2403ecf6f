import RaiseDashConfig
import Sender
import Testing

@Suite("Sender: configuration from settings")
struct SenderConfigurationTests {
    @Test("the SENDER_* settings become the budgets; defaults are Telegram's limits")
    func fromSettings() throws {
        let defaults = SenderConfiguration(settings: try Settings(lookup: { _ in nil }))
        #expect(defaults.global == .init(calls: 30, per: .seconds(1)))
        #expect(defaults.group == .init(calls: 20, per: .seconds(60)))
        #expect(defaults.chatPerSecond == 1)
        #expect(defaults.chatBurst == 3)
        let values = [
            "SENDER_GLOBAL_PER_SECOND": "25", "SENDER_GROUP_PER_MINUTE": "10", "SENDER_CHAT_PER_SECOND": "0.5",
            "SENDER_CHAT_BURST": "2",
        ]
        let custom = SenderConfiguration(settings: try Settings(lookup: { values[$0] }))
        #expect(custom.global == .init(calls: 25, per: .seconds(1)))
        #expect(custom.group == .init(calls: 10, per: .seconds(60)))
        #expect(custom.chatPerSecond == 0.5)
        #expect(custom.chatBurst == 2)
    }

    @Test("fractional rates become whole calls per window", arguments: [
        (2.5, 2, Duration.milliseconds(800)), (0.5, 1, .seconds(2)), (30, 30, .seconds(1)),
    ])
    func fractionalRates(rate: Double, calls: Int, window: Duration) {
        #expect(SenderConfiguration.Budget(perSecond: rate) == .init(calls: calls, per: window))
    }
}
