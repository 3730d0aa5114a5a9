/// Data in the Markdown reports (report.md), and the inverse reading of `HTML.inline`: a class name or
/// a path is text, never markup. A label such as ``**A** `b` <img src=x onerror=...>`` went into
/// report.md as raw Markdown and HTML, and report.html showed it as bold and code.
enum Markdown {
    /// The ASCII punctuation that means something inline where the reports put data (never at the
    /// start of a line, so not `#`; `(` and `!` only next to a bracket, which is escaped).
    static let special: Set<Character> = ["\\", "`", "*", "_", "[", "]", "<", ">", "|", "~", "&"]

    /// `s` as literal Markdown text: each special character escaped with a backslash.
    static func text(_ s: String) -> String {
        var out = ""
        for c in s {
            if special.contains(c) { out.append("\\") }
            out.append(c)
        }
        return out
    }

    /// `s` as a code span: fenced by one backtick more than its longest run of backticks, with a
    /// space inside each fence when it starts or ends with a backtick, or starts and ends with a space
    /// (CommonMark strips one space each side then).
    static func code(_ s: String) -> String {
        var longest = 0, run = 0
        for c in s { run = c == "`" ? run + 1 : 0; longest = max(longest, run) }
        let fence = String(repeating: "`", count: longest + 1)
        let spaced = s.hasPrefix(" ") && s.hasSuffix(" ") && s.contains { $0 != " " }
        let pad = s.hasPrefix("`") || s.hasSuffix("`") || spaced ? " " : ""
        return fence + pad + s + pad + fence
    }

    /// `s` as one shell word for a command line shown in a report: as is when it holds only
    /// letters, digits and `-_.,:/+=@%`, else in single quotes (a quote inside as `'\''`).
    static func shellWord(_ s: String) -> String {
        let safe = "-_.,:/+=@%".unicodeScalars
        let plain = !s.isEmpty && s.unicodeScalars.allSatisfy {
            ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains(Character($0)))) || safe.contains($0)
        }
        return plain ? s : "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
