import Foundation
import IncidentCore
import IncidentKPI
import Testing

@Suite("CSV exports")
struct CSVTests {
    @Test("cells that a spreadsheet would run as formulas are neutralised", arguments: [
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "\"'\rx\""),
        ("plain", "plain"),
        ("a=b", "a=b"),
    ])
    func neutralised(input: String, written: String) {
        #expect(CSVTable.cell(input) == written)
    }

    @Test("RFC 4180: quotes, commas and line breaks are quoted; records end with CRLF; UTF-8")
    func quoting() {
        #expect(CSVTable.cell("a,b") == "\"a,b\"")
        #expect(CSVTable.cell("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVTable.cell("two\nlines") == "\"two\nlines\"")
        let table = CSVTable(header: ["name", "note"], rows: [["Zoë", "=1+1"], ["Ünal, J.", "ok"]])
        #expect(table.text == "name,note\r\nZoë,'=1+1\r\n\"Ünal, J.\",ok\r\n")
        #expect(Array(table.data.prefix(4)) == Array("name".utf8))
        #expect(String(data: table.data, encoding: .utf8) == table.text)
    }

    @Test("the /report message escapes every name")
    func reportMessage() {
        let engine = KPIEngine(settings: KPIFixtures.settings, now: KPIFixtures.t("2025-03-02T00:00:00Z"))
        var data = KPIFixtures.dataset([KPIFixtures.transfer])
        data.departmentNames[KPIFixtures.maintenance] = "<b>R&D</b>"
        let summary = engine.summary(data, period: KPIFixtures.day)
        let breaches = engine.slaReport(data, period: KPIFixtures.day).breaches
        let html = ReportMessage.html(
            kind: .day, period: KPIFixtures.day, settings: KPIFixtures.settings, summary: summary, breaches: breaches,
            groupTitle: "Fleet <script>")
        #expect(html.contains("&lt;b&gt;R&amp;D&lt;/b&gt;"))
        #expect(html.contains("Fleet &lt;script&gt;"))
        #expect(!html.contains("<script>"))
        #expect(html.contains("Created: <b>1</b>"))
        #expect(html.contains("Median time to claim: <b>17m</b>"))
        #expect(html.contains("#0001"))
        #expect(html.utf16.count < 4096)
    }
}
