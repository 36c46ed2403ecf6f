import Foundation
import ProcessTestSupport
import SimulatorClient
import Testing
import WebDriverSupport

extension EndToEnd {
    /// The dashboard in a real headless Chromium (Debian's `chromium` and `chromium-driver`),
    /// served by the incident service of a running system on the simulator. Filter with
    /// `swift test --filter DashboardBrowser`.
    @Suite("DashboardBrowser", .serialized)
    struct DashboardBrowserTests {
        static let installHint = "install them with: apt-get install -y chromium chromium-driver"

        @Test("DashboardBrowser: log in with a company key, create a department, add a member, approve a pending group, watch an incident move through the list")
        func dashboardInChromium() async throws {
            guard let driver = findExecutable(["chromedriver"], absolute: ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]) else {
                Issue.record("chromedriver is not installed; \(Self.installHint)")
                return
            }
            guard let chromium = findExecutable(["chromium", "chromium-browser", "google-chrome"], absolute: ["/usr/lib/chromium/chromium"]) else {
                Issue.record("chromium is not installed; \(Self.installHint)")
                return
            }
            try await RunningSystem.with { system in
                let world = try await World.build(on: system)
                let base = "http://127.0.0.1:\(system.httpPort)"
                try await withChromeDriver(driver: driver) { driverURL in
                    let browser = try await WebDriverSession.start(driverURL: driverURL, browser: chromium)
                    do {
                        try await Self.run(browser, base: base, system: system, world: world)
                        await browser.end()
                    } catch {
                        let text = (try? await browser.pageText()) ?? ""
                        await browser.end()
                        throw TestFailure("\(error)\npage:\n\(text.prefix(3000))\nlogs:\n\(system.logs)")
                    }
                }
            }
        }

