import Foundation
import TestSupport
import XCTest

/// report.html and compare.html: self-contained pages, strings from data escaped, every player
/// linking an existing clip, and (in headless Chromium) rendered without console errors with every
/// figure, table and player present; a screenshot is written beside each page (copied into
/// $EARMARK_SCREENSHOTS when set).
final class ReportPageTests: XCTestCase {
    /// A label and a file-name prefix with characters that HTML and URLs must escape; the label also
    /// holds Markdown (code, bold, a table bar), which report.md must show as text.
    static let oddLabel = "odd <b>&</b> `x` **y** |z|", prefix = "a&b <#1> it's "

    /// TinyData's hum and tone files (8 each), renamed with `prefix`, labelled even/odd by their
    /// number: the labels do not follow the sound, so the test files cannot all be classified right.
    func makeData(_ name: String) throws -> URL {
        let root = try makeTemporaryFolder(name)
        try TinyData.make(in: root, filesPerClass: 8, classCount: 2)
        var csv = "fname,label\n"
        for label in TinyData.classes.prefix(2) {
            for i in 0..<8 {
                let old = "\(label) \(i).wav", new = Self.prefix + old
                try FileManager.default.moveItem(at: root.appendingPathComponent("wavfiles/\(old)"),
                                                 to: root.appendingPathComponent("wavfiles/\(new)"))
                csv += "\(new),\(i % 2 == 0 ? "even" : Self.oddLabel)\n"
            }
        }
        try csv.write(to: root.appendingPathComponent("audio.csv"), atomically: true, encoding: .utf8)
        return root
    }

    /// Checks that hold for any page: nothing loaded from elsewhere, data strings escaped.
    func assertSelfContainedAndEscaped(_ html: String, file: StaticString = #filePath, line: UInt = #line) {
        for banned in ["<script", "<link", "@import", "url(", "<iframe", "<img"] {
            XCTAssertFalse(html.contains(banned), "the page has \(banned)", file: file, line: line)
        }
        XCTAssertEqual(PageText.count("http", in: html), PageText.count("http://www.w3.org/2000/svg", in: html),
                       "the page refers to the network", file: file, line: line)
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"), file: file, line: line)
        XCTAssertFalse(html.contains("<b>&</b>") || html.contains("<#1>"), "unescaped data", file: file, line: line)
    }

    /// Every `<audio>` and "original" link resolves from `folder` to an existing file of `data`;
    /// returns the players' targets.
    @discardableResult
    func assertPlayers(_ html: String, folder: URL, root: URL, file: StaticString = #filePath,
                       line: UInt = #line) -> [URL] {
        let players = PageText.attributes("src", of: "audio", in: html).compactMap {
            PageText.target(of: $0, from: folder)
        }
        let originals = PageText.attributes("href", of: "a class=\"original\"", in: html).compactMap {
            PageText.target(of: $0, from: folder)
        }
        XCTAssertEqual(players.count, originals.count, file: file, line: line)
        for (p, o) in zip(players, originals) {
            XCTAssertTrue(FileManager.default.fileExists(atPath: p.path), "no clip at \(p.path)",
                          file: file, line: line)
            XCTAssertTrue(p.path.hasPrefix(root.appendingPathComponent("clean/").path), p.path, file: file, line: line)
            XCTAssertTrue(p.lastPathComponent.hasPrefix(Self.prefix), p.path, file: file, line: line)
            XCTAssertTrue(FileManager.default.fileExists(atPath: o.path), "no file at \(o.path)",
                          file: file, line: line)
            XCTAssertTrue(o.path.hasPrefix(root.appendingPathComponent("wavfiles/").path), file: file, line: line)
        }
        return players
    }

    /// Renders `page` and writes its screenshot beside it (and as `shot`.png into
    /// $EARMARK_SCREENSHOTS when set); returns the DOM.
    func render(_ page: URL, height: Int, shot: String, file: StaticString = #filePath,
                line: UInt = #line) throws -> String {
        let r = try Chromium.render(page)
        XCTAssertEqual(r.console, [], "console messages", file: file, line: line)
        XCTAssertTrue(r.dom.contains("</main>"), "chromium rendered no page", file: file, line: line)
        let png = page.deletingPathExtension().appendingPathExtension("png")
        try Chromium.screenshot(page, to: png, height: height)
        let bytes = try Data(contentsOf: png)
        XCTAssertEqual(Array(bytes.prefix(4)), [0x89, 0x50, 0x4E, 0x47], "not a PNG", file: file, line: line)
        XCTAssertGreaterThan(bytes.count, 20_000, "a blank screenshot", file: file, line: line)
        if let keep = ProcessInfo.processInfo.environment["EARMARK_SCREENSHOTS"] {
            let target = URL(fileURLWithPath: keep).appendingPathComponent(shot + ".png")
            try? FileManager.default.removeItem(at: target)
            try FileManager.default.copyItem(at: png, to: target)
        }
        return r.dom
    }

