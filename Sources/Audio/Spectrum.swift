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
    @inline(__always)
    func powerSpectrum(into power: UnsafeMutablePointer<Double>, scale: Double) -> Double {
        let x = spectrum
        let inverse = 1 / scale
        var total = 0.0
        for k in 0..<(size / 2 + 1) {
            let re = Double(x[2 * k]), im = Double(x[2 * k + 1])
            let p = (re * re + im * im) * inverse
            power[k] = p
            total += p
        }
        return total
    }
}
