import CFFTW
import Foundation

/// A single-precision real-to-complex FFTW plan of one size, made once and shared.
///
/// Execute it only through `RealFFTBuffers.transform(with:)` (fftwf_execute_dft_r2c on per-call,
/// SIMD-aligned buffers), which is thread-safe.
public struct RealFFTPlan: @unchecked Sendable {
    let plan: OpaquePointer
    /// Input length N; the transform yields N/2 + 1 complex bins.
    public let size: Int
}

/// The process-wide FFTW plan cache. FFTW's planner is not thread-safe, so every plan is created
/// under one lock (other FFTW planning in the process should use `withPlannerLock`).
public final class FFTPlans: @unchecked Sendable {
    public static let shared = FFTPlans()

    private let lock = NSLock()
    private var forward: [Int: RealFFTPlan] = [:]

    /// The forward real plan of `size` points (any size >= 1, odd too), created on first use
    /// with FFTW_ESTIMATE on SIMD-aligned buffers and kept for the life of the process.
    public func realForward(size: Int) -> RealFFTPlan {
        precondition(size >= 1 && size <= Int(Int32.max), "FFT size \(size) must be in 1...\(Int32.max)")
        return withPlannerLock {
            if let plan = forward[size] { return plan }
            let input = fftwf_alloc_real(size)!
            let output = fftwf_alloc_complex(size / 2 + 1)!
            defer { fftwf_free(input); fftwf_free(output) }
            let made = fftwf_plan_dft_r2c_1d(Int32(size), input, output, UInt32(FFTW_ESTIMATE))!
            let plan = RealFFTPlan(plan: made, size: size)
            forward[size] = plan
            return plan
        }
    }

    /// Runs `body` holding the planner lock.
    public func withPlannerLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}

/// Per-thread FFT buffers (fftwf_malloc: the alignment FFTW's plans assume).
/// Shape: input (N) real, output (N/2 + 1) complex as interleaved (re, im) Floats.
public final class RealFFTBuffers {
    public let size: Int
    public let input: UnsafeMutablePointer<Float>
    let output: UnsafeMutablePointer<fftwf_complex>

    public init(size: Int) {
        precondition(size >= 1, "FFT size \(size) must be >= 1")
        self.size = size
        input = fftwf_alloc_real(size)!
        input.initialize(repeating: 0, count: size)
        output = fftwf_alloc_complex(size / 2 + 1)!
        UnsafeMutableRawPointer(output).initializeMemory(as: Float.self, repeating: 0, count: 2 * (size / 2 + 1))
    }

    deinit {
        fftwf_free(input)
        fftwf_free(output)
    }

    /// The spectrum as interleaved (re, im) pairs: 2 (N/2 + 1) Floats.
    public var spectrum: UnsafePointer<Float> {
        UnsafeRawPointer(output).assumingMemoryBound(to: Float.self)
    }

    /// Transforms `input` into the spectrum with `plan` (whose size must match).
    @inline(__always)
    public func transform(with plan: RealFFTPlan) {
        precondition(plan.size == size, "FFT plan size \(plan.size) does not match buffers of \(size)")
        fftwf_execute_dft_r2c(plan.plan, input, output)
    }

    /// |X_k|^2 / scale for k in 0..<N/2+1 into `power`; returns their sum (Double throughout).
    /// The sum runs in eight interleaved partial sums (as numpy's pairwise `sum` does for blocks of
    /// eight), so that neither loop waits on one long chain of additions; the powers vectorise.
    @inline(__always)
    func powerSpectrum(into power: UnsafeMutablePointer<Double>, scale: Double) -> Double {
        let x = spectrum
        let inverse = 1 / scale
        let bins = size / 2 + 1
        for k in 0..<bins {
            let re = Double(x[k &* 2]), im = Double(x[k &* 2 &+ 1])
            power[k] = (re * re + im * im) * inverse
        }
        var r0 = 0.0, r1 = 0.0, r2 = 0.0, r3 = 0.0, r4 = 0.0, r5 = 0.0, r6 = 0.0, r7 = 0.0
        var k = 0
        while k &+ 8 <= bins {
            let p = power + k
            r0 += p[0]; r1 += p[1]; r2 += p[2]; r3 += p[3]; r4 += p[4]; r5 += p[5]; r6 += p[6]; r7 += p[7]
            k &+= 8
        }
        var total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        while k < bins { total += power[k]; k &+= 1 }
        return total
    }
}
