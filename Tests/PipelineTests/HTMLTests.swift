import Foundation
@testable import Pipeline
import XCTest

/// The pieces of report.html and compare.html: escaping, inline Markdown, relative links.
final class HTMLTests: XCTestCase {
    func testEscapeCoversTextAndAttributes() {
        XCTAssertEqual(HTML.escape(#"a&b <c> "d" 'e'"#), "a&amp;b &lt;c&gt; &quot;d&quot; &#39;e&#39;")
        // a character XML forbids would make an SVG (and the page holding it) ill-formed
        XCTAssertEqual(SVGDocument.escape("lo\u{1}w\ttab\u{7F}"), "lo\u{FFFD}w\ttab\u{7F}")
    }

    func testInlineMarkdownKeepsCodeAndBoldAndEscapesTheRest() {
        XCTAssertEqual(HTML.inline("model: `models/<x>.safetensors` is **best & <b>**"),
                       "model: <code>models/&lt;x&gt;.safetensors</code> is <strong>best &amp; &lt;b&gt;</strong>")
        XCTAssertEqual(HTML.inline("no marks"), "no marks")
        XCTAssertEqual(HTML.inline("a `` x`y `` b \\*c\\* `open"), "a <code>x`y</code> b *c* `open")
    }

    /// Labels, paths and column names are data: in report.md they are escaped text or fenced code,
    /// and report.html reads back exactly the string (a label ``**A** `b` <img ...>`` was bold and code
    /// in report.html and raw HTML in report.md; a backtick broke the code spans around it).
    func testDataWrittenAsMarkdownReadsBackAsTheSameText() {
        let nasty = ["**A** `b` <img src=x onerror=alert(1)>", "re`ject", "``", "`lead", "trail`", "a\\b", "|x|",
                     "_under_ [link](y) #h ~s~ !", "plain", "é 音 ok", " spaced "]
        for s in nasty {
            XCTAssertEqual(HTML.inline(Markdown.text(s)), HTML.escape(s), s)
            XCTAssertEqual(HTML.inline("p(" + Markdown.text(s) + ") **b**"), "p(" + HTML.escape(s) + ") <strong>b</strong>", s)
            XCTAssertEqual(HTML.inline(Markdown.code(s)), "<code>" + HTML.escape(s) + "</code>", s)
            XCTAssertFalse(Markdown.text(s).replacingOccurrences(of: "\\<", with: "").contains("<"),
                           "no raw tag reaches report.md: \(s)")
        }
        XCTAssertEqual(Markdown.code("re`ject"), "``re`ject``")
        XCTAssertEqual(Markdown.code("`lead"), "`` `lead ``")
        XCTAssertEqual(Markdown.shellWord("reject"), "reject")
        XCTAssertEqual(Markdown.shellWord("not ok"), "'not ok'")
        XCTAssertEqual(Markdown.shellWord("it's"), "'it'\\''s'")
        XCTAssertEqual(Markdown.shellWord(""), "''")
    }

    func testRelativeLinkClimbsToTheCommonFolderAndPercentEncodesEachComponent() {
        let root = URL(fileURLWithPath: "/data/set")
        let folder = root.appendingPathComponent("runs/tiny/fold1", isDirectory: true)
        XCTAssertEqual(HTML.relativeLink(from: folder, to: root.appendingPathComponent("clean/a b/#1 & é.wav")),
                       "../../../clean/a%20b/%231%20%26%20%C3%A9.wav")
        XCTAssertEqual(HTML.relativeLink(from: root.appendingPathComponent("runs/compare"),
                                         to: root.appendingPathComponent("runs/tiny/report.html")),
                       "../tiny/report.html")
        // a browser resolves the link back to the file
        let link = HTML.relativeLink(from: folder, to: root.appendingPathComponent("wavfiles/x?y z.wav"))
        XCTAssertEqual(URL(string: link, relativeTo: folder)?.standardizedFileURL.path, "/data/set/wavfiles/x?y z.wav")
    }

    func testTableAlignsNumericColumnsAndEscapesTheHeader() {
        let t = HTML.table(header: ["a<b", "n"], rows: [["x", "1"]], numeric: [1], cssClass: "t")
        XCTAssertTrue(t.contains("<th>a&lt;b</th><th class=\"num\">n</th>"), t)
        XCTAssertTrue(t.contains("<tr><td>x</td><td class=\"num\">1</td></tr>"), t)
    }
}
