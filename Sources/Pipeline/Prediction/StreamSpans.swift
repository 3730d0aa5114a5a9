/// `predict --stream --every S`: the windows of each span of S seconds of the stream averaged into
/// one line. A window belongs to the span holding its last sample; span k ([k S, (k + 1) S)) is
/// complete once the cleaner has decided every sample before (k + 1) S, since later windows end
/// later. Probabilities are summed in Double in window order, as `Predictor` averages a clip's.
struct StreamSpans {
    /// One finished span.
    struct Span {
        var startSample: Int
        var endSample: Int
        /// Mean probabilities; nil when no window ended in the span (silence, or dropped windows).
        var probabilities: [Float]?
        var windows: Int
    }

    /// Samples per span at the model's rate.
    let length: Int
    private let classes: Int
    private var current = 0
    private var sums: [Double]
    private var count = 0

    init(seconds: Double, rate: Int, classes: Int) {
        length = max(1, Int((seconds * Double(rate)).rounded()))
        self.classes = classes
        sums = [Double](repeating: 0, count: classes)
    }

    /// Adds a window (dropped windows are not counted) and returns the spans it closes.
    mutating func add(_ w: StreamPredictor.Window) -> [Span] {
        let closed = advance(to: (w.endSample - 1) / length)
        if let p = w.probabilities {
            for j in 0..<classes { sums[j] += Double(p[j]) }
            count += 1
        }
        return closed
    }

    /// The spans that end at or before sample `decided` (every later window ends later).
    mutating func close(decided: Int) -> [Span] { advance(to: decided / length) }

    /// At the end of the stream: the remaining spans, the last one cut at `total` samples.
    mutating func finish(total: Int) -> [Span] {
        var spans = advance(to: total / length)
        if current * length < total { spans.append(take(end: total)) }
        return spans
    }

    /// Closes spans current ..< span.
    private mutating func advance(to span: Int) -> [Span] {
        var spans: [Span] = []
        while current < span { spans.append(take(end: (current + 1) * length)) }
        return spans
    }

    private mutating func take(end: Int) -> Span {
        let span = Span(startSample: current * length, endSample: end,
                        probabilities: count == 0 ? nil : sums.map { Float($0 / Double(count)) }, windows: count)
        sums = [Double](repeating: 0, count: classes)
        count = 0
        current += 1
        return span
    }
}
