import CXSMM

/// c (m, n) = a (m, k) b (k, n) + beta * c, row-major, by a kernel libxsmm generates for exactly this
/// shape and these leading dimensions (JIT, once per process; the same kernel every call).
///
/// For products too small for OpenBLAS to pay its per-call setup: with AVX-512 an LSTM step's
/// h (16, 128) x R (128, 512) runs at ~137 GFLOP/s against ~103 in OpenBLAS's small-matrix kernel, a
/// dense layer's (16, 3072) x (3072, 128) at ~130 against ~78 (one core; BENCHMARKS.md, "What was
/// tried"). With AVX2 alone its kernels lose to OpenBLAS once b is large (`libxsmmIsFaster`).
/// Dense's forward pass and Winograd's point products ask for `preferred` (the recurrent layers'
/// input projections and steps, and Dense's inference on a large kernel, use `PanelledMatrixProduct`,
/// these kernels on panels of a copy of b), which gives a kernel only where libxsmm is the faster library on
/// this CPU; `init` returns nil when libxsmm has no kernel for this CPU or shape. Callers then use
/// `gemm` (the same product, other rounding).
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

    /// The kernel for this product when libxsmm is the faster library for its shape on this CPU
    /// (`libxsmmIsFaster`), else nil: the caller then runs OpenBLAS's `gemm`. Same arguments as `init`.
    /// What Earmark's layers ask for; `init` alone asks whether libxsmm has a kernel at all.
    public static func preferred(m: Int, n: Int, k: Int, lda: Int? = nil, ldb: Int? = nil, ldc: Int? = nil,
                                 beta: Float, transA: Bool = false) -> SmallMatrixProduct? {
        guard libxsmmIsFaster(m: m, n: n, k: k) else { return nil }
        return SmallMatrixProduct(m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc, beta: beta, transA: transA)
    }

    /// Whether libxsmm's kernel beats OpenBLAS's sgemm on one thread for c (m, n) = a (m, k) b (k, n)
    /// on this CPU. A function of the shape and of libxsmm's instruction set alone, so every run on a
    /// CPU takes the same path and rounds the same way.
    ///
    /// With AVX-512 kernels it does at every shape Earmark issues (BENCHMARKS.md, "What was tried").
    /// With AVX2 kernels only (libxsmm's "hsw", e.g. on AMD Zen 3) it does while b is small, and falls
    /// behind OpenBLAS, which packs b into cache-sized blocks, once b (k x n floats) reaches 128 KiB
    /// with 32 rows or more, or 192 KiB with 16 rows or more. Measured alone on one core of a Zen 3
    /// (libxsmm against OpenBLAS, GFLOP/s): (16, 3072) x (3072, 128), the reference CNN's dense layer,
    /// 35 against 69; (144, 128) x (128, 512), an LSTM input projection, 63 against 82; (16, 128) x
    /// (128, 512), an LSTM step, 58 against 64; (9, 128) x (128, 64), a Winograd point product, 98
    /// against 41. Below 16 rows it stays with libxsmm whatever b: (9, 256) x (256, 256) 63 against 37.
    /// `avx512`: whether libxsmm's kernels are AVX-512 ones (this CPU's `hasAVX512Kernels` unless given).
    public static func libxsmmIsFaster(m: Int, n: Int, k: Int, avx512: Bool = hasAVX512Kernels) -> Bool {
        if avx512 { return true }
        let bFloats = k * n
        if m >= 32 && bFloats >= 32_768 { return false }
        if m >= 16 && bFloats >= 49_152 { return false }
        return true
    }

    /// Whether libxsmm generates AVX-512 kernels on this CPU (its targets from Knights Landing on).
    public static let hasAVX512Kernels = ["knl", "knm", "skx", "clx", "cpx", "spr"].contains(target)

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
