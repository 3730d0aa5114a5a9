import Audio
import Foundation

/// The exploratory figures of the reference workflow, as SVG files in DATA/plots/: per class the
/// time series, FFT magnitude, log filter-bank and MFCC images of one cleaned clip (its first
/// second), and the class distribution pie (mean clip length per class, as the original).
public enum EDAPlots {
    /// One example clip per class.
    public struct Example {
        public var label: String
        public var samples: [Float]
        public init(label: String, samples: [Float]) { self.label = label; self.samples = samples }
    }

    /// Writes signals.svg, fft.svg, fbank.svg, mfcc.svg and class_distribution.svg into `folder`.
    /// - Returns: the files written.
    @discardableResult
    public static func write(examples: [Example], meanSeconds: [(label: String, seconds: Double)],
                             features: FeatureConfig, to folder: URL) throws -> [URL] {
        let rate = features.rate
        var signals: [String] = [], ffts: [String] = [], fbanks: [String] = [], mfccs: [String] = []
        for e in examples {
            let second = Array(e.samples.prefix(rate))
            let t = second.indices.map { Double($0) / Double(rate) }
            let (ts, ys) = decimate(t, second.map(Double.init), to: 1500)
            signals.append(Charts.lines(title: "\(e.label): time series", xLabel: "seconds", yLabel: "amplitude",
                                        x: ts, series: [("signal", ys)]))
            let (freqs, magnitude) = magnitudeSpectrum(second, rate: rate)
            let (fs, ms) = decimate(freqs, magnitude, to: 1500)
            ffts.append(Charts.lines(title: "\(e.label): FFT magnitude", xLabel: "Hz", yLabel: "|Y| / n", x: fs,
                                     series: [("fft", ms)]))
            let p = features.audioParameters
            let fb = logfbank(second, p), mf = mfcc(second, p)
            fbanks.append(Charts.image(title: "\(e.label): log filter bank (frames x \(p.nfilt))",
                                       rows: p.nfilt, columns: fb.frames,
                                       values: transpose(fb.values, rows: fb.frames, columns: p.nfilt)))
            mfccs.append(Charts.image(title: "\(e.label): MFCC (frames x \(p.numcep))",
                                      rows: p.numcep, columns: mf.frames,
                                      values: transpose(mf.values, rows: mf.frames, columns: p.numcep)))
        }
        var written: [URL] = []
        for (name, docs, height) in [("signals", signals, 400.0), ("fft", ffts, 400.0), ("fbank", fbanks, 240.0),
                                     ("mfcc", mfccs, 240.0)] {
            let url = folder.appendingPathComponent("\(name).svg")
            try writeAtomically(RunReport.stack(docs, height: height), to: url)
            written.append(url)
        }
        let pie = folder.appendingPathComponent("class_distribution.svg")
        try writeAtomically(Charts.pie(title: "Class distribution (mean clip length)", labels: meanSeconds.map(\.label),
                                       values: meanSeconds.map(\.seconds)), to: pie)
        return written + [pie]
    }

    /// |rfft(y)| / n and the bin frequencies, as the original's calc_fft.
    static func magnitudeSpectrum(_ y: [Float], rate: Int) -> (freqs: [Double], magnitude: [Double]) {
        let n = max(y.count, 2)
        let plan = FFTPlans.shared.realForward(size: n)
        let buffers = RealFFTBuffers(size: n)
        buffers.input.update(repeating: 0, count: n)
        y.withUnsafeBufferPointer { buffers.input.update(from: $0.baseAddress!, count: y.count) }
        buffers.transform(with: plan)
        let bins = n / 2 + 1
        let s = buffers.spectrum
        let magnitude = (0..<bins).map { k in
            (Double(s[2 * k]) * Double(s[2 * k]) + Double(s[2 * k + 1]) * Double(s[2 * k + 1])).squareRoot() / Double(n)
        }
        return ((0..<bins).map { Double($0) * Double(rate) / Double(n) }, magnitude)
    }

    /// Keeps the larger-magnitude point of each of `count` buckets (so peaks survive).
    static func decimate(_ x: [Double], _ y: [Double], to count: Int) -> ([Double], [Double]) {
        guard x.count > count else { return (x, y) }
        let step = Double(x.count) / Double(count)
        var xs: [Double] = [], ys: [Double] = []
        for b in 0..<count {
            let lo = Int(Double(b) * step), hi = min(x.count, Int(Double(b + 1) * step))
            guard lo < hi else { continue }
            let i = (lo..<hi).max { abs(y[$0]) < abs(y[$1]) }!
            xs.append(x[i]); ys.append(y[i])
        }
        return (xs, ys)
    }

    static func transpose(_ v: [Float], rows: Int, columns: Int) -> [Float] {
        var out = [Float](repeating: 0, count: v.count)
        for r in 0..<rows { for c in 0..<columns { out[c * rows + r] = v[r * columns + c] } }
        return out
    }
}
