import CSupport
import Dispatch
import Foundation

/// The CPU's fused multiply-add peak over all its cores: one thread per core, each running
/// 12 independent FMA chains held in vector registers (`earmark_fma_peak`) at the same time. No
/// product, however it is blocked or packed, runs faster, so a model's FLOPs per window over this
/// peak is the most windows/s it could ever reach on this machine with its operation count
/// (BENCHMARKS.md's ceiling rows).
enum FMAPeak {
    /// GFLOP/s of all `threads` threads together: the median of `repeats` timed runs of ~`targetSeconds`.
    static func measure(threads: Int = ProcessInfo.processInfo.activeProcessorCount, repeats: Int = 5,
                        targetSeconds: Double = 0.1) -> [Double] {
        var sink: Float = 0
        // rounds per run: enough for ~targetSeconds on one thread
        let probe = 1_000_000
        var probeFlops = 0
        let once = max(Timing.seconds { probeFlops = earmark_fma_peak(probe, &sink) }, 1e-6)
        let rounds = max(probe, Int(Double(probe) * targetSeconds / once))
        let flopsPerThread = Double(probeFlops) / Double(probe) * Double(rounds)
        let run = {
            DispatchQueue.concurrentPerform(iterations: threads) { _ in
                var local: Float = 0
                _ = earmark_fma_peak(rounds, &local)
            }
        }
        return Timing.repeated(warmup: 1, repeats: repeats, run).map { flopsPerThread * Double(threads) / $0 / 1e9 }
    }
}
