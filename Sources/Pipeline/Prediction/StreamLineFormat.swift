import Foundation

/// The lines of `predict --stream`. Text: tab-separated `time  class  name=p ...` (time: the end
/// of the window or span in seconds from the start of the stream, 3 decimals; probabilities with
/// 6). JSON (`--json`): one object per line, keys sorted: `time`, `start` (seconds), `class`,
/// `probabilities` ({class: p}), `windows` (windows averaged; 1 for a window line), and `window`
/// (its number) on window lines. A span without windows has class `-` (JSON null) and no probabilities.
/// The class is read from the probabilities by `decision` (`predict --threshold`).
struct StreamLineFormat {
    let classes: [String]
    let rate: Int
    let json: Bool
    var decision: DecisionRule = .argmax

    func line(_ w: StreamPredictor.Window) -> String {
        line(start: w.startSample, end: w.endSample, probabilities: w.probabilities, windows: 1, number: w.index)
    }

    func line(_ s: StreamSpans.Span) -> String {
        line(start: s.startSample, end: s.endSample, probabilities: s.probabilities, windows: s.windows, number: nil)
    }

    private func line(start: Int, end: Int, probabilities: [Float]?, windows: Int, number: Int?) -> String {
        let best = probabilities.map { classes[decision.decide($0)] }
        let time = Double(end) / Double(rate)
        if json {
            var object: [String: Any] = ["time": time, "start": Double(start) / Double(rate),
                                         "class": best ?? NSNull(), "windows": windows]
            if let probabilities {
                object["probabilities"] = Dictionary(uniqueKeysWithValues: zip(classes, probabilities.map(Double.init)))
            } else {
                object["probabilities"] = NSNull()
            }
            if let number { object["window"] = number }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
            return String(decoding: data, as: UTF8.self)
        }
        var fields = [String(format: "%.3f", time), best ?? "-"]
        if let probabilities {
            fields += zip(classes, probabilities).map { String(format: "%@=%.6f", $0, Double($1)) }
        }
        return fields.joined(separator: "\t")
    }
}
