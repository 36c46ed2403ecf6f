import Foundation
import SimulatorClient
import Testing

extension EndToEnd {
    /// Groups attached to a company without copying chat ids: `/activate CODE` by a group
    /// administrator, or a company manager's approval of a pending group, with company keys.
    @Suite("End to end: group activation with codes and approvals", .serialized)
    struct ActivationTests {
        static let globexChat: Int64 = -1_009_000_000_090

        /// Creates a supergroup whose bot is added by `creator` (its owner); waits for the greeting.
        static func newGroup(_ chat: Int64, title: String, creator: Int64, on system: RunningSystem) async throws {
            try await system.simulator.createChat(NewChat(
                title: title, type: .supergroup, id: chat,
                members: [World.driver, World.dispatcher, World.mechanic, World.manager, World.stranger],
                creator: creator, bot: World.botAdministrator))
            try await system.waitFor(chat, "the greeting") { $0.contains { $0.fromBot && $0.text.contains("/activate CODE") } }
        }

        static func activate(_ code: String, in chat: Int64, as user: Int64, on system: RunningSystem) async throws {
            try await system.simulator.send(NewCommand(from: user, command: "activate", args: code), in: chat)
        }

        /// Waits for a bot message containing `fragment` (the `count`-th one).
        static func waitForBot(_ fragment: String, in chat: Int64, count: Int = 1, on system: RunningSystem) async throws {
            try await system.waitFor(chat, "\"\(fragment)\"") { messages in
                messages.filter { $0.fromBot && $0.text.contains(fragment) }.count >= count
            }
        }

        static func key(for company: Int, label: String, on system: RunningSystem) async throws -> String {
            let created = try await system.admin("POST", "companies/\(company)/keys", ["label": label]) as? [String: Any]
            return try #require(created?["secret"] as? String)
        }

