import CSupport

/// Floating-point environment of the calling thread.
public enum FloatEnvironment {
    /// Flushes subnormal results and inputs to zero (MXCSR FTZ and DAZ) on the calling thread.
    ///
    /// TensorFlow does the same by default; without it, training these models spends most of its
    /// time in microcode assists for subnormal floats. Call it on every thread that trains or infers.
    public static func flushDenormalsToZero() {
        _ = earmark_enable_flush_to_zero()
    }
}
