import Foundation
import IncidentCore
import Testing

@Suite struct CardRendererTests {
    @Test(arguments: [(1, "#0001"), (7, "#0007"), (42, "#0042"), (9999, "#9999"), (10000, "#10000"), (123_456, "#123456")])
    func numbersArePaddedToFourDigits(_ number: Int, _ shown: String) {
        #expect(IncidentNumber(number).description == shown)
        #expect(IncidentNumber(number).padded == String(shown.dropFirst()))
    }

    @Test func escapesReportedTextAndShowsStatusAndButtons() {
        let card = IncidentMachine.card(for: Fixture.created, context: Fixture.context)
        let rendered = CardRenderer.render(card)
        #expect(rendered.html.contains("<b>#0001</b>"))
        #expect(rendered.html.contains("Awaiting department"))
        #expect(rendered.html.contains("Truck 12 has a flat tyre &lt;near&gt; exit 5 &amp; waits"))
        #expect(!rendered.html.contains("<near>"))
        #expect(rendered.html.contains("Reported by: Rita Driver (@rita)"))
        #expect(rendered.keyboard.flatMap { $0 }.map(\.text) == ["Dispatch", "Maintenance", "🔒 Safety"])
        #expect(rendered.keyboard.flatMap { $0 }.map(\.callbackData) == ["d:16:1:a", "d:16:1:b", "d:16:1:c"])
        #expect(Self.isWellFormed(rendered.html))
    }

    @Test func namesInTheCardAreEscapedToo() {
        var context = Fixture.context
        context.people[Fixture.reporter.id] = Person(id: 1, firstName: "<script>&", lastName: "\"x\"")
        let rendered = CardRenderer.render(IncidentMachine.card(for: Fixture.created, context: context))
        #expect(rendered.html.contains("Reported by: &lt;script&gt;&amp; &quot;x&quot;"))
        #expect(Self.isWellFormed(rendered.html))
    }

    @Test func resolvedCardShowsSummaryAndResolver() {
        let rendered = CardRenderer.render(IncidentMachine.card(for: Fixture.resolved, context: Fixture.context))
        #expect(rendered.html.contains("Resolved by: Carol (@carol)"))
        #expect(rendered.html.contains("<blockquote>Replaced the tyre</blockquote>"))
        #expect(rendered.keyboard.flatMap { $0 }.map(\.text) == ["Reopen"])
    }

    @Test func closedCardSaysClosedWithoutSummary() {
        let rendered = CardRenderer.render(IncidentMachine.card(for: Fixture.closed, context: Fixture.context))
        #expect(rendered.html.contains("Closed without a summary."))
    }

    /// A 4096-character report (the longest message Telegram delivers) plus the card's own
    /// text must still fit in 4096 characters after parsing, even when every character
    /// needs escaping, is outside the BMP, or the summary is long too.
    @Test(arguments: [
        String(repeating: "a", count: 4096),
        String(repeating: "<&>", count: 1365),
        String(repeating: "🚚", count: 2048),
        String(repeating: "e\u{301}", count: 2048),
    ])
    func longTextIsShortenedToFit(_ text: String) {
        var incident = Fixture.resolved
        incident.report.text = text
        incident.summary = text
        let rendered = CardRenderer.render(IncidentMachine.card(for: incident, context: Fixture.context))
        let visible = Self.visibleText(rendered.html)
        #expect(visible.utf16.count <= 4096)
        #expect(visible.utf16.count == rendered.visibleLength)
        #expect(visible.contains("..."))
        #expect(visible.utf16.count > 4000, "the room is used, not wasted")
        #expect(Self.isWellFormed(rendered.html))
    }

    @Test func shortTextIsNotShortened() {
        #expect(HTML.shortened("hello", toUTF16Length: 5) == "hello")
        #expect(HTML.shortened("hello!", toUTF16Length: 5) == "he...")
        #expect(HTML.shortened("🚚🚚🚚", toUTF16Length: 5) == "🚚...")
    }

