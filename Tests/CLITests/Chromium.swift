import Foundation
import XCTest

/// Headless Chromium (Debian's `chromium`, installed by `make test`) for the report page tests: the
/// DOM a page renders to, its console messages, and a screenshot.
enum Chromium {
    /// The chromium executable on PATH, or nil.
    static let executable: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            for name in ["chromium", "chromium-browser"] {
                let candidate = "\(folder)/\(name)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        return nil
    }()

    /// Whether a test needing chromium should run. Without chromium it fails the test, unless
    /// EARMARK_ALLOW_NO_CHROMIUM=1, which prints a visible skip line instead.
    static func available(for test: String, file: StaticString = #filePath, line: UInt = #line) -> Bool {
        if executable != nil { return true }
        if ProcessInfo.processInfo.environment["EARMARK_ALLOW_NO_CHROMIUM"] == "1" {
            print("SKIPPED \(test): chromium is not installed (EARMARK_ALLOW_NO_CHROMIUM=1); "
                  + "the page was checked without rendering it")
            return false
        }
        XCTFail("chromium is not installed: `make test` installs Debian's chromium package; set "
                + "EARMARK_ALLOW_NO_CHROMIUM=1 to skip the rendering checks", file: file, line: line)
        return false
    }

    /// What chromium printed for one page.
    struct Rendering {
        var dom: String
        /// Console messages of the page (`INFO:CONSOLE` lines) and uncaught exceptions.
        var console: [String]
    }

    /// Loads `page` headless and returns its serialized DOM and console messages; `arguments` are
    /// added (e.g. `--virtual-time-budget=MS` to let media load).
    static func render(_ page: URL, arguments: [String] = []) throws -> Rendering {
        let r = try run(["--enable-logging=stderr", "--v=0"] + arguments + ["--dump-dom", page.absoluteString])
        let console = r.stderr.split(separator: "\n").map(String.init)
            .filter { $0.contains(":CONSOLE") || $0.contains("Uncaught") }
        return Rendering(dom: r.stdout, console: console)
    }

    /// Writes a PNG of `page` at 1280 x `height` CSS pixels to `png`.
    static func screenshot(_ page: URL, to png: URL, height: Int = 2400) throws {
        let r = try run(["--hide-scrollbars", "--window-size=1280,\(height)", "--screenshot=\(png.path)",
                         page.absoluteString])
        if !FileManager.default.fileExists(atPath: png.path) {
            XCTFail("chromium wrote no screenshot: \(r.stderr.suffix(2000))")
        }
    }

    /// Runs chromium headless with a throwaway profile (`--no-sandbox` as root, which its sandbox refuses).
    static func run(_ arguments: [String]) throws -> CLI.Result {
        let profile = FileManager.default.temporaryDirectory
            .appendingPathComponent("earmark-chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        let common = ["--headless", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
                      "--disable-extensions", "--user-data-dir=\(profile.path)"]
            + (getuid() == 0 ? ["--no-sandbox"] : [])
        let r = try CLI.run(executable!, common + arguments, in: FileManager.default.temporaryDirectory)
        XCTAssertEqual(r.status, 0, "chromium failed: \(r.stderr.suffix(2000))")
        return r
    }
}

/// Reading the pages Earmark writes and the DOM chromium returns.
enum PageText {
    /// Non-overlapping occurrences of `needle`.
    static func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    /// The values of attribute `attribute` of every `<tag ...>` element, entities decoded.
    static func attributes(_ attribute: String, of tag: String, in html: String) -> [String] {
        let pattern = "<\(tag)(?=[\\s>])[^>]*\\s\(attribute)=\"([^\"]*)\""
        let regex = try! NSRegularExpression(pattern: pattern)
        return regex.matches(in: html, range: NSRange(html.startIndex..., in: html)).map {
            unescape(String(html[Range($0.range(at: 1), in: html)!]))
        }
    }

    /// The HTML between `<table class="cssClass">` and its `</table>` (empty when there is none).
    static func table(_ cssClass: String, in html: String) -> String {
        guard let start = html.range(of: "<table class=\"\(cssClass)\">"),
              let end = html.range(of: "</table>", range: start.upperBound..<html.endIndex) else { return "" }
        return String(html[start.lowerBound..<end.upperBound])
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "'", with: "&#39;")
    }

    static func unescape(_ s: String) -> String {
        s.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    /// The file a relative link in a page of `folder` points to (resolved as a browser does).
    static func target(of link: String, from folder: URL) -> URL? {
        URL(string: link, relativeTo: URL(fileURLWithPath: folder.path, isDirectory: true))?.absoluteURL
    }
}
