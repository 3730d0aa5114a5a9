import Foundation
import Tensor

/// SpecAugment's time and frequency masks on scaled features: runs of frames (time) and of
/// coefficients (frequency) set to 0, i.e. the training mean under `scaling: standard` and the
/// training minimum under `minmax`.
///
///     x (F, C) or (F, C, 1) per example, frame-major: value (f, c) at f * C + c
public struct SpecAugment: Sendable {
    /// One mask: `width` consecutive indices from `start` along its axis.
    public struct Mask: Equatable, Sendable {
        public var time: Bool
        public var start: Int, width: Int

        public init(time: Bool, start: Int, width: Int) { self.time = time; self.start = start; self.width = width }
    }

    public var settings: AugmentationConfig.SpecAugmentSettings
    public init(_ settings: AugmentationConfig.SpecAugmentSettings) { self.settings = settings }

    /// The masks of one example of `frames` x `coefficients`: time masks first, then frequency
    /// masks; each width uniform in 0...min(width, axis), its start uniform in 0...(axis - width).
    public func masks(frames: Int, coefficients: Int, rng: inout RandomGenerator) -> [Mask] {
        var out: [Mask] = []
        func add(_ count: Int, _ maxWidth: Int, _ axis: Int, time: Bool) {
            for _ in 0..<count {
                let w = rng.nextInt(below: min(maxWidth, axis) + 1)
                out.append(Mask(time: time, start: rng.nextInt(below: axis - w + 1), width: w))
            }
        }
        add(settings.timeMasks, settings.timeWidth, frames, time: true)
        add(settings.freqMasks, settings.freqWidth, coefficients, time: false)
        return out
    }

    /// Sets the masked values of one example (`frames` x `coefficients` floats at `x`) to 0.
    public static func apply(_ masks: [Mask], to x: UnsafeMutablePointer<Float>, frames: Int, coefficients: Int) {
        for m in masks {
            if m.time {
                (x + m.start * coefficients).update(repeating: 0, count: m.width * coefficients)
            } else {
                for f in 0..<frames { (x + f * coefficients + m.start).update(repeating: 0, count: m.width) }
            }
        }
    }
}
