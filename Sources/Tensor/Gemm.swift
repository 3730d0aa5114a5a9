import COpenBLAS

/// Matrix products through `cblas_sgemm`, row-major.
///
///     c (m, n) = alpha * op(a) (m, k) * op(b) (k, n) + beta * c
///
/// `op(x)` is `x` or its transpose. Leading dimensions default to the packed row-major ones:
/// `a` is stored (m, k) or, transposed, (k, m); `b` is stored (k, n) or (n, k); `c` is (m, n).
/// Every O(N*K*M) operation of Earmark goes through here.
@inlinable
public func gemm(
    transA: Bool = false, transB: Bool = false,
    m: Int, n: Int, k: Int,
    alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int? = nil,
    b: UnsafePointer<Float>, ldb: Int? = nil,
    beta: Float = 0,
    c: UnsafeMutablePointer<Float>, ldc: Int? = nil
) {
    precondition(m >= 0 && n >= 0 && k >= 0, "gemm: negative size m=\(m) n=\(n) k=\(k)")
    if m == 0 || n == 0 { return }
    let lda = lda ?? (transA ? m : k)
    let ldb = ldb ?? (transB ? k : n)
    let ldc = ldc ?? n
    cblas_sgemm(CblasRowMajor,
                transA ? CblasTrans : CblasNoTrans,
                transB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k),
                alpha, a, Int32(max(lda, 1)), b, Int32(max(ldb, 1)),
                beta, c, Int32(max(ldc, 1)))
}

/// `gemm` without transposes, as column blocks of b and c small enough for OpenBLAS's small-matrix
/// kernels, which read b where it is instead of packing it first.
///
///     c (m, n) = alpha * a (m, k) * b (k, n) + beta * c,  computed as  c[:, j0..<j1] = a * b[:, j0..<j1] ...
///
/// OpenBLAS (0.3.21, SkylakeX / Cooperlake kernels) takes its small-matrix path when
/// m * n * k <= 10^6 for an untransposed product; above that it packs both operands on every call.
/// A product with few rows and a large b (an LSTM step's h (16, 128) x R (128, 512): 1.05 * 10^6)
/// spends most of its time packing b, so two blocks of 256 columns are faster than one product
/// (BENCHMARKS.md has the timings). Blocks are multiples of 16 columns; when even 16 columns are
/// above the limit (many rows), this is one ordinary `gemm`. Results are the same products
/// (summation order within each dot product may differ by kernel: float rounding only).
@inlinable
public func gemmInSmallColumnBlocks(
    m: Int, n: Int, k: Int, alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int? = nil,
    b: UnsafePointer<Float>, ldb: Int? = nil,
    beta: Float = 0,
    c: UnsafeMutablePointer<Float>, ldc: Int? = nil
) {
    let (lda, ldb, ldc) = (lda ?? k, ldb ?? n, ldc ?? n)
    let width = smallColumnBlockWidth(m: m, n: n, k: k)
    guard width < n else {
        gemm(m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        return
    }
    var first = 0
    while first < n {
        let w = min(width, n - first)
        gemm(m: m, n: w, k: k, alpha: alpha, a: a, lda: lda, b: b + first, ldb: ldb, beta: beta,
             c: c + first, ldc: ldc)
        first += w
    }
}

/// The column width of `gemmInSmallColumnBlocks`'s blocks for an (m, n, k) product: n itself when it
/// runs as one `gemm`, else the widest multiple of 16 under OpenBLAS's small-matrix limit, evened out
/// over the blocks (512 -> 256 + 256); the last block may be narrower.
@inlinable
public func smallColumnBlockWidth(m: Int, n: Int, k: Int) -> Int {
    let limit = 1_000_000
    guard m * n * k > limit, m * 16 * k <= limit else { return n }
    let widest = max(16, (limit / (m * k)) / 16 * 16)
    let blocks = (n + widest - 1) / widest
    return min(n, ((n + blocks - 1) / blocks + 15) / 16 * 16)
}

/// The products `gemmInSmallColumnBlocks` issues for an (m, n, k) product, `count` times over.
public func smallColumnBlockProducts(_ label: String, m: Int, n: Int, k: Int, count: Int = 1) -> [MatrixProduct] {
    let width = smallColumnBlockWidth(m: m, n: n, k: k)
    var products = [MatrixProduct(label, m: m, n: width, k: k, count: count * (n / width))]
    if n % width > 0 { products.append(MatrixProduct(label, m: m, n: n % width, k: k, count: count)) }
    return products
}

/// OpenBLAS threading and identity.
public enum BLAS {
    /// Number of threads OpenBLAS uses for one product.
    public static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set {
            _ = defaultThreads          // read before the first change
            openblas_set_num_threads(Int32(max(1, newValue)))
        }
    }

    /// The thread count OpenBLAS chose when it started (`OPENBLAS_NUM_THREADS`, else one per core),
    /// read before Earmark first changes it; what a single model uses, whatever ran before it.
    public static let defaultThreads = Int(openblas_get_num_threads())

    /// The kernel family OpenBLAS picked for this CPU (for example "SkylakeX").
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }
}
