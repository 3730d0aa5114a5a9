import Foundation

/// The charts Earmark draws, each an SVG document as a string.
public enum Charts {
    /// Axis ticks: about `count` round values covering [lo, hi], at least `minimumStep` apart (1 for an
    /// axis of whole numbers such as epochs, which then has no tick between two of them).
    static func ticks(_ lo: Double, _ hi: Double, count: Int = 5, minimumStep: Double = 0) -> [Double] {
        guard hi > lo else { return [lo] }
        let raw = max((hi - lo) / Double(count), minimumStep)
        let mag = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? raw
        var t = ceil(lo / step) * step, out: [Double] = []
        while t <= hi + step * 1e-9 { out.append(t); t += step }
        return out
    }

    static func label(_ v: Double) -> String {
        abs(v) >= 1000 || (abs(v) < 0.01 && v != 0)
            ? String(format: "%.2g", v) : String(format: "%g", (v * 1000).rounded() / 1000)
    }

    /// Line chart of several series against x (shared y axis), with a legend. `includeZero` extends
    /// the y axis down (or up) to 0, as a loss plot wants; `wholeNumberX` keeps the x ticks on whole
    /// numbers (epochs).
    public static func lines(title: String, xLabel: String, yLabel: String, x: [Double],
                             series: [(name: String, values: [Double])], includeZero: Bool = false,
                             wholeNumberX: Bool = false) -> String {
        let (w, h, left, right, top, bottom) = (640.0, 400.0, 70.0, 150.0, 40.0, 50.0)
        var doc = SVGDocument(width: w, height: h)
        let finite = series.flatMap(\.values).filter(\.isFinite)
        var (ylo, yhi) = (finite.min() ?? 0, finite.max() ?? 1)
        if includeZero { ylo = min(ylo, 0); yhi = max(yhi, 0) }
        if ylo == yhi { ylo -= 0.5; yhi += 0.5 }
        let xlo = x.min() ?? 0
        let xhi = x.max().map { $0 > xlo ? $0 : xlo + 1 } ?? xlo + 1   // one point (one epoch): a unit wide axis
        func px(_ v: Double) -> Double { left + (v - xlo) / (xhi - xlo) * (w - left - right) }
        func py(_ v: Double) -> Double { top + (1 - (v - ylo) / (yhi - ylo)) * (h - top - bottom) }
        doc.text(title, x: (left + w - right) / 2, y: 24, size: 15, anchor: "middle", bold: true)
        for t in ticks(ylo, yhi) {
            doc.line(x1: left, y1: py(t), x2: w - right, y2: py(t), stroke: "#ddd")
            doc.text(label(t), x: left - 6, y: py(t) + 4, size: 11, anchor: "end")
        }
        for t in ticks(xlo, xhi, minimumStep: wholeNumberX ? 1 : 0) where t == t.rounded() || xhi - xlo < 5 {
            doc.text(label(t), x: px(t), y: h - bottom + 16, size: 11, anchor: "middle")
        }
        doc.line(x1: left, y1: h - bottom, x2: w - right, y2: h - bottom)
        doc.line(x1: left, y1: top, x2: left, y2: h - bottom)
        doc.text(xLabel, x: (left + w - right) / 2, y: h - 12, size: 12, anchor: "middle")
        doc.text(yLabel, x: 18, y: (top + h - bottom) / 2, size: 12, anchor: "middle", rotate: -90)
        for (i, s) in series.enumerated() {
            let pts = zip(x, s.values).filter { $0.1.isFinite }.map { (px($0.0), py($0.1)) }
            doc.polyline(pts, stroke: Palette.category(i), width: 2)
            doc.line(x1: w - right + 12, y1: top + 10 + Double(i) * 20,
                     x2: w - right + 36, y2: top + 10 + Double(i) * 20,
                     stroke: Palette.category(i), width: 3)
            doc.text(s.name, x: w - right + 42, y: top + 14 + Double(i) * 20, size: 12)
        }
        return doc.render()
    }

    /// A matrix of counts as coloured cells with the count written in each (a confusion matrix).
    public static func heatmap(title: String, rowLabels: [String], columnLabels: [String], values: [[Int]],
                               rowTitle: String = "true class", columnTitle: String = "predicted class") -> String {
        let cell = 56.0, left = 40.0 + Double((rowLabels.map(\.count).max() ?? 4) * 7), top = 70.0
        let w = left + cell * Double(columnLabels.count) + 30, h = top + cell * Double(rowLabels.count) + 50
        var doc = SVGDocument(width: w, height: h)
        let peak = Double(values.flatMap { $0 }.max() ?? 1)
        doc.text(title, x: w / 2, y: 22, size: 15, anchor: "middle", bold: true)
        doc.text(columnTitle, x: left + cell * Double(columnLabels.count) / 2, y: 44, size: 12, anchor: "middle")
        doc.text(rowTitle, x: 14, y: top + cell * Double(rowLabels.count) / 2, size: 12, anchor: "middle", rotate: -90)
        for (j, c) in columnLabels.enumerated() {
            doc.text(c, x: left + cell * (Double(j) + 0.5), y: top - 8, size: 11, anchor: "middle")
        }
        for (i, r) in rowLabels.enumerated() {
            doc.text(r, x: left - 6, y: top + cell * (Double(i) + 0.5) + 4, size: 11, anchor: "end")
            for (j, v) in values[i].enumerated() {
                let t = peak > 0 ? Double(v) / peak : 0
                doc.rect(x: left + cell * Double(j), y: top + cell * Double(i), width: cell, height: cell,
                         fill: Palette.blues(t), stroke: "#fff", title: "\(r) -> \(columnLabels[j]): \(v)")
                doc.text(String(v), x: left + cell * (Double(j) + 0.5), y: top + cell * (Double(i) + 0.5) + 5,
                         size: 13, anchor: "middle", color: t > 0.5 ? "white" : "#222")
            }
        }
        return doc.render()
    }