    func testRunPageShowsCurvesConfusionTableROCConfigAndAPlayerPerMisclassifiedFile() throws {
        let root = try makeData("earmark-page"); defer { try? FileManager.default.removeItem(at: root) }
        let environment = ["EARMARK_THREADS": "1"]
        let r = try CLI.run("train", ["--mode", "tiny", "--epochs", "3"], in: root, environment: environment)
        XCTAssertEqual(r.status, 0, r.output)
        let folder = root.appendingPathComponent("runs/tiny"), page = folder.appendingPathComponent("report.html")
        let html = try String(contentsOf: page, encoding: .utf8)
        assertSelfContainedAndEscaped(html)

        // the misclassified files: total - correct of report.md's "(correct/total files)"
        let md = try String(contentsOf: folder.appendingPathComponent("report.md"), encoding: .utf8)
        let counts = try XCTUnwrap(md.range(of: #"\((\d+)/(\d+) files\)"#, options: .regularExpression))
        let parts = md[counts].dropFirst().split(separator: " ")[0].split(separator: "/").map { Int($0)! }
        let wrong = parts[1] - parts[0]
        XCTAssertGreaterThan(wrong, 0, "labels that do not follow the sound: some test file is misclassified")
        XCTAssertEqual(PageText.count("<audio controls", in: html), wrong)
        XCTAssertEqual(assertPlayers(html, folder: folder, root: root).count, wrong)
        let misclassified = PageText.table("misclassified", in: html)
        XCTAssertEqual(PageText.count("<tr>", in: misclassified), wrong + 1)
        XCTAssertEqual(PageText.count("class=\"prob predicted\"", in: misclassified), wrong)

        // figures: loss, accuracy, confusion, ROC; the per-class table; ROC AUC; the config as printed
        XCTAssertEqual(PageText.count("<svg", in: html), 4)
        XCTAssertTrue(html.contains("ROC, AUC ") && html.contains("partial AUC (FPR &lt;= 0.1, standardised)"))
        let perClass = PageText.table("per-class", in: html)
        for text in ["precision", "recall", "F1", "support", "even", PageText.escape(Self.oddLabel), "macro F1"] {
            XCTAssertTrue(perClass.contains(text), "per-class table without \(text)")
        }
        XCTAssertEqual(PageText.count("<tr>", in: perClass), 2 + 3)
        // the label is text wherever the report sentences name it: the whole label in one code span
        // (the positive class), never markup made of its backticks and asterisks
        XCTAssertTrue(html.contains("positive class <code>" + PageText.escape(Self.oddLabel) + "</code>"), html)
        XCTAssertFalse(html.contains("<code>x</code>") || html.contains("<strong>y</strong>"), html)
        XCTAssertTrue(md.contains("positive class ``odd <b>&</b> `x` **y** |z|``"), md)
        XCTAssertTrue(md.contains("classes: even, odd \\<b\\>\\&\\</b\\> \\`x\\` \\*\\*y\\*\\* \\|z\\|)"), md)
        let printed = try CLI.run("train", ["--mode", "tiny", "--epochs", "3", "--print-config"], in: root)
        XCTAssertEqual(printed.status, 0, printed.output)
        XCTAssertTrue(html.contains("<pre>" + PageText.escape(printed.stdout) + "</pre>"), "the config as printed")

        guard Chromium.available(for: "report.html rendering") else { return }
        let dom = try render(page, height: 2400, shot: "run-report")
        XCTAssertEqual(PageText.count("<svg", in: dom), 4)
        XCTAssertEqual(PageText.count("<audio", in: dom), wrong)
        XCTAssertEqual(assertPlayers(dom, folder: folder, root: root).count, wrong)
        XCTAssertTrue(dom.contains("<table class=\"per-class\">") && dom.contains("aria-label=\"confusion matrix\""))
        XCTAssertTrue(dom.contains("aria-label=\"ROC curve\""))

        // Chromium decodes every clip a player links (cleaned clips are 32-bit float WAV): a probe page
        // beside the report loads each source and logs its duration or its media error
        let probe = folder.appendingPathComponent("probe.html")
        let sources = PageText.attributes("src", of: "audio", in: html)
        try ("<!DOCTYPE html><html><body>" + sources.map {
            "<audio preload=\"auto\" src=\"\(PageText.escape($0))\" onloadedmetadata=\"console.log('duration ' + "
                + "this.duration)\" onerror=\"console.log('media error ' + this.error.code)\"></audio>"
        }.joined() + "</body></html>").write(to: probe, atomically: true, encoding: .utf8)
        let loaded = try Chromium.render(probe, arguments: ["--virtual-time-budget=5000"]).console
        let durations = loaded.compactMap { line -> Double? in
            guard let r = line.range(of: "\"duration ") else { return nil }
            return Double(line[r.upperBound...].prefix { $0 != "\"" })
        }
        XCTAssertEqual(durations.filter { $0 > 0 }.count, wrong, loaded.joined(separator: "\n"))
        XCTAssertFalse(loaded.contains { $0.contains("media error") }, loaded.joined(separator: "\n"))
    }

    func testComparePageAndTheFoldsTableOfACrossValidatedRun() throws {
        let root = try makeData("earmark-compare-page"); defer { try? FileManager.default.removeItem(at: root) }
        try TinyData.writeVariant(in: root, named: "tiny_fbank",
                                  replacing: ["name: tiny_fbank": "name: tiny_fbank\nfeatures: {kind: logfbank}"])
        let r = try CLI.run("train", ["compare", "cfg/tiny.yaml", "cfg/tiny_fbank.yaml", "--folds", "2"], in: root,
                            environment: ["EARMARK_THREADS": "1"])
        XCTAssertEqual(r.status, 0, r.output)
        let compareFolder = root.appendingPathComponent("runs/compare")
        let compare = compareFolder.appendingPathComponent("compare.html")
        let html = try String(contentsOf: compare, encoding: .utf8)
        assertSelfContainedAndEscaped(html)
        let table = PageText.table("compare", in: html)
        XCTAssertEqual(PageText.count("<tr>", in: table), 3)
        XCTAssertTrue(table.contains("test file acc sd"), table)
        XCTAssertEqual(PageText.count("<svg", in: html), 2)
        let reports = PageText.attributes("href", of: "a", in: table).compactMap {
            PageText.target(of: $0, from: compareFolder)
        }
        XCTAssertEqual(reports.map(\.lastPathComponent), ["report.html", "report.html"])
        for url in reports { XCTAssertTrue(FileManager.default.fileExists(atPath: url.path), url.path) }

        // the final model of a cross-validated config: the folds table, each fold's page, no test files
        let folder = root.appendingPathComponent("runs/tiny"), final = folder.appendingPathComponent("report.html")
        let page = try String(contentsOf: final, encoding: .utf8)
        assertSelfContainedAndEscaped(page)
        let folds = PageText.table("folds", in: page)
        XCTAssertEqual(PageText.count("<tr>", in: folds), 3)
        for k in 1...2 {
            XCTAssertTrue(folds.contains("<a href=\"fold\(k)/report.html\">fold \(k)</a>"), folds)
            let foldPage = try String(contentsOf: folder.appendingPathComponent("fold\(k)/report.html"),
                                      encoding: .utf8)
            assertSelfContainedAndEscaped(foldPage)
            assertPlayers(foldPage, folder: folder.appendingPathComponent("fold\(k)"), root: root)
            XCTAssertEqual(PageText.count("<svg", in: foldPage), 4, "fold \(k): curves, confusion, ROC")
        }
        XCTAssertFalse(page.contains("id=\"misclassified\""))
        XCTAssertEqual(PageText.count("<svg", in: page), 2, "the final model: its curves only")

        guard Chromium.available(for: "compare.html rendering") else { return }
        let dom = try render(compare, height: 900, shot: "compare")
        XCTAssertEqual(PageText.count("<svg", in: dom), 2)
        XCTAssertTrue(dom.contains("<table class=\"compare\">"))
        let finalDOM = try render(final, height: 1800, shot: "folds-final-report")
        XCTAssertTrue(finalDOM.contains("<table class=\"folds\">"))
    }
}
