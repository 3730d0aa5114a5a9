import Foundation

/// A minimal SVG writer: shapes and text in user units, rendered to a standalone document.
public struct SVGDocument {
    public let width: Double, height: Double
    private var elements: [String] = []

    public init(width: Double, height: Double) { self.width = width; self.height = height }

    /// `s` as XML text or a double-quoted attribute value: `& < > "` as entities, and the control
    /// characters XML 1.0 forbids (all below U+0020 but tab, line feed and carriage return) as U+FFFD,
    /// since one of them makes the whole document ill-formed (a file name can hold them).
    static func escape(_ s: String) -> String {
        let legal = String(String.UnicodeScalarView(s.unicodeScalars.map {
            $0.value < 0x20 && ![0x09, 0x0A, 0x0D].contains($0.value) ? "\u{FFFD}" : $0
        }))
        return legal.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
    static func n(_ v: Double) -> String { String(format: "%.2f", v) }

    public mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String,
                              stroke: String? = nil, title: String? = nil) {
        let s = stroke.map { " stroke=\"\($0)\"" } ?? ""
        let t = title.map { "<title>\(SVGDocument.escape($0))</title>" } ?? ""
        elements.append("<rect x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" width=\"\(Self.n(width))\" "
                        + "height=\"\(Self.n(height))\" fill=\"\(fill)\"\(s)>\(t)</rect>")
    }

    public mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String = "#333",
                              width: Double = 1, dash: String? = nil) {
        let d = dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
        elements.append("<line x1=\"\(Self.n(x1))\" y1=\"\(Self.n(y1))\" x2=\"\(Self.n(x2))\" y2=\"\(Self.n(y2))\" "
                        + "stroke=\"\(stroke)\" stroke-width=\"\(Self.n(width))\"\(d)/>")
    }

    public mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 1.5) {
        let p = points.map { "\(Self.n($0.0)),\(Self.n($0.1))" }.joined(separator: " ")
        elements.append("<polyline points=\"\(p)\" fill=\"none\" stroke=\"\(stroke)\" "
                        + "stroke-width=\"\(Self.n(width))\"/>")
    }

    public mutating func path(_ d: String, fill: String, stroke: String = "white") {
        elements.append("<path d=\"\(d)\" fill=\"\(fill)\" stroke=\"\(stroke)\"/>")
    }

    public mutating func text(_ s: String, x: Double, y: Double, size: Double = 12, anchor: String = "start",
                              color: String = "#222", rotate: Double? = nil, bold: Bool = false) {
        let r = rotate.map { " transform=\"rotate(\(Self.n($0)) \(Self.n(x)) \(Self.n(y)))\"" } ?? ""
        let w = bold ? " font-weight=\"bold\"" : ""
        elements.append("<text x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" font-size=\"\(Self.n(size))\" "
                        + "text-anchor=\"\(anchor)\" fill=\"\(color)\"\(w)\(r)>\(SVGDocument.escape(s))</text>")
    }

    /// The complete SVG document.
    public func render() -> String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Self.n(width))" height="\(Self.n(height))" \
        viewBox="0 0 \(Self.n(width)) \(Self.n(height))" font-family="Helvetica, Arial, sans-serif">
        <rect width="100%" height="100%" fill="white"/>
        \(elements.joined(separator: "\n"))
        </svg>

        """
    }
}

/// Colours for series and categories (matplotlib's tab10) and the 'hot' colour map.
public enum Palette {
    public static let categorical = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                     "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    public static func category(_ i: Int) -> String { categorical[i % categorical.count] }

    /// matplotlib's 'hot' map for t in [0, 1]: black -> red -> yellow -> white.
    public static func hot(_ t: Double) -> String {
        let t = min(max(t.isFinite ? t : 0, 0), 1)
        let r = min(1, t / 0.365079), g = min(1, max(0, (t - 0.365079) / (0.746032 - 0.365079))),
            b = min(1, max(0, (t - 0.746032) / (1 - 0.746032)))
        return String(format: "#%02x%02x%02x", Int(r * 255), Int(g * 255), Int(b * 255))
    }

    /// White -> blue for counts (confusion matrices) for t in [0, 1].
    public static func blues(_ t: Double) -> String {
        let t = min(max(t.isFinite ? t : 0, 0), 1)
        return String(format: "#%02x%02x%02x", Int(247 - t * 239), Int(251 - t * 203), Int(255 - t * 148))
    }
}
