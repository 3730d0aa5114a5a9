import Foundation
import Tensor

/// The audio-domain part of an `AugmentationConfig`: time shift, gain and noise, applied in that
/// order to one example's samples (so the SNR is relative to the gained signal).
///
///     clip (n), start, length L -> segment (L)
public struct AudioAugmentation: Sendable {
    /// What was drawn for one example.
    public struct Draw: Equatable, Sendable {
        /// Samples the content moves later by (negative: earlier).
        public var shift = 0
        /// Gain in dB.
        public var gainDB = 0.0
        /// The SNR of the added noise in dB, nil when this example gets none.
        public var snrDB: Double?

        public init(shift: Int = 0, gainDB: Double = 0, snrDB: Double? = nil) {
            self.shift = shift; self.gainDB = gainDB; self.snrDB = snrDB
        }
    }

    public var config: AugmentationConfig
    /// The features' sample rate (Hz).
    public var rate: Int
    /// The clips of `noise.folder` (kind folder).
    public var noiseBank: NoiseBank?

    public init(config: AugmentationConfig, rate: Int, noiseBank: NoiseBank? = nil) {
        precondition(config.noise?.kind != .folder || noiseBank != nil,
                     "AudioAugmentation: folder noise without clips")
        self.config = config; self.rate = rate; self.noiseBank = noiseBank
    }

    /// Largest shift in samples: time_shift_seconds at `rate`, rounded.
    public var maximumShift: Int { Int(((config.timeShiftSeconds ?? 0) * Double(rate)).rounded()) }

    /// The draws of one example, in a fixed order from `rng` (shift, gain, noise chance, SNR).
    public func draw(_ rng: inout RandomGenerator) -> Draw {
        var d = Draw()
        if config.timeShiftSeconds != nil { d.shift = rng.nextInt(below: 2 * maximumShift + 1) - maximumShift }
        if let g = config.gainDB { d.gainDB = rng.nextUniform(in: g) }
        if let n = config.noise, rng.nextUniformDouble() < n.probability { d.snrDB = rng.nextUniform(in: n.snrDB) }
        return d
    }

    /// `length` samples of `clip` from `start`, augmented: the content moved by `shift` (silence
    /// where it comes from outside the clip), times 10^(gain / 20), plus noise drawn from `rng`.
    public func apply(_ d: Draw, clip: [Float], start: Int, length: Int, rng: inout RandomGenerator) -> [Float] {
        let from = start - d.shift
        var out = [Float](repeating: 0, count: length)
        let lo = max(0, -from), hi = min(length, clip.count - from)
        if lo < hi { for j in lo..<hi { out[j] = clip[from + j] } }
        if config.gainDB != nil {
            let g = Float(Foundation.pow(10, d.gainDB / 20))
            for j in out.indices { out[j] *= g }
        }
        if let snr = d.snrDB, let n = config.noise {
            let noise: [Float]
            switch n.kind {
            case .white: noise = NoiseSignal.white(count: length, rng: &rng)
            case .pink: noise = NoiseSignal.pink(count: length, rng: &rng)
            case .folder: noise = NoiseSignal.stretch(of: noiseBank!.clips, count: length, rng: &rng)
            }
            NoiseSignal.mix(noise, into: &out, snrDB: snr)
        }
        return out
    }
}
