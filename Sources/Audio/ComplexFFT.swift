import CFFTW
import Foundation

/// A double-precision complex FFT of one size on its own FFTW buffer, planned (FFTW_ESTIMATE,
/// under `FFTPlans`' planner lock) when made and destroyed with it. Unnormalised in both directions,
/// as FFTW: forward then backward multiplies by `size`.
///
/// Shape: buffer (size) complex as (re, im) tuples, transformed in place.
final class ComplexFFT {
    let size: Int
    /// The data, transformed in place.
    let buffer: UnsafeMutablePointer<(Double, Double)>
    private let forwardPlan: OpaquePointer
    private let backwardPlan: OpaquePointer

    init(size: Int) {
        precondition(size >= 1 && size <= Int(Int32.max), "FFT size \(size) must be in 1...\(Int32.max)")
        self.size = size
        let raw = fftw_alloc_complex(size)!
        UnsafeMutableRawPointer(raw).initializeMemory(as: Double.self, repeating: 0, count: 2 * size)
        buffer = UnsafeMutableRawPointer(raw).assumingMemoryBound(to: (Double, Double).self)
        (forwardPlan, backwardPlan) = FFTPlans.shared.withPlannerLock {
            (fftw_plan_dft_1d(Int32(size), raw, raw, FFTW_FORWARD, UInt32(FFTW_ESTIMATE))!,
             fftw_plan_dft_1d(Int32(size), raw, raw, FFTW_BACKWARD, UInt32(FFTW_ESTIMATE))!)
        }
    }

    deinit {
        FFTPlans.shared.withPlannerLock {
            fftw_destroy_plan(forwardPlan)
            fftw_destroy_plan(backwardPlan)
        }
        fftw_free(buffer)
    }

    /// |buffer[i]| / divisor for i in `range` (within 0..<size), in a loop the compiler vectorises: the
    /// square roots and divisions round each value exactly as the scalar formula does.
    func magnitudes(_ range: Range<Int>, dividedBy divisor: Double = 1) -> [Double] {
        precondition(range.lowerBound >= 0 && range.upperBound <= size, "magnitudes \(range) of \(size) bins")
        let z = buffer + range.lowerBound
        return [Double](unsafeUninitializedCapacity: range.count) { out, initialized in
            for i in 0..<range.count {
                let (re, im) = z[i]
                out[i] = (re * re + im * im).squareRoot() / divisor
            }
            initialized = range.count
        }
    }

    /// Transforms `buffer` in place: e^(-2 pi i jk / N) forward, e^(+2 pi i jk / N) backward.
    func transform(forward: Bool) {
        fftw_execute(forward ? forwardPlan : backwardPlan)
    }
}
