/// `Cleaning` over a stream of raw PCM: decode and mix to mono (`PCMStreamDecoder`), resample with
/// libsoxr (`StreamingResampler`), envelope gate (`StreamingGate`). The kept samples, in order,
/// are those `Cleaning.clean` keeps of a file holding the same samples.
///
/// Delay: a sample comes out once the gate has seen `gate.lookAhead` samples after it (49.9 ms at
/// 16 kHz), plus, when resampling, libsoxr's filter delay. Non-finite input frames are replaced by
/// silence and every output sample within `taintMargin` of them (at the target rate) is marked
/// tainted, so the caller can drop what they touch.
public final class StreamingCleaner {
    /// Kept samples with their place in the resampled stream.
    public struct Output {
        /// The samples the gate keeps.
        public var samples: [Float] = []
        /// Index of each kept sample in the resampled stream (time = index / targetRate).
        public var positions: [Int] = []
        /// Whether each kept sample is near a non-finite input frame.
        public var tainted: [Bool] = []
        /// Input frames (stream indices) that were NaN or infinite, replaced by silence.
        public var nonFinite: [Int] = []
    }

    public let inputRate: Int
    public let targetRate: Int
    /// Output samples on either side of a non-finite input frame marked tainted: none without
    /// resampling, else 20 ms (more than libsoxr's filter reaches at the HQ recipe).
    public let taintMargin: Int
    private var decoder: PCMStreamDecoder
    private let resampler: StreamingResampler
    public private(set) var gate: StreamingGate
    private var resampled = 0
    private var taints: [ClosedRange<Int>] = []   // sorted, in resampled-stream indices

    /// Frames decoded so far.
    public var frames: Int { decoder.frames }
    /// Bytes left over that do not make a whole frame.
    public var pendingBytes: Int { decoder.pendingBytes }
    /// Bytes of one input frame.
    public var bytesPerFrame: Int { decoder.bytesPerFrame }

    /// Throws `AudioError` when the rates cannot be converted.
    public init(inputRate: Int, format: PCMStreamDecoder.Format, channels: Int, targetRate: Int,
                threshold: Double = EnvelopeGate.defaultThreshold, name: String = "stdin") throws {
        self.inputRate = inputRate
        self.targetRate = targetRate
        decoder = PCMStreamDecoder(format: format, channels: channels)
        resampler = try StreamingResampler(from: inputRate, to: targetRate, name: name)
        gate = StreamingGate(sampleRate: targetRate, threshold: threshold)
        taintMargin = inputRate == targetRate ? 0 : targetRate / 50
    }

    /// Feeds raw bytes; returns the samples decided so far.
    public func push(_ bytes: UnsafeRawBufferPointer) throws -> Output {
        let (mono, nonFinite) = decoder.decode(bytes)
        let ratio = Double(targetRate) / Double(inputRate)
        for f in nonFinite {
            let centre = Int((Double(f) * ratio).rounded())
            let range = (centre - taintMargin)...(centre + taintMargin)
            if let last = taints.last, last.upperBound >= range.lowerBound - 1 {
                taints[taints.count - 1] = last.lowerBound...range.upperBound
            } else {
                taints.append(range)
            }
        }
        var out = gated(try resampler.process(mono), finish: false)
        out.nonFinite = nonFinite
        return out
    }

    /// Ends the stream: flushes the resampler and the gate.
    public func finish() throws -> Output {
        gated(try resampler.finish(), finish: true)
    }

    private func gated(_ samples: [Float], finish: Bool) -> Output {
        resampled += samples.count
        var out = Output()
        let keep = { (i: Int, y: Float) in
            while let first = self.taints.first, first.upperBound < i { self.taints.removeFirst() }
            out.samples.append(y)
            out.positions.append(i)
            out.tainted.append(self.taints.first?.contains(i) ?? false)
        }
        gate.push(samples, keep: keep)
        if finish { gate.finish(keep: keep) }
        return out
    }
}