        static func run(_ browser: WebDriverSession, base: String, system: RunningSystem, world: World) async throws {
            // Not logged in: the dashboard sends the browser to the login page.
            try await browser.navigate(to: URL(string: base + "/dashboard")!)
            try await browser.type("wrong-key", into: try await browser.waitForElement("#key"))
            try await browser.click(try await browser.waitForElement("#login"))
            try await browser.waitForText("#error", "That key is not valid (or was revoked).")
            // A company key, made as `raisedash admin keys create` makes it (through the admin API).
            let created = try await system.admin("POST", "companies/\(world.companyID)/keys", ["label": "browser test"]) as? [String: Any]
            let key = try #require(created?["secret"] as? String)
            try await browser.type(key, into: try await browser.waitForElement("#key"))
            try await browser.click(try await browser.waitForElement("#login"))
            try await browser.waitForText("#company-name", "Acme Freight")
            try await browser.waitForText("#open-count", "0")
            #expect(try await browser.element("#company-picker") == nil)

            // A department, with bad input first: a message, nothing written.
            try await browser.navigate(to: URL(string: base + "/dashboard/departments")!)
            try await browser.click(try await browser.waitForElement("#create-department-button"))
            try await browser.waitForText("#error", "Give the department a name.")
            try await browser.type("Dispatch", into: try await browser.waitForElement("#department-name"))
            try await browser.click(try await browser.waitForElement("#create-department-button"))
            _ = try await browser.waitForElement("#error")
            #expect(try await browser.pageText().contains("has a department named Dispatch"))
            let input = try await browser.waitForElement("#department-name")
            _ = try await browser.script("document.getElementById('department-name').value = ''")
            try await browser.type("Night Desk", into: input)
            try await browser.click(try await browser.waitForElement("#create-department-button"))
            try await browser.waitForText("#notice", "Department created.")
            let departments = try await system.admin("GET", "companies/\(world.companyID)/departments") as? [String: Any]
            let nightDesk = (departments?["departments"] as? [[String: Any]])?.first { $0["name"] as? String == "Night Desk" }
            let nightDeskID = try #require(nightDesk?["id"] as? Int, "the department was not created: \(String(describing: departments))")

            // A member by @handle; a malformed one is refused.
            try await browser.type("not a handle!", into: try await browser.waitForElement("#member"))
            try await browser.click(try await browser.waitForElement("#add-member-button"))
            _ = try await browser.waitForElement("#error")
            _ = try await browser.script("document.getElementById('member').value = ''")
            try await browser.type("@mia_mechanic", into: try await browser.waitForElement("#member"))
            try await browser.click(try await browser.waitForElement("#add-member-button"))
            try await browser.waitForText("#notice", "Member added.")
            #expect(try await browser.pageText().contains("@mia_mechanic"))
            // Bound to Mia's id if the bot has seen her, else waiting for her handle.
            let members = try await system.admin("GET", "departments/\(nightDeskID)/members") as? [String: Any]
            let member = try #require((members?["members"] as? [[String: Any]])?.first)
            #expect(member["user_id"] as? Int == Int(World.mechanic) || member["telegram_handle"] as? String == "@mia_mechanic")

            // A group a Dispatch member added the bot to waits for approval; approving it
            // activates it, and the bot tells the group.
            let yard: Int64 = -1_009_000_000_090
            try await system.simulator.createChat(NewChat(
                title: "Yard <north>", type: .supergroup, id: yard, members: [World.driver, World.dispatcher, World.manager],
                creator: World.dispatcher, bot: World.botAdministrator))
            let greeted = try await system.waitFor(yard, "the greeting") { $0.contains { $0.fromBot } }.filter(\.fromBot).count
            try await browser.navigate(to: URL(string: base + "/dashboard/groups")!)
            try await browser.waitForText("#groups-pending tr[data-chat-id=\"\(yard)\"] td", "Yard <north>")
            try await browser.click(try await browser.waitForElement("#groups-pending tr[data-chat-id=\"\(yard)\"] button.approve"))
            try await browser.waitForText("#notice", "Group approved: the bot told the group it is active.")
            _ = try await browser.waitForElement("#groups-active tr[data-chat-id=\"\(yard)\"]")
            try await system.waitFor(yard, "the approval told in the group") { $0.filter(\.fromBot).count > greeted }
            let groups = try await system.admin("GET", "companies/\(world.companyID)/groups") as? [String: Any]
            let yardGroup = (groups?["groups"] as? [[String: Any]] ?? []).first { $0["chat_id"] as? Int == Int(yard) }
            #expect(yardGroup?["status"] as? String == "active")

            // The incidents list follows the bot as people work an incident in the group.
            try await browser.navigate(to: URL(string: base + "/dashboard/incidents")!)
            _ = try await browser.waitForElement("#incident-list")
            let card = try await system.report("Forklift <b>down</b> & leaking", number: "0001")
            let status = "#incident-list tr[data-incident-id] td.status"
            try await browser.waitForText(status, "awaiting department")
            try await system.press("Dispatch", on: card.id, as: World.driver)
            try await browser.waitForText(status, "awaiting claim")
            try await system.press("Claim", on: card.id, as: World.dispatcher)
            try await browser.waitForText(status, "in progress")
            try await system.press("Resolve", on: card.id, as: World.dispatcher)
            try await browser.waitForText(status, "awaiting summary")
            let prompt = try await system.waitFor(World.chat, "the summary prompt") { messages in
                messages.contains { $0.fromBot && $0.forceReply != nil }
            }.first { $0.fromBot && $0.forceReply != nil }!
            try await system.say("Hose replaced", in: World.chat, as: World.dispatcher, replyTo: prompt.id)
            try await browser.waitForText(status, "resolved")

            // The detail page: the reported text as text, the timeline, the participant.
            try await browser.click(try await browser.waitForElement("#incident-list tr[data-incident-id] a"))
            try await browser.waitForText("#status", "resolved")
            try await browser.waitForText("#reported-text", "Forklift <b>down</b> & leaking")
            #expect(try await browser.element("#reported-text b") == nil)
            try await browser.waitForText("#summary", "Hose replaced")
            let page = try await browser.pageText()
            #expect(page.contains("Dave"))
            #expect(page.contains("department assigned"))

            // Logging out ends the session: the dashboard asks for a key again.
            try await browser.click(try await browser.waitForElement("#logout"))
            _ = try await browser.waitForElement("#key")
            try await browser.navigate(to: URL(string: base + "/dashboard/incidents")!)
            _ = try await browser.waitForElement("#key")
        }
    }
}
