import Foundation
import SimulatorClient
import Testing

/// The test-only clock of the incident service and the scheduler (RAISEDASH_CLOCK_OFFSET_FILE):
/// a file holding the seconds they add to the wall clock. `set` moves them to a moment.
struct TestClock {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("rd-clock-\(UUID().uuidString)").path
        try "0".write(toFile: path, atomically: true, encoding: .utf8)
    }

    func set(_ moment: Date) throws {
        try String(moment.timeIntervalSinceNow).write(toFile: path, atomically: true, encoding: .utf8)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// `2026-03-02T18:30:00Z` as a date.
func instant(_ text: String) -> Date {
    try! Date(text, strategy: .iso8601)
}

extension ChatMessage {
    /// True if the message mentions the user, by @username or by link.
    func mentions(_ user: Int64, _ username: String) -> Bool {
        html.contains("tg://user?id=\(user)") || text.contains("@" + username)
    }
}

extension EndToEnd {
    /// Shifts decide who is called, in the company's time zone; silence escalates to the leads
    /// and managers, then to them in private; all on the simulator, with the services' clock
    /// moved by the test.
    @Suite("End to end: shifts, escalation, personal messages", .serialized)
    struct ShiftTests {
        static func settings(_ clock: TestClock, extra: [String: String] = [:]) -> [String: String] {
            [
                "RAISEDASH_CLOCK_OFFSET_FILE": clock.path,
                "REMINDER_CHECK_INTERVAL_MINUTES": "0.01",
                "SLA_UNCLAIMED_NUDGE_MINUTES": "600",
                "SLA_ESCALATION_NUDGE_MINUTES": "6000",
                "SENDER_GROUP_PER_MINUTE": "120",
            ].merging(extra) { $1 }
        }

        static func addShift(
            _ world: World, _ department: String, _ user: Int64, _ day: String, _ start: String, _ end: String,
            on system: RunningSystem
        ) async throws {
            try await system.admin("POST", "companies/\(world.companyID)/shifts", [
                "department_id": world.departments[department]!, "chat_id": World.chat, "user_id": user,
                "day": day, "start": start, "end": end,
            ])
        }

        /// Reports an incident, sends it to `department` and returns the call the bot posted.
        static func call(
            _ text: String, _ number: String, to department: String, on system: RunningSystem
        ) async throws -> ChatMessage {
            let card = try await system.report(text, number: number)
            try await system.press(department, on: card.id, as: World.driver)
            let messages = try await system.waitFor(World.chat, "the call of #\(number)") { messages in
                messages.contains { $0.fromBot && $0.text.hasPrefix("#\(number) waits for \(department)") }
            }
            return messages.last { $0.fromBot && $0.text.hasPrefix("#\(number) waits for \(department)") }!
        }

        @Test("an overnight shift across midnight in UTC+5, a person on two departments, a shift start pinged once; bad shifts are 400s")
        func overnightInTashkent() async throws {
            let clock = try TestClock()
            defer { clock.remove() }
            try await RunningSystem.with(extra: Self.settings(clock)) { system in
                // Monday 2 March 2026, 23:30 in Tashkent (UTC+5).
                try clock.set(instant("2026-03-02T18:30:00Z"))
                let world = try await World.build(on: system)
                try await system.barrier(as: World.dispatcher)  // the bot learns Dave's username
                try await system.admin("PUT", "companies/\(world.companyID)/kpi-settings", ["timezone": "Asia/Tashkent"])
                // Dave works in Dispatch and in Maintenance.
                try await system.admin("POST", "departments/\(world.departments["Maintenance"]!)/members", ["user_id": World.dispatcher])
                try await Self.addShift(world, "Dispatch", World.dispatcher, "monday", "22:00", "06:00", on: system)
                try await Self.addShift(world, "Dispatch", World.secondDispatcher, "monday", "08:00", "16:00", on: system)
                try await Self.addShift(world, "Maintenance", World.dispatcher, "tuesday", "06:00", "14:00", on: system)
                try await Self.addShift(world, "Maintenance", World.mechanic, "monday", "22:00", "06:00", on: system)

                // Bad shifts: a clear 400 each, nothing stored.
                let base: [String: Any] = [
                    "department_id": world.departments["Dispatch"]!, "chat_id": World.chat, "user_id": World.dispatcher,
                    "day": "monday", "start": "08:00", "end": "16:00",
                ]
                for (change, expected) in [
                    (["start": "25:00"], "start must be a time of day as HH:MM"),
                    (["day": "mon"], "day must be one of"),
                    (["end": "08:00"], "must not start and end at the same time"),
                    (["user_id": World.stranger], "is not a member of department Dispatch"),
                    (["chat_id": -1_009_999_999_999], "is not a group of company"),
                    (["department_id": 9999], "is not a department of company"),
                    (["colour": "red"], "unknown field colour"),
                ] as [([String: Any], String)] {
                    let refused = try await system.admin(
                        "POST", "companies/\(world.companyID)/shifts", base.merging(change) { $1 }, expect: [400]) as? [String: Any]
                    #expect((refused?["error"] as? String)?.contains(expected) == true, "\(change): \(String(describing: refused))")
                }
                let listed = try await system.admin("GET", "companies/\(world.companyID)/shifts") as? [String: Any]
                #expect((listed?["shifts"] as? [[String: Any]])?.count == 4)

                // 23:30 Monday: Dave's night shift.
                let first = try await Self.call("Reefer alarm on trailer 7", "0001", to: "Dispatch", on: system)
                #expect(first.mentions(World.dispatcher, "dave_dispatch"))
                #expect(!first.mentions(World.secondDispatcher, "dina_dispatch"))
                #expect(!first.text.contains("on shift"))

                // 01:00 Tuesday: past midnight, still Monday's night shift.
                try clock.set(instant("2026-03-02T20:00:00Z"))
                let second = try await Self.call("Seal broken on container 12", "0002", to: "Dispatch", on: system)
                #expect(second.mentions(World.dispatcher, "dave_dispatch") && !second.mentions(World.secondDispatcher, "dina_dispatch"))
                let third = try await Self.call("Forklift battery dead", "0003", to: "Maintenance", on: system)
                #expect(third.mentions(World.mechanic, "mia_mechanic"))
                #expect(!third.mentions(World.dispatcher, "dave_dispatch"), "Dave's Maintenance shift starts at 06:00")

                // 06:30 Tuesday: Dave's night shift is over and his Maintenance shift began at 06:00.
                try clock.set(instant("2026-03-03T01:30:00Z"))
                let pinged = try await system.waitFor(World.chat, "Dave pinged at the start of his Maintenance shift") { messages in
                    messages.contains { $0.fromBot && $0.text.contains("your Maintenance shift has started: #0003 still waits for a claim") }
                }
                #expect(pinged.last { $0.text.contains("shift has started") }?.mentions(World.dispatcher, "dave_dispatch") == true)
                let fourth = try await Self.call("Dock door stuck", "0004", to: "Dispatch", on: system)
                #expect(fourth.text.contains("Nobody in Dispatch is on shift now"))
                #expect(fourth.mentions(World.dispatcher, "dave_dispatch") && fourth.mentions(World.secondDispatcher, "dina_dispatch"))
                let fifth = try await Self.call("Crane hydraulics leak", "0005", to: "Maintenance", on: system)
                #expect(fifth.mentions(World.dispatcher, "dave_dispatch") && !fifth.mentions(World.mechanic, "mia_mechanic"))
                #expect(!fifth.text.contains("on shift"))

                // Ten more ticks: the shift start is not announced again.
                try await Task.sleep(for: .seconds(6))
                try await system.barrier()
                let pings = try await system.transcript(World.chat).filter { $0.fromBot && $0.text.contains("shift has started") }
                #expect(pings.count == 1, "\(pings)")
            }
        }

        @Test("Europe/Berlin: the Saturday night shift ends at 06:00 local on both daylight saving nights")
        func daylightSaving() async throws {
            let clock = try TestClock()
            defer { clock.remove() }
            try await RunningSystem.with(extra: Self.settings(clock)) { system in
                try clock.set(instant("2026-03-28T12:00:00Z"))
                let world = try await World.build(on: system)
                try await system.barrier(as: World.dispatcher)
                try await system.admin("PUT", "companies/\(world.companyID)/kpi-settings", ["timezone": "Europe/Berlin"])
                try await Self.addShift(world, "Dispatch", World.dispatcher, "saturday", "22:00", "06:00", on: system)
                try await Self.addShift(world, "Dispatch", World.secondDispatcher, "sunday", "12:00", "20:00", on: system)

                // Clocks forward on 29 March. 05:30 summer time (03:30Z): still on.
                try clock.set(instant("2026-03-29T03:30:00Z"))
                let spring = try await Self.call("Pallet wrapper jammed", "0001", to: "Dispatch", on: system)
                #expect(spring.mentions(World.dispatcher, "dave_dispatch") && !spring.text.contains("on shift"))
                // 06:30 summer time (04:30Z): over (with a fixed +01:00 it would still be 05:30).
                try clock.set(instant("2026-03-29T04:30:00Z"))
                let springAfter = try await Self.call("Gate barrier down", "0002", to: "Dispatch", on: system)
                #expect(springAfter.text.contains("Nobody in Dispatch is on shift now"), "\(springAfter)")

                // Clocks back on 25 October. 05:30 winter time (04:30Z): still on (with a fixed
                // +02:00 it would be 06:30, over).
                try clock.set(instant("2026-10-24T12:00:00Z"))
                try clock.set(instant("2026-10-25T04:30:00Z"))
                let autumn = try await Self.call("Scanner offline", "0003", to: "Dispatch", on: system)
                #expect(autumn.mentions(World.dispatcher, "dave_dispatch") && !autumn.text.contains("on shift"), "\(autumn)")
                // 06:30 winter time (05:30Z): over.
                try clock.set(instant("2026-10-25T05:30:00Z"))
                let autumnAfter = try await Self.call("Label printer empty", "0004", to: "Dispatch", on: system)
                #expect(autumnAfter.text.contains("Nobody in Dispatch is on shift now"), "\(autumnAfter)")
            }
        }

        @Test("escalation: reminder, leads and managers, then personal messages, each once across kill -9; a blocked bot turns them off")
        func escalationLadder() async throws {
            let clock = try TestClock()
            defer { clock.remove() }
            let settings = Self.settings(clock, extra: [
                "SLA_UNCLAIMED_NUDGE_MINUTES": "10", "SLA_ESCALATION_NUDGE_MINUTES": "30", "SLA_ESCALATION_DIRECT_MINUTES": "15",
            ])
            try await RunningSystem.with(extra: settings) { system in
                let t0 = instant("2026-06-01T09:00:00Z")
                try clock.set(t0)
                let world = try await World.build(on: system)
                try await system.barrier(as: World.dispatcher)
                try await system.barrier(as: World.manager)
                try await system.admin("PUT", "departments/\(world.departments["Dispatch"]!)/leads/\(World.dispatcher)", ["lead": true])
                try await system.admin("PUT", "departments/\(world.departments["Dispatch"]!)/leads/\(World.mechanic)", ["lead": true], expect: [404])
                // Dave and Olivia start the bot in private; Dina does not.
                for user in [World.dispatcher, World.manager] {
                    try await system.simulator.sendPrivately("/start", from: user)
                    try await system.waitFor(user, "the answer to /start") { $0.contains { $0.fromBot && $0.text.contains("You will get personal messages") } }
                }

                let card = try await system.report("Truck 9 refused at the border", number: "0001")
                try await system.press("Dispatch", on: card.id, as: World.driver)
                // Dave is told in private that #0001 waits for his department.
                try await system.waitFor(World.dispatcher, "the assignment in private") { messages in
                    messages.contains { $0.fromBot && $0.text.hasPrefix("#0001 in Fleet <Ops> & Co waits for Dispatch") }
                }
                func escalations() async throws -> [ChatMessage] {
                    try await system.transcript(World.chat).filter { $0.fromBot && $0.text.hasPrefix("Escalation: #0001") }
                }
                func personal(_ user: Int64) async throws -> [ChatMessage] {
                    try await system.transcript(user).filter { $0.fromBot && $0.text.hasPrefix("Escalation: #0001") }
                }

                try clock.set(t0.addingTimeInterval(11 * 60))
                try await system.waitFor(World.chat, "the reminder") { $0.contains { $0.fromBot && $0.text.hasPrefix("Reminder: #0001") } }
                #expect(try await escalations().isEmpty)

                try clock.set(t0.addingTimeInterval(31 * 60))
                let escalated = try await system.waitFor(World.chat, "the escalation to leads and managers") { messages in
                    messages.contains { $0.fromBot && $0.text.hasPrefix("Escalation: #0001 has waited") }
                }.last { $0.text.hasPrefix("Escalation: #0001") }!
                #expect(escalated.mentions(World.dispatcher, "dave_dispatch") && escalated.mentions(World.manager, "olivia_ops"))
                #expect(!escalated.mentions(World.secondDispatcher, "dina_dispatch"), "Dina is not a lead")
                #expect(try await personal(World.manager).isEmpty, "personal messages come 15 minutes later")

                try await system.restart("incidents")
                try await system.restart("scheduler")
                try await Task.sleep(for: .seconds(3))
                try await system.barrier()
                #expect(try await escalations().count == 1, "once across kill -9")

                try clock.set(t0.addingTimeInterval(47 * 60))
                try await system.waitFor(World.manager, "Olivia's personal escalation") { $0.contains { $0.fromBot && $0.text.hasPrefix("Escalation: #0001 in Fleet <Ops> & Co") } }
                try await system.waitFor(World.dispatcher, "Dave's personal escalation") { $0.contains { $0.fromBot && $0.text.hasPrefix("Escalation: #0001") } }
                try await system.restart("scheduler")
                try await system.restart("incidents")
                try await Task.sleep(for: .seconds(3))
                try await system.barrier()
                #expect(try await escalations().count == 1)
                #expect(try await personal(World.manager).count == 1)
                #expect(try await personal(World.dispatcher).count == 1)
                let timeline = try await system.incident("0001")["timeline"] as? [[String: Any]] ?? []
                let steps = timeline.compactMap { ($0["detail"] as? [String: Any])?["reminder"] as? String }
                #expect(steps.filter { $0 == "escalated" }.count == 1 && steps.filter { $0 == "escalated_direct" }.count == 1, "\(steps)")
                #expect(steps.firstIndex(of: "unclaimed")! < steps.firstIndex(of: "escalated")!)
                #expect(steps.firstIndex(of: "escalated")! < steps.firstIndex(of: "escalated_direct")!)

                // Olivia blocks the bot while the gateway is down: the service learns it from
                // the 403 of the next personal message, and sends her none after it.
                let second = try await system.report("Reefer temperature rising", number: "0002")
                try await system.press("Dispatch", on: second.id, as: World.driver)
                try await system.waitFor(World.chat, "the call of #0002") { $0.contains { $0.fromBot && $0.text.hasPrefix("#0002 waits for") } }
                try system.process("gateway").signal(SIGKILL)
                _ = await (try system.process("gateway")).waitForExit(timeout: .seconds(10))
                try await system.simulator.setBlocked(true, by: World.manager)
                try clock.set(t0.addingTimeInterval(50 * 60 + 47 * 60))
                try await system.waitFor(World.dispatcher, "Dave's personal escalation of #0002") { $0.contains { $0.fromBot && $0.text.hasPrefix("Escalation: #0002") } }
                var refused: [RecordedCall] = []
                for _ in 0..<50 {
                    refused = try await system.calls("sendMessage").filter { $0.chatID == World.manager && $0.errorCode == 403 }
                    if !refused.isEmpty { break }
                    try await Task.sleep(for: .milliseconds(200))
                }
                #expect(refused.count == 1, "one refused personal message to Olivia")
                try system.start("gateway")
                try await system.process("gateway").waitFor(line: "] ready")
                let third = try await system.report("Customs papers missing", number: "0003")
                try await system.press("Dispatch", on: third.id, as: World.driver)
                try clock.set(t0.addingTimeInterval(100 * 60 + 47 * 60))
                try await system.waitFor(World.dispatcher, "Dave's personal escalation of #0003") { $0.contains { $0.fromBot && $0.text.hasPrefix("Escalation: #0003") } }
                try await system.barrier()
                let toOlivia = try await system.calls("sendMessage").filter { $0.chatID == World.manager }
                #expect(toOlivia.filter { $0.errorCode == 403 }.count == 1, "no personal message tried after the 403: \(toOlivia.count) calls")
            }
        }
    }
}
