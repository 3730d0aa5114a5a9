import CXSMM

/// c (m, n) = a (m, k) b (k, n) + beta * c, row-major, by a kernel libxsmm generates for exactly this
/// shape and these leading dimensions (JIT, once per process; the same kernel every call).
///
/// For products too small for OpenBLAS to pay its per-call setup: an LSTM step's h (16, 128) x
/// R (128, 512) runs at ~137 GFLOP/s here against ~103 in OpenBLAS's small-matrix kernel, a dense
/// layer's (16, 3072) x (3072, 128) at ~130 against ~78 (one core, AVX-512; BENCHMARKS.md, "What was
/// tried"). Dense's forward pass, the recurrent layers' input projections and steps, and Winograd's
/// point products use it. `init` returns nil when libxsmm has no kernel for this CPU or shape;
/// callers then use `gemm` (the same product, other rounding).
///
/// libxsmm is column-major: the row-major product is its C^T (n, m) = B^T (n, k) A^T (k, m), so b is
/// passed as libxsmm's A and a as its B, with the same leading dimensions. With `transA` (a stored
/// (k, m), as a Winograd kernel gradient's V^T Z reads it) libxsmm's B is transposed instead: its
/// generated kernels do that, not a transposed A.
///
/// `@unchecked Sendable`: the kernel is immutable generated code that libxsmm never frees.
public struct SmallMatrixProduct: @unchecked Sendable {
    /// (m, n, k) of the row-major product.
    public let m: Int, n: Int, k: Int
    /// Leading dimensions (row strides) of a, b and c.
    public let lda: Int, ldb: Int, ldc: Int
    /// Whether a is stored transposed, (k, m) with row stride lda.
    public let transA: Bool
    /// The generated kernel; libxsmm owns it for the life of the process.
    private let kernel: UnsafeRawPointer

    /// The kernel for c (m, n) = op(a) (m, k) b (k, n) + beta * c (beta 0 or 1), or nil; op(a) = a, or
    /// with `transA` the transpose of a stored (k, m).
    public init?(m: Int, n: Int, k: Int, lda: Int? = nil, ldb: Int? = nil, ldc: Int? = nil, beta: Float,
                 transA: Bool = false) {
        precondition(m > 0 && n > 0 && k > 0, "SmallMatrixProduct: empty shape m=\(m) n=\(n) k=\(k)")
        precondition(beta == 0 || beta == 1, "SmallMatrixProduct: beta must be 0 or 1, got \(beta)")
        let (lda, ldb, ldc) = (lda ?? (transA ? m : k), ldb ?? n, ldc ?? n)
        precondition(lda >= (transA ? m : k) && ldb >= n && ldc >= n,
                     "SmallMatrixProduct: leading dimension below the row length")
        guard let kernel = earmark_xsmm_dispatch(Int32(n), Int32(m), Int32(k), Int32(ldb), Int32(lda), Int32(ldc), beta,
                                                 transA ? 1 : 0)
        else { return nil }
        (self.m, self.n, self.k, self.lda, self.ldb, self.ldc, self.transA) = (m, n, k, lda, ldb, ldc, transA)
        self.kernel = kernel
    }

    /// Runs the product on a (m, k), or (k, m) with `transA`, with row stride lda, b (k, n) with ldb,
    /// into c (m, n) with ldc.
    public func callAsFunction(a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>) {
        earmark_xsmm_run(kernel, b, a, c)
    }

    /// libxsmm's version and the instruction set it generates kernels for here, for `--version`.
    public static var libraryDescription: String {
        "\(String(cString: earmark_xsmm_version())), kernels for \(target)"
    }

    /// The instruction set libxsmm generates kernels for on this CPU (e.g. "skx" for AVX-512).
    public static var target: String { String(cString: earmark_xsmm_target()) }
}
