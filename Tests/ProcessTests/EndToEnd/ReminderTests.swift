import Foundation
import Testing

extension EndToEnd {
    /// Reminders and auto-close from the scheduler's ticks, with periods of a few seconds given in
    /// decimal minutes. Counting assertions are upper bounds derived from elapsed time, so a slow
    /// machine sends fewer reminders, never makes the test fail.
    @Suite("End to end: reminders and auto-close", .serialized)
    struct ReminderTests {
        /// 3 s reminder period and summary timeout; a tick every 0.6 s. Time runs 200 times
        /// faster than with the defaults, so a group's budget (Telegram: 20 messages a minute) is
        /// raised for the sender and the simulator alike; otherwise reminders every 3 s alone
        /// would fill it and everything else would wait behind them for a minute.
        static let fast = [
            "SLA_UNCLAIMED_NUDGE_MINUTES": "0.05",
            "SLA_SUMMARY_TIMEOUT_MINUTES": "0.05",
            "REMINDER_CHECK_INTERVAL_MINUTES": "0.01",
            "SENDER_GROUP_PER_MINUTE": "120",
        ]
        static let period: Double = 3

        static func reminders(_ messages: [ChatMessage], _ number: String) -> [ChatMessage] {
            messages.filter { $0.fromBot && $0.text.hasPrefix("Reminder: #\(number) still waits for a claim") }
        }

        static func reporterReminders(_ messages: [ChatMessage], _ number: String) -> [ChatMessage] {
            messages.filter { $0.fromBot && $0.text.contains("please choose a department for #\(number)") }
        }

        @Test("unclaimed: reminders naming the incident and mentioning the members until the claim; the reporter once; awaiting summary closes")
        func remindersAndAutoClose() async throws {
            try await RunningSystem.with(extra: Self.fast) { system in
                let world = try await World.build(on: system)
                // One group per incident: each stays well inside Telegram's 20 messages a minute.
                let quiet = World.chat, unclaimed: Int64 = -1_009_000_000_002, unsummarised: Int64 = -1_009_000_000_003
                try await world.addGroup(unclaimed, title: "Unclaimed", on: system)
                try await world.addGroup(unsummarised, title: "Unsummarised", on: system)
                // Dave talks to the bot (it learns his username); Dina never does (mentioned by link).
                try await system.barrier(unclaimed, as: World.dispatcher)

                // In the quiet group nobody chooses a department.
                _ = try await system.report("Trailer door will not close", number: "0001", in: quiet)
                // Sent to Dispatch, nobody claims for a while.
                let waiting = try await system.report("Fuel card declined at station 9", number: "0001", in: unclaimed)
                let assignedBefore = ContinuousClock.now
                try await system.press("Dispatch", on: waiting.id, in: unclaimed, as: World.driver)
                // Claimed and resolved, nobody writes the summary.
                let resolving = try await system.report("Tachograph error on truck 31", number: "0001", in: unsummarised)
                try await system.press("Dispatch", on: resolving.id, in: unsummarised, as: World.driver)
                try await system.waitForCard("0001", in: unsummarised, "offers Claim") { $0.has("Claim") }
                try await system.press("Claim", on: resolving.id, in: unsummarised, as: World.dispatcher)
                try await system.waitForCard("0001", in: unsummarised, "offers Resolve") { $0.has("Resolve") }
                try await system.press("Resolve", on: resolving.id, in: unsummarised, as: World.dispatcher)

                // Reminders naming the incident and mentioning Dispatch's members.
                let twice = try await system.waitFor(unclaimed, "two reminders") { Self.reminders($0, "0001").count >= 2 }
                for reminder in Self.reminders(twice, "0001") {
                    #expect(reminder.text.contains("by Dispatch"))
                    #expect(reminder.text.contains("@dave_dispatch"))
                    #expect(reminder.html.contains("tg://user?id=\(World.secondDispatcher)"), "a member never seen is mentioned by link")
                }

                // Claim: no reminder after it.
                try await system.press("Claim", on: waiting.id, in: unclaimed, as: World.dispatcher)
                let claimedAt = ContinuousClock.now
                try await system.waitForCard("0001", in: unclaimed, "Dave on it") { $0.text.contains("On it: Dave") }
                let atClaim = Self.reminders(try await system.transcript(unclaimed), "0001").count
                let sinceAssignment = (claimedAt - assignedBefore) / .seconds(1)
                #expect(atClaim <= Int(sinceAssignment / Self.period), "at most one reminder per period")

                // The unsummarised one closes: the card says so, offers Reopen and is unpinned.
                let closed = try await system.waitForCard("0001", in: unsummarised, "closed and unpinned") {
                    $0.text.contains("Closed without a summary.") && !$0.pinned
                }
                #expect(closed.buttons == ["Reopen"])
                #expect(try await system.status("0001", in: unsummarised) == "closed")
                #expect(try await system.timeline("0001", in: unsummarised).last == "auto_closed")
                #expect(try await system.transcript(unsummarised).filter { $0.isCard("0001") }.count == 1, "edited, not posted again")

                // Three more periods: no reminder after the claim; the quiet group's reporter was
                // reminded exactly once.
                try await Task.sleep(for: .seconds(3 * Self.period + 1))
                try await system.barrier(unclaimed)
                let later = try await system.transcript(unclaimed)
                #expect(Self.reminders(later, "0001").count == atClaim, "no reminder after the claim")
                #expect(try await system.timeline("0001", in: unclaimed).filter { $0 == "nudged" }.count == atClaim,
                        "the timeline records each reminder that was sent, and only those")
                try await system.barrier(quiet)
                let reporter = Self.reporterReminders(try await system.transcript(quiet), "0001")
                #expect(reporter.count == 1, "the reporter is reminded once")
                #expect(reporter.first?.text.contains("@ann_driver") == true)
                #expect(try await system.status("0001", in: quiet) == "awaiting_department")
                #expect(try await system.timeline("0001", in: quiet).filter { $0 == "nudged" }.count == 1)
            }
        }