        @Test("an administrator sends /activate CODE: wrong, non-admin and reused codes are refused; the right one activates the group")
        func activationCode() async throws {
            try await RunningSystem.with { system in
                let world = try await World.build(on: system)
                let key = try await Self.key(for: world.companyID, label: "dashboard", on: system)
                let base = "http://127.0.0.1:\(system.httpPort)/api/v1"
                // The stranger owns a new group: nobody of Acme added the bot, so it is offered to no one.
                let chat: Int64 = -1_009_000_000_070
                try await Self.newGroup(chat, title: "Night shift", creator: World.stranger, on: system)
                let pending = try await system.request("GET", "\(base)/companies/\(world.companyID)/groups?status=pending", nil, token: key, expect: [200]) as? [String: Any]
                #expect((pending?["groups"] as? [Any])?.isEmpty == true)

                let created = try await system.request(
                    "POST", "\(base)/companies/\(world.companyID)/activation-codes", nil, token: key, expect: [201]) as? [String: Any]
                let code = try #require(created?["code"] as? String)

                // A member who is not an administrator of the group.
                try await Self.activate(code, in: chat, as: World.driver, on: system)
                try await Self.waitForBot("Only an administrator of this group can activate it.", in: chat, on: system)
                // A wrong code, and no code.
                try await Self.activate("ABCDE-FGHJK", in: chat, as: World.stranger, on: system)
                try await Self.waitForBot("That activation code is not valid.", in: chat, on: system)
                try await Self.activate("", in: chat, as: World.stranger, on: system)
                try await Self.waitForBot("Usage: /activate CODE", in: chat, on: system)
                // Nothing changed: incidents are still refused here.
                let refusedReport = try await system.say("Pallet jack broken", in: chat, as: World.mechanic)
                try await system.command("/new_issue", in: chat, as: World.mechanic, replyTo: refusedReport)
                try await Self.waitForBot("This group is not activated yet.", in: chat, on: system)

                // The owner, with the code as typed by a person (lower case, no dash).
                try await Self.activate(code.lowercased().replacingOccurrences(of: "-", with: ""), in: chat, as: World.stranger, on: system)
                try await Self.waitForBot("This group is now active for Acme Freight.", in: chat, on: system)
                let active = try await system.request("GET", "\(base)/companies/\(world.companyID)/groups?status=active", nil, token: key, expect: [200]) as? [String: Any]
                let activeChats = (active?["groups"] as? [[String: Any]] ?? []).compactMap { $0["chat_id"] as? Int }
                #expect(activeChats.contains(Int(chat)))
                _ = try await system.report("Forklift battery dead", number: "0001", in: chat, as: World.mechanic)

                // Single use: another group's owner cannot use it again.
                let other: Int64 = -1_009_000_000_071
                try await Self.newGroup(other, title: "Depot", creator: World.stranger, on: system)
                try await Self.activate(code, in: other, as: World.stranger, on: system)
                try await Self.waitForBot("That activation code was already used.", in: other, on: system)
                // Still pending (offered to Acme now: its owner manages an Acme group since the activation).
                let otherStatus = try await system.admin("GET", "companies/\(world.companyID)/groups") as? [String: Any]
                let otherGroup = (otherStatus?["groups"] as? [[String: Any]] ?? []).first { $0["chat_id"] as? Int == Int(other) }
                #expect(otherGroup?["status"] as? String == "pending")

                // Another company's code does not move an active group.
                let globex = try await system.admin("POST", "companies", ["name": "Globex"]) as? [String: Any]
                let globexID = try #require(globex?["id"] as? Int)
                let globexCode = try await system.admin("POST", "companies/\(globexID)/activation-codes") as? [String: Any]
                try await Self.activate(try #require(globexCode?["code"] as? String), in: chat, as: World.stranger, on: system)
                try await Self.waitForBot("This group is already active.", in: chat, on: system)
            }
        }

        @Test("a pending group added by a company's member is approved or denied with the company's key, and the group is told")
        func approveAndDeny() async throws {
            try await RunningSystem.with { system in
                let world = try await World.build(on: system)
                let key = try await Self.key(for: world.companyID, label: "dashboard", on: system)
                let globex = try await system.admin("POST", "companies", ["name": "Globex"]) as? [String: Any]
                let globexKey = try await Self.key(for: try #require(globex?["id"] as? Int), label: "globex", on: system)
                let base = "http://127.0.0.1:\(system.httpPort)/api/v1"
                // Dave (Dispatch, Acme) adds the bot to two groups.
                let approved: Int64 = -1_009_000_000_080
                let denied: Int64 = -1_009_000_000_081
                try await Self.newGroup(approved, title: "Yard north", creator: World.dispatcher, on: system)
                try await Self.newGroup(denied, title: "Yard south", creator: World.dispatcher, on: system)
                let pending = try await system.request("GET", "\(base)/companies/\(world.companyID)/groups?status=pending", nil, token: key, expect: [200]) as? [String: Any]
                let pendingChats = (pending?["groups"] as? [[String: Any]] ?? []).compactMap { $0["chat_id"] as? Int }
                #expect(Set(pendingChats) == [Int(approved), Int(denied)])

                // Globex's key can neither see nor approve them.
                _ = try await system.request("POST", "\(base)/groups/\(approved)/approve", [:], token: globexKey, expect: [404])

                _ = try await system.request(
                    "POST", "\(base)/groups/\(approved)/approve", ["manager_user_ids": [World.dispatcher]], token: key, expect: [200])
                try await Self.waitForBot("This group is now active for Acme Freight.", in: approved, on: system)
                _ = try await system.report("Gate sensor stuck", number: "0001", in: approved, as: World.mechanic)

                _ = try await system.request("POST", "\(base)/groups/\(denied)/deny", nil, token: key, expect: [200])
                try await Self.waitForBot("A manager declined to activate this group", in: denied, on: system)
                let after = try await system.request("GET", "\(base)/companies/\(world.companyID)/groups?status=pending", nil, token: key, expect: [200]) as? [String: Any]
                #expect((after?["groups"] as? [Any])?.isEmpty == true)
            }
        }
    }
}
