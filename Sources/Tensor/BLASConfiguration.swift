import COpenBLAS

extension BLAS {
    /// OpenBLAS's build configuration string (version, build options, CPU kernel family), e.g.
    /// `OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64`, for `--version`.
    public static var configuration: String { String(cString: openblas_get_config()) }
}
