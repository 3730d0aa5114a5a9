import Audio
import Tensor

/// Earmark's version and the versions of the C libraries it links, for `--version`.
public enum EarmarkVersion {
    /// The release of this source tree.
    public static let number = "1.0.0"

    /// `--version`'s text: `Earmark 1.0.0` then one `  library: version` line per linked library, and
    /// after OpenBLAS's line the kernel family in use and who chose it (`  OpenBLAS kernels: SkylakeX (...)`).
    public static var text: String {
        let libraries = [("OpenBLAS", BLAS.configuration), ("OpenBLAS kernels", BLASKernelSwitch.description)]
            + AudioLibraries.versions
            + [("Open MPI", MPILibrary.version), ("libxsmm", SmallMatrixProduct.libraryDescription)]
        return (["Earmark \(number)"] + libraries.map { "  \($0.0): \($0.1)" }).joined(separator: "\n")
    }
}
