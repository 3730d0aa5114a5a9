import Dispatch
import Foundation

/// One training or prediction window: `length` samples of clip `clip` starting at `start`.
public struct WindowRef: Sendable, Hashable {
    public var clip: Int
    public var start: Int
    public init(clip: Int, start: Int) {
        self.clip = clip
        self.start = start
    }
}

extension FeatureExtractor {
    /// Features of many equal-length windows, spread over threads (DispatchQueue.concurrentPerform
    /// over contiguous runs of windows, one workspace per run; `threads` <= 1: all on the calling thread).
    ///
    /// Shape: clips[c] (n_c), windows (W) -> output (W, F, width), row-major, F = frameCount(length)
    /// (9 x 13 for 1600-sample MFCC windows at the defaults). `output` must hold exactly that many
    /// values; it is fully overwritten. Precondition: every window lies inside its clip.
    public func computeBatch(_ kind: FeatureKind, clips: [[Float]], windows: [WindowRef], length: Int,
                             into output: UnsafeMutableBufferPointer<Float>,
                             threads: Int = ProcessInfo.processInfo.activeProcessorCount) {
        let perWindow = frameCount(samples: length) * width(kind)
        FeatureBatch.checkWindows(clips: clips, windows: windows, length: length, perWindow: perWindow,
                                  output: output.count)
        guard !windows.isEmpty else { return }
        nonisolated(unsafe) let out = output.baseAddress!
        FeatureBatch.inRuns(count: windows.count, threads: threads) { lo, hi in
            let ws = makeWorkspace()
            for i in lo..<hi {
                let w = windows[i]
                clips[w.clip].withUnsafeBufferPointer { clip in
                    let window = UnsafeBufferPointer(rebasing: clip[w.start..<(w.start + length)])
                    compute(kind, window, into: out + i * perWindow, workspace: ws)
                }
            }
        }
    }

    /// `computeBatch(_:clips:windows:length:into:threads:)` into a new array (W * F * width values).
    public func computeBatch(_ kind: FeatureKind, clips: [[Float]], windows: [WindowRef], length: Int,
                             threads: Int = ProcessInfo.processInfo.activeProcessorCount) -> [Float] {
        var output = [Float](repeating: 0, count: windows.count * frameCount(samples: length) * width(kind))
        output.withUnsafeMutableBufferPointer { out in
            computeBatch(kind, clips: clips, windows: windows, length: length, into: out, threads: threads)
        }
        return output
    }
}

/// The window checks and the thread split shared by the front ends' batch computations.
enum FeatureBatch {
    /// Preconditions of a batch: length >= 1, `output` holds windows x perWindow values, and every
    /// window lies inside its clip.
    static func checkWindows(clips: [[Float]], windows: [WindowRef], length: Int, perWindow: Int, output: Int) {
        precondition(length >= 1, "window length \(length) must be >= 1")
        precondition(output == windows.count * perWindow,
                     "output holds \(output) values; \(windows.count) windows x \(perWindow) need "
                        + "\(windows.count * perWindow)")
        for (i, w) in windows.enumerated() {
            precondition(w.clip >= 0 && w.clip < clips.count && w.start >= 0 && w.start + length <= clips[w.clip].count,
                         "window \(i) (clip \(w.clip), start \(w.start), length \(length)) is outside its clip")
        }
    }

    /// Runs `body(lo, hi)` over contiguous runs covering 0..<count: on the calling thread when
    /// `threads` <= 1 (concurrentPerform would use every core), else DispatchQueue.concurrentPerform
    /// over threads * 4 runs.
    static func inRuns(count: Int, threads: Int, _ body: @Sendable (Int, Int) -> Void) {
        guard count > 0 else { return }
        guard threads > 1 else {
            body(0, count)
            return
        }
        let runs = max(1, min(count, threads * 4))
        DispatchQueue.concurrentPerform(iterations: runs) { run in
            let lo = count * run / runs, hi = count * (run + 1) / runs
            guard lo < hi else { return }
            body(lo, hi)
        }
    }
}
