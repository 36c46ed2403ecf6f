import Testing
@testable import TelegramSimulator

@Suite("Telegram HTML parsing")
struct TelegramHTMLTests {
    private func parsed(_ html: String) throws -> FormattedText {
        try TelegramHTML.parse(html).get()
    }

    @Test("nested tags become entities with UTF-16 offsets")
    func nestedTags() throws {
        let text = try parsed("<b>Truck <i>42</i></b> — 🚚 <u>late</u>")
        #expect(text.text == "Truck 42 — 🚚 late")
        #expect(text.entities == [
            MessageEntity(type: "bold", offset: 0, length: 8),
            MessageEntity(type: "italic", offset: 6, length: 2),
            // "🚚" is two UTF-16 code units, so "late" starts at 13.
            MessageEntity(type: "underline", offset: 14, length: 4),
        ])
    }

    @Test("every tag Telegram accepts", arguments: [
        ("<b>x</b>", "bold"), ("<strong>x</strong>", "bold"), ("<i>x</i>", "italic"), ("<em>x</em>", "italic"),
        ("<u>x</u>", "underline"), ("<ins>x</ins>", "underline"), ("<s>x</s>", "strikethrough"),
        ("<strike>x</strike>", "strikethrough"), ("<del>x</del>", "strikethrough"),
        ("<span class=\"tg-spoiler\">x</span>", "spoiler"), ("<tg-spoiler>x</tg-spoiler>", "spoiler"),
        ("<a href=\"https://example.com/?a=1&amp;b=2\">x</a>", "text_link"),
        ("<a href=\"tg://user?id=42\">x</a>", "text_mention"),
        ("<tg-emoji emoji-id=\"5368324170671202286\">x</tg-emoji>", "custom_emoji"),
        ("<code>x</code>", "code"), ("<pre>x</pre>", "pre"),
        ("<pre><code class=\"language-swift\">x</code></pre>", "pre"),
        ("<blockquote>x</blockquote>", "blockquote"), ("<blockquote expandable>x</blockquote>", "expandable_blockquote"),
        ("<B>x</B>", "bold"),
    ])
    func acceptedTag(html: String, type: String) throws {
        let text = try parsed(html)
        #expect(text.text == "x")
        #expect(text.entities.map(\.type) == [type])
    }

    @Test("link, mention and language details are kept")
    func entityDetails() throws {
        #expect(try parsed("<a href=\"https://example.com/?a=1&amp;b=2\">x</a>").entities.first?.url == "https://example.com/?a=1&b=2")
        #expect(try parsed("<a href='tg://user?id=42'>x</a>").entities.first?.userID == 42)
        #expect(try parsed("<pre><code class=\"language-swift\">let x</code></pre>").entities.first?.language == "swift")
    }

    @Test("the four named entities and numeric references decode")
    func characterReferences() throws {
        #expect(try parsed("a &lt;b&gt; &amp; &quot;c&quot; &#65;&#x42; &#128666;").text == "a <b> & \"c\" AB 🚚")
    }

    @Test("a bare > is accepted, as Telegram does")
    func bareGreaterThan() throws {
        #expect(try parsed("5 > 3").text == "5 > 3")
    }

    @Test("what Telegram refuses", arguments: [
        ("<foo>x</foo>", "Unsupported start tag \"foo\" at byte offset 0"),
        ("a <br> b", "Unsupported start tag \"br\" at byte offset 2"),
        ("<b>x", "Can't find end tag corresponding to start tag \"b\""),
        ("<b><i>x</b></i>", "Unmatched end tag at byte offset 7, expected \"</i>\", found \"</b>\""),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("fish & chips", "Unescaped \"&\"; use &amp; at byte offset 5"),
        ("&nbsp;", "Unsupported HTML entity \"&nbsp;\" at byte offset 0"),
        ("1 < 2", "Unescaped \"<\" at byte offset 2; use &lt;"),
        ("I <3 it", "Unescaped \"<\" at byte offset 2; use &lt;"),
        ("<b", "Unclosed start tag at byte offset 0"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ("<span>x</span>", "Tag \"span\" must have class \"tg-spoiler\" at byte offset 0"),
        ("<a href=\"x>y</a>", "Unclosed start tag at byte offset 0"),
    ])
    func refused(html: String, reason: String) {
        #expect(throws: TelegramHTML.ParseError(reason: reason)) { try TelegramHTML.parse(html).get() }
    }

    @Test("rendering escapes text and reproduces the accepted markup")
    func renderRoundTrip() throws {
        let html = "<b>Bold <i>both</i></b> &lt;tag&gt; &amp; <a href=\"https://x.test/?a=1&amp;b=2\">link</a>"
        let text = try parsed(html)
        #expect(TelegramHTML.render(text) == html)
        #expect(try parsed(TelegramHTML.render(text)) == text)
    }

    @Test("rendering overlapping entities from a client still yields well-formed HTML")
    func renderOverlap() throws {
        let text = FormattedText(text: "abcdef", entities: [
            MessageEntity(type: "bold", offset: 0, length: 4),
            MessageEntity(type: "italic", offset: 2, length: 4),
        ])
        let html = TelegramHTML.render(text)
        #expect(html == "<b>ab<i>cd</i></b><i>ef</i>")
        #expect(try parsed(html).text == "abcdef")
    }
}
