import Foundation
@testable import Pipeline
import XCTest

/// The pieces of report.html and compare.html: escaping, inline Markdown, relative links.
final class HTMLTests: XCTestCase {
    func testEscapeCoversTextAndAttributes() {
        XCTAssertEqual(HTML.escape(#"a&b <c> "d" 'e'"#), "a&amp;b &lt;c&gt; &quot;d&quot; &#39;e&#39;")
    }

    func testInlineMarkdownKeepsCodeAndBoldAndEscapesTheRest() {
        XCTAssertEqual(HTML.inline("model: `models/<x>.safetensors` is **best & <b>**"),
                       "model: <code>models/&lt;x&gt;.safetensors</code> is <strong>best &amp; &lt;b&gt;</strong>")
        XCTAssertEqual(HTML.inline("no marks"), "no marks")
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
