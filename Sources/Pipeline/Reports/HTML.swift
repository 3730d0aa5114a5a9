import Foundation

/// The pieces of Earmark's HTML pages (report.html, compare.html): escaping, Markdown-style inline
/// text, tables, figures, relative links and the page shell. Every string from data (file names,
/// labels, config text) goes through `escape`; the pages load nothing (no script, no font, no
/// stylesheet from elsewhere): charts are inline SVG and the style is in the page.
enum HTML {
    /// `s` with `& < > " '` replaced by entities, safe in text and in double-quoted attributes.
    static func escape(_ s: String) -> String {
        SVGDocument.escape(s).replacingOccurrences(of: "'", with: "&#39;")
    }

    /// One line of the Markdown reports as HTML, read as CommonMark reads the inline text the
    /// reports write (`Markdown`): a backslash before ASCII punctuation is that character; a run of n
    /// backticks opens a code span that the next run of exactly n closes (one space stripped at each
    /// end when both ends have one), its content literal; `**` opens and closes bold. Everything is
    /// escaped; an unclosed fence is text.
    static func inline(_ markdown: String) -> String {
        let chars = Array(markdown)
        var out = "", strong = false, i = 0
        func run(at k: Int) -> Int {
            var n = 0
            while k + n < chars.count && chars[k + n] == "`" { n += 1 }
            return n
        }
        while i < chars.count {
            let c = chars[i]
            if c == "\\", i + 1 < chars.count, chars[i + 1].isASCII, chars[i + 1].isPunctuation || chars[i + 1].isSymbol {
                out += escape(String(chars[i + 1])); i += 2; continue
            }
            if c == "`" {
                let n = run(at: i)
                var k = i + n, close: Int?
                while k < chars.count {
                    let m = run(at: k)
                    if m == n { close = k; break }
                    k += max(m, 1)
                }
                if let close {
                    var content = String(chars[(i + n)..<close])
                    if content.count >= 2, content.hasPrefix(" "), content.hasSuffix(" "),
                       content.contains(where: { $0 != " " }) {
                        content = String(content.dropFirst().dropLast())
                    }
                    out += "<code>\(escape(content))</code>"; i = close + n; continue
                }
                out += escape(String(repeating: "`", count: n)); i += n; continue
            }
            if c == "*", i + 1 < chars.count, chars[i + 1] == "*" {
                out += strong ? "</strong>" : "<strong>"; strong.toggle(); i += 2; continue
            }
            out += escape(String(c)); i += 1
        }
        return out + (strong ? "</strong>" : "")
    }

    /// A table; `header` is plain text, `rows` are HTML cells; columns in `numeric` align right.
    static func table(header: [String], rows: [[String]], numeric: Set<Int> = [], cssClass: String) -> String {
        func cell(_ tag: String, _ i: Int, _ s: String) -> String {
            "<\(tag)\(numeric.contains(i) ? " class=\"num\"" : "")>\(s)</\(tag)>"
        }
        var out = "<table class=\"\(cssClass)\">\n<thead><tr>"
            + header.enumerated().map { cell("th", $0, escape($1)) }.joined() + "</tr></thead>\n<tbody>\n"
        for row in rows { out += "<tr>" + row.enumerated().map { cell("td", $0, $1) }.joined() + "</tr>\n" }
        return out + "</tbody>\n</table>\n"
    }

    /// A chart (an SVG document from `Charts`) inline in a figure, scaled down to the column's width.
    static func figure(_ svg: String, label: String) -> String {
        "<figure class=\"chart\" aria-label=\"\(escape(label))\">\n\(svg)</figure>\n"
    }

    /// A titled section with an anchor.
    static func section(_ id: String, _ title: String, _ body: String) -> String {
        "<section id=\"\(id)\">\n<h2>\(escape(title))</h2>\n\(body)</section>\n"
    }

    /// The relative URL from the folder `folder` to `file` (`../../clean/a%20b.wav`): `..` per
    /// folder level above their common folder, each path component percent-encoded (RFC 3986
    /// unreserved characters kept), so any file name gives a link that resolves to that file.
    static func relativeLink(from folder: URL, to file: URL) -> String {
        let a = folder.standardizedFileURL.pathComponents, b = file.standardizedFileURL.pathComponents
        var common = 0
        while common < min(a.count, b.count) && a[common] == b[common] { common += 1 }
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                      + "abcdefghijklmnopqrstuvwxyz0123456789-._~")
        let down = b[common...].map { $0.addingPercentEncoding(withAllowedCharacters: unreserved) ?? $0 }
        return (Array(repeating: "..", count: a.count - common) + down).joined(separator: "/")
    }

    /// A complete page: `title` in the head and as the heading, `subtitle` under it, `nav` anchors
    /// (id, text), then `body`.
    static func page(title: String, subtitle: String, nav: [(id: String, text: String)], body: String) -> String {
        let links = nav.map { "<a href=\"#\($0.id)\">\(escape($0.text))</a>" }.joined(separator: "\n")
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="generator" content="Earmark \(EarmarkVersion.number)">
            <title>\(escape(title))</title>
            <style>
            \(PageStyle.css)</style>
            </head>
            <body>
            <main>
            <header>
            <h1>\(escape(title))</h1>
            <p class="subtitle">\(subtitle)</p>
            <nav>
            \(links)
            </nav>
            </header>
            \(body)<footer>Written by Earmark \(EarmarkVersion.number). This page is self-contained: \
            its charts are inline SVG and it loads nothing from the network.</footer>
            </main>
            </body>
            </html>

            """
    }
}
