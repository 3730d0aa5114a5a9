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
        precondition(length >= 1, "window length \(length) must be >= 1")
        let perWindow = frameCount(samples: length) * width(kind)
        precondition(output.count == windows.count * perWindow,
                     "output holds \(output.count) values; \(windows.count) windows x \(perWindow) need \(windows.count * perWindow)")
        for (i, w) in windows.enumerated() {
            precondition(w.clip >= 0 && w.clip < clips.count && w.start >= 0 && w.start + length <= clips[w.clip].count,
                         "window \(i) (clip \(w.clip), start \(w.start), length \(length)) is outside its clip")
        }
        guard !windows.isEmpty else { return }
        let base = output.baseAddress!
        nonisolated(unsafe) let out = base
        @Sendable func computeRun(_ lo: Int, _ hi: Int) {
            let ws = makeWorkspace()
            for i in lo..<hi {
                let w = windows[i]
                clips[w.clip].withUnsafeBufferPointer { clip in
                    let window = UnsafeBufferPointer(rebasing: clip[w.start..<(w.start + length)])
                    compute(kind, window, into: out + i * perWindow, workspace: ws)
                }
            }
        }
        guard threads > 1 else {       // one thread: on the calling thread (concurrentPerform would use every core)
            computeRun(0, windows.count)
            return
        }
        let runs = max(1, min(windows.count, threads * 4))
        DispatchQueue.concurrentPerform(iterations: runs) { run in
            let lo = windows.count * run / runs, hi = windows.count * (run + 1) / runs
            guard lo < hi else { return }
            computeRun(lo, hi)
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