        @Test("each reminder is sent once across kill -9 of the incident service and the scheduler")
        func remindersAcrossRestarts() async throws {
            try await RunningSystem.with(extra: Self.fast) { system in
                _ = try await World.build(on: system)
                let chat = World.chat

                _ = try await system.report("Loading dock light broken", number: "0001")
                let second = try await system.report("Driver app will not sync", number: "0002")
                let assignedBefore = ContinuousClock.now
                try await system.press("Maintenance", on: second.id, as: World.driver)
                try await system.waitFor(chat, "the first reminders") { messages in
                    Self.reminders(messages, "0002").count >= 1 && Self.reporterReminders(messages, "0001").count == 1
                }

                try await system.restart("incidents")
                try await system.restart("scheduler")
                let before = Self.reminders(try await system.transcript(chat), "0002").count
                try await system.waitFor(chat, "a reminder after the restarts") { Self.reminders($0, "0002").count > before }
                try await system.restart("scheduler")
                try await system.restart("incidents")
                try await system.waitFor(chat, "another reminder after the second restarts") { Self.reminders($0, "0002").count > before + 1 }
                try await Task.sleep(for: .seconds(Self.period))
                try await system.barrier()
                let elapsed = (ContinuousClock.now - assignedBefore) / .seconds(1)
                let messages = try await system.transcript(chat)
                let sent = Self.reminders(messages, "0002").count
                #expect(sent <= Int(elapsed / Self.period), "never more than one reminder per period, restarts included")
                #expect(try await system.timeline("0002").filter { $0 == "nudged" }.count == sent, "one message per recorded reminder")
                #expect(Self.reporterReminders(messages, "0001").count == 1, "the reporter is reminded once, restarts included")
            }
        }
    }
}