    @Test func mentionsUseHandleOrLink() {
        #expect(HTML.mention(Fixture.ann.mention) == "@dispatch_ann")
        #expect(HTML.mention(Fixture.bob.mention) == "<a href=\"tg://user?id=4\">Bob Stone</a>")
        let tricky = Person(id: 9, firstName: "<b>\"Eve\"</b>")
        #expect(HTML.mention(tricky.mention) == "<a href=\"tg://user?id=9\">&lt;b&gt;&quot;Eve&quot;&lt;/b&gt;</a>")
    }

    @Test func allRefusalTextsFitAnAnswer() {
        let refusals: [Refusal] = [
            .staleCard, .unknownIncident, .incidentOfAnotherChat, .unrecognisedButton, .unknownDepartment,
            .groupsOnly, .groupNotActivated(-1_001_234_567_890), .notAReply, .descriptionTooLong(limit: 4096),
            .noDepartments, .reporterNotAllowed, .notAvailable(12_345, .awaitingDepartment), .reporterOrManagerOnly,
            .restrictedDepartment(name: String(repeating: "n", count: 64)),
            .departmentMembersOnly(department: String(repeating: "n", count: 64), managersToo: true),
            .alreadyParticipating, .notParticipating, .participantOrManagerOnly,
            .resolverOnly(name: String(repeating: "n", count: 64)),
            .resolverOrManagerOnly(name: String(repeating: "n", count: 64)),
            .sameDepartment(name: "Dispatch"), .noOtherDepartment, .reopenWindowPassed(days: 7), .summaryEmpty,
            .summaryTooLong(limit: 4096), .notDue, .wrongInitiator,
        ]
        for refusal in refusals {
            let answer = PressAnswer(query: "q", text: refusal.message, showAlert: true)
            #expect((answer.text ?? "").utf16.count <= 200)
            #expect(!(answer.text ?? "").isEmpty)
        }
        #expect(Refusal.staleCard.message == "This card has changed, use the current one.")
    }

    // MARK: A small Telegram-HTML reader for the checks above

    /// The text after parsing: tags removed, entities decoded.
    static func visibleText(_ html: String) -> String {
        var out = ""
        var index = html.startIndex
        while index < html.endIndex {
            let character = html[index]
            if character == "<", let close = html[index...].firstIndex(of: ">") {
                index = html.index(after: close)
            } else if character == "&", let end = html[index...].firstIndex(of: ";") {
                switch html[index...end] {
                case "&lt;": out += "<"
                case "&gt;": out += ">"
                case "&amp;": out += "&"
                case "&quot;": out += "\""
                default: out += String(html[index...end])
                }
                index = html.index(after: end)
            } else {
                out.append(character)
                index = html.index(after: index)
            }
        }
        return out
    }

    /// Only Telegram's tags, properly nested; no bare `<` or `&`.
    static func isWellFormed(_ html: String) -> Bool {
        var stack: [String] = []
        var index = html.startIndex
        while index < html.endIndex {
            let character = html[index]
            if character == "<" {
                guard let close = html[index...].firstIndex(of: ">") else { return false }
                let tag = html[html.index(after: index)..<close]
                if tag.hasPrefix("/") {
                    guard stack.popLast() == String(tag.dropFirst()) else { return false }
                } else {
                    let name = String(tag.prefix { $0 != " " })
                    guard ["b", "i", "a", "code", "blockquote"].contains(name) else { return false }
                    stack.append(name)
                }
                index = html.index(after: close)
            } else if character == "&" {
                guard let end = html[index...].firstIndex(of: ";"),
                    ["&lt;", "&gt;", "&amp;", "&quot;"].contains(String(html[index...end]))
                else { return false }
                index = html.index(after: end)
            } else {
                index = html.index(after: index)
            }
        }
        return stack.isEmpty
    }
}
