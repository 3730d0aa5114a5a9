import Foundation

/// The envelope lines of a clip as a map: for each of `FaultLines`' 50 narrow bands between 1.6 and
/// 7 kHz, the prominence spectrum of the band's envelope (log power over its running median) read at
/// 2, 4, ..., 400 Hz. `FaultLines` reduces this map to two numbers (the strongest line, and the
/// strongest line several bands agree on); a network can read the map itself: a line anywhere in it
/// (a bearing's tick rate ringing its seat's resonance, the shaft rate modulating a band) stands out
/// whatever the machine's own sound, which is what lets a small convolutional network on it hold up
/// on parts it never heard (docs/ACCURACY.md).
///
/// Legend: x the n mean-removed samples at `rate` Hz, X its M-point FFT (M the smallest power of two
/// >= n, zero padded); P_j (W / 2 + 1) band j's prominences as in `FaultLines` (envelope at rate / 8 Hz,
/// mean periodogram of W-sample frames, W the largest power of two <= min(n / 8, 1024), bin width
/// rate / 8 / W Hz). Value (j, f) = P_j[min(round(f / bin width), W / 2)] (round: half to even) for f
/// in `frequencies`; rows of bands above the Nyquist frequency, and every value of a clip shorter than
/// `FaultLines.minimumSamples`, are 0.
///
///     clip (n) -> map (bands = 50, frequencies = 200), row-major
public enum EnvelopeLines {
    /// The frequencies read from each band's prominence spectrum, Hz: 2, 4, ..., 400.
    public static let frequencies = (1...200).map { 2.0 * Double($0) }
    /// Rows of the map: `FaultLines`' bearing bands.
    public static var bands: Int { FaultLines.bearingBands }

    /// Column names, row-major: `envelope_line_<band centre Hz>_<frequency Hz>`.
    public static func columnNames() -> [String] {
        (0..<bands).flatMap { j in
            let centre = Int(FaultLines.bandCentre(j).rounded())
            return frequencies.map { "envelope_line_\(centre)_\(Int($0))" }
        }
    }

    /// The map of `signal` (n >= 1 samples) at `sampleRate` Hz, row-major (bands x frequencies).
    public static func row(_ signal: [Float], sampleRate: Int) -> [Float] {
        precondition(!signal.isEmpty && sampleRate > 0, "envelope lines need samples and a rate > 0")
        var out = [Float](repeating: 0, count: bands * frequencies.count)
        let n = signal.count
        guard n >= FaultLines.minimumSamples else { return out }
        var m = 8
        while m < n { m <<= 1 }
        let mean = signal.reduce(0.0) { $0 + Double($1) } / Double(n)
        let fft = ComplexFFT(size: m)
        for i in 0..<m { fft.buffer[i] = (i < n ? Double(signal[i]) - mean : 0, 0) }
        fft.transform(forward: true)
        let spectrum = Array(UnsafeBufferPointer(start: fft.buffer, count: m))
        let prominences = FaultLines.bandProminences(count: n, spectrum: spectrum, rate: sampleRate)
        for (j, row) in prominences.rows.enumerated() {
            guard let row else { continue }
            for (i, f) in frequencies.enumerated() {
                let k = min(Int((f / prominences.binHz).rounded(.toNearestOrEven)), row.count - 1)
                out[j * frequencies.count + i] = Float(row[k])
            }
        }
        return out
    }
}
