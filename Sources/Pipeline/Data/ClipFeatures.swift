import Audio
import Foundation
import Tensor

/// The whole-clip features of a set of clips and the fixed-length crops cut from them
/// (`features.input: clip`). Each clip's features are computed once (the clip zero-padded at its
/// end to `clip_seconds` when shorter) and crops are runs of consecutive frames of them, so that a
/// new crop per epoch costs a copy, not an FFT. For log-mel, top_db is therefore relative to the
/// whole clip's maximum.
///
///     x (T, C): the frames of clip i are rows offsets[i] ..< offsets[i + 1]; T = sum of F_i
///     crop (cropFrames, C) -> network input (cropFrames, C, 1) or (cropFrames, C)
public struct ClipFeatures: Sendable {
    public var x: Tensor
    /// Row offsets of each clip's frames (clips + 1 values).
    public var offsets: [Int]
    /// Class index and table row of each clip.
    public var labels: [Int32], files: [Int32]

    public init(x: Tensor, offsets: [Int], labels: [Int32], files: [Int32]) {
        precondition(offsets.count == labels.count + 1 && labels.count == files.count && offsets.first == 0
                     && x.shape.count == 2 && offsets.last == x.shape[0],
                     "ClipFeatures: x \(x.shape), \(offsets.count) offsets, \(labels.count) labels, "
                        + "\(files.count) files")
        self.x = x; self.offsets = offsets; self.labels = labels; self.files = files
    }

    /// Number of clips.
    public var count: Int { labels.count }
    /// Values per frame C.
    public var coefficients: Int { x.shape[1] }
    /// Frames F_i of clip i.
    public func frames(of clip: Int) -> Int { offsets[clip + 1] - offsets[clip] }

    /// Features of `clips` (samples at the config's rate), each padded with zeros at its end to
    /// `clipSamples`; labels and files as given.
    public static func compute(_ clips: [[Float]], labels: [Int32], files: [Int32],
                               features f: FeatureConfig) -> ClipFeatures {
        let padded = clips.map { clip in
            clip.count >= f.clipSamples ? clip : clip + [Float](repeating: 0, count: f.clipSamples - clip.count)
        }
        let values = f.frontEnd.computeClips(padded)
        var offsets = [0]
        for v in values { offsets.append(offsets.last! + v.count / f.coefficients) }
        return ClipFeatures(x: Tensor(shape: [offsets.last!, f.coefficients], data: values.flatMap { $0 }),
                            offsets: offsets, labels: labels, files: files)
    }

    /// The training crop starts of `epoch`: one per clip, frame uniform in 0...(F_i - cropFrames),
    /// each a function of (seed, epoch, clip) alone (so a resumed run draws the same crops).
    public func randomStarts(epoch: Int, seed: UInt64, cropFrames: Int) -> [Int] {
        (0..<count).map { i in
            let room = frames(of: i) - cropFrames
            precondition(room >= 0, "clip \(i) has \(frames(of: i)) frames, fewer than a crop (\(cropFrames))")
            var rng = RandomGenerator(seed: seed ^ (UInt64(epoch + 1) &* 0x9E37_79B9_7F4A_7C15)
                                      ^ (UInt64(i + 1) &* 0xC2B2_AE3D_27D4_EB4F))
            return rng.nextInt(below: room + 1)
        }
    }

    /// Sliding crop starts of clip i: 0, hop, 2 hop, ... while start + cropFrames <= F_i (a clip
    /// of exactly one crop gives one).
    public func slidingStarts(of clip: Int, cropFrames: Int, hop: Int) -> [Int] {
        precondition(hop >= 1, "crop hop \(hop) must be >= 1")
        return Array(stride(from: 0, through: frames(of: clip) - cropFrames, by: hop))
    }

    /// The crops (clip, start frame) as network inputs of `shape` ((cropFrames, C, 1) or (cropFrames, C)).
    ///
    ///     crops (K) -> x (K, shape...), labels and files of each crop's clip
    public func crops(_ crops: [(clip: Int, start: Int)], shape: [Int]) -> WindowSet {
        let cropFrames = shape[0], C = coefficients
        precondition(shape.reduce(1, *) == cropFrames * C, "crop shape \(shape) for \(C) coefficients")
        var out = Tensor(shape: [crops.count] + shape)
        let per = cropFrames * C
        x.data.withUnsafeBufferPointer { src in
            out.data.withUnsafeMutableBufferPointer { dst in
                for (k, c) in crops.enumerated() {
                    precondition(c.start >= 0 && c.start + cropFrames <= frames(of: c.clip),
                                 "crop \(k) is outside clip \(c.clip)")
                    let from = src.baseAddress! + (offsets[c.clip] + c.start) * C
                    (dst.baseAddress! + k * per).update(from: from, count: per)
                }
            }
        }
        return WindowSet(x: out, labels: crops.map { labels[$0.clip] }, files: crops.map { files[$0.clip] })
    }

    /// One random crop per clip for `epoch` (`randomStarts`).
    public func trainingCrops(epoch: Int, seed: UInt64, shape: [Int]) -> WindowSet {
        let starts = randomStarts(epoch: epoch, seed: seed, cropFrames: shape[0])
        return crops(starts.enumerated().map { ($0.offset, $0.element) }, shape: shape)
    }

    /// Every sliding crop of every clip, clip by clip; `owners[k]` is crop k's clip.
    public func slidingCrops(hop: Int, shape: [Int]) -> (set: WindowSet, owners: [Int]) {
        var refs: [(clip: Int, start: Int)] = []
        for i in 0..<count {
            for s in slidingStarts(of: i, cropFrames: shape[0], hop: hop) { refs.append((i, s)) }
        }
        return (crops(refs, shape: shape), refs.map(\.clip))
    }
}
