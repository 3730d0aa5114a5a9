import COpenBLAS

/// The linked BLAS library, for `--version` and benchmark reports.
public enum BLASLibrary {
    /// OpenBLAS's build configuration string, e.g. `OpenBLAS 0.3.26 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64`.
    public static var configuration: String { String(cString: openblas_get_config()) }
}