    /// Horizontal bars, one per label, with the value written at the end of each bar by `format`
    /// (default: three significant digits, or fewer) followed by `unit`.
    public static func bars(title: String, labels: [String], values: [Double], unit: String = "",
                            format: ((Double) -> String)? = nil) -> String {
        let rowH = 28.0, left = 30.0 + Double((labels.map(\.count).max() ?? 4) * 7), top = 44.0
        let w = 640.0, h = top + rowH * Double(labels.count) + 20
        var doc = SVGDocument(width: w, height: h)
        let peak = max(values.filter(\.isFinite).max() ?? 1, 1e-12)
        doc.text(title, x: w / 2, y: 24, size: 15, anchor: "middle", bold: true)
        for (i, (l, v)) in zip(labels, values).enumerated() {
            let y = top + rowH * Double(i)
            let len = v.isFinite ? v / peak * (w - left - 110) : 0
            doc.rect(x: left, y: y + 4, width: max(len, 0), height: rowH - 8, fill: Palette.category(i))
            doc.text(l, x: left - 6, y: y + rowH / 2 + 4, size: 12, anchor: "end")
            doc.text(v.isFinite ? (format ?? label)(v) + unit : "n/a", x: left + max(len, 0) + 6, y: y + rowH / 2 + 4, size: 12)
        }
        return doc.render()
    }

    /// A pie of category shares with a legend (the class distribution of the original EDA).
    public static func pie(title: String, labels: [String], values: [Double]) -> String {
        let (w, h, cx, cy, r) = (560.0, 360.0, 180.0, 190.0, 140.0)
        var doc = SVGDocument(width: w, height: h)
        doc.text(title, x: w / 2, y: 24, size: 15, anchor: "middle", bold: true)
        let total = values.reduce(0, +)
        var angle = -Double.pi / 2
        for (i, v) in values.enumerated() where total > 0 {
            let share = v / total
            let end = angle + share * 2 * .pi
            let large = share > 0.5 ? 1 : 0
            let (x0, y0, x1, y1) = (cx + r * cos(angle), cy + r * sin(angle), cx + r * cos(end), cy + r * sin(end))
            let d = share >= 0.9999
                ? "M \(cx - r) \(cy) A \(r) \(r) 0 1 1 \(cx + r) \(cy) A \(r) \(r) 0 1 1 \(cx - r) \(cy) Z"
                : "M \(cx) \(cy) L \(SVGDocument.n(x0)) \(SVGDocument.n(y0)) "
                    + "A \(r) \(r) 0 \(large) 1 \(SVGDocument.n(x1)) \(SVGDocument.n(y1)) Z"
            doc.path(d, fill: Palette.category(i))
            doc.rect(x: 360, y: 70 + Double(i) * 24, width: 14, height: 14, fill: Palette.category(i))
            doc.text(String(format: "%@ %.1f%%", labels[i], share * 100), x: 380, y: 82 + Double(i) * 24, size: 12)
            angle = end
        }
        return doc.render()
    }

    /// A matrix (rows x columns, row 0 at the top) as an image with the 'hot' colour map.
    public static func image(title: String, rows: Int, columns: Int, values: [Float],
                             width: Double = 320, height: Double = 200) -> String {
        precondition(values.count == rows * columns, "Charts.image: \(values.count) values for \(rows)x\(columns)")
        var doc = SVGDocument(width: width + 20, height: height + 40)
        doc.text(title, x: (width + 20) / 2, y: 20, size: 13, anchor: "middle", bold: true)
        let finite = values.filter(\.isFinite)
        let lo = Double(finite.min() ?? 0), hi = Double(finite.max() ?? 1)
        let (cw, ch) = (width / Double(max(columns, 1)), height / Double(max(rows, 1)))
        for r in 0..<rows { for c in 0..<columns {
            let t = hi > lo ? (Double(values[r * columns + c]) - lo) / (hi - lo) : 0
            doc.rect(x: 10 + Double(c) * cw, y: 30 + Double(r) * ch, width: cw + 0.3, height: ch + 0.3,
                     fill: Palette.hot(t))
        } }
        return doc.render()
    }
}
