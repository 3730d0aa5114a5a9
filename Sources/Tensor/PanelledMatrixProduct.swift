/// c (m, n) = a (m, k) b (k, n) + beta * c (beta 0 or 1), row-major, with b kept as a copy cut into
/// column panels, each panel's rows contiguous, and one libxsmm kernel per panel width.
///
/// For a right-hand operand reused by many small products, as an LSTM's recurrent kernel R (U, 4U)
/// is by every step's h (N, U) R: read in place, R's rows are 4U floats apart (2 KiB for 128 units),
/// so a kernel walking a block of columns down its k rows lands every row in the same few L1 sets and
/// fetches the block again from L2 for each group of a's rows; OpenBLAS instead copies (packs) all of
/// b at every call. Here b is packed once (`pack`, after each change of b) into panels of
/// `panelWidth` columns:
///
///     panels (P, k, w): panel p holds b[:, p*w ..< p*w + w] with row stride w (the last may be narrower)
///
/// so a panel is one contiguous block of k * w floats that stays in L1 while the kernel runs over all
/// m rows. One core of an AMD EPYC Zen 3, h (16, 128) x R (128, 512), 8 steps between the LSTM cells
/// of two layers: OpenBLAS 534 us, libxsmm on R in place 456 us, panels of 32 columns 351 us. The
/// LSTM's input projection x (144, 128) W (128, 512) alone: OpenBLAS 228 us, panels 186 us
/// (BENCHMARKS.md, What was tried). Dense's inference reads a large kernel the same way: (16, 3072) x
/// (3072, 128), the reference CNN's dense layer, 135-159 us on panels against OpenBLAS's 178-210. The
/// recurrent backward's dh = dGates R^T reads R^T packed by `packTransposed`: 8 steps of (16, 512) x
/// (512, 128), OpenBLAS with R transposed 317 us (it packs R at every call), panels 186 us plus 51 us
/// to transpose R into them once.
///
/// Every element of c is the same sum in the same k order as a libxsmm kernel over the whole width
/// computes it, so the result does not depend on the panel width.
public final class PanelledMatrixProduct {
    /// (m, n, k) of the row-major product.
    public let m: Int, n: Int, k: Int
    /// Row strides of a and c.
    public let lda: Int, ldc: Int
    /// Columns per panel (the last panel holds the remaining n % panelWidth when that is not 0).
    public let panelWidth: Int
    private let full: SmallMatrixProduct
    private let last: SmallMatrixProduct?
    private let packed = AlignedFloats()
    private var packedSource: (b: UnsafePointer<Float>, version: UInt64)? // what the panels hold (`pack(_:version:)`)
    /// How many times b was copied into the panels (every `pack`, and the `pack(_:version:)` calls
    /// that did not find this b at this version there already).
    public private(set) var copies = 0

    /// The product for a (m, k) with row stride lda into c (m, n) with row stride ldc (c = a b + beta c),
    /// or nil when libxsmm has no kernel for a panel's shape on this CPU (the caller then runs `gemm`).
    /// `panelWidth` defaults to four of this CPU's vectors (`defaultPanelWidth`).
    public init?(m: Int, n: Int, k: Int, lda: Int, ldc: Int, beta: Float = 1,
                 panelWidth: Int = PanelledMatrixProduct.defaultPanelWidth) {
        precondition(m > 0 && n > 0 && k > 0 && panelWidth > 0,
                     "PanelledMatrixProduct: empty shape m=\(m) n=\(n) k=\(k) or panel width \(panelWidth)")
        let width = min(panelWidth, n)
        guard let full = SmallMatrixProduct(m: m, n: width, k: k, lda: lda, ldb: width, ldc: ldc, beta: beta)
        else { return nil }
        let rest = n % width
        var last: SmallMatrixProduct?
        if rest > 0 {
            guard let kernel = SmallMatrixProduct(m: m, n: rest, k: k, lda: lda, ldb: rest, ldc: ldc, beta: beta)
            else { return nil }
            last = kernel
        }
        (self.m, self.n, self.k, self.lda, self.ldc, self.panelWidth) = (m, n, k, lda, ldc, width)
        (self.full, self.last) = (full, last)
    }

    /// Four vectors of libxsmm's instruction set on this CPU: 64 floats with AVX-512, 32 with AVX2.
    public static var defaultPanelWidth: Int { SmallMatrixProduct.hasAVX512Kernels ? 64 : 32 }

    /// Copies b (k, n), row stride n, into the panels. Call it whenever b changes; the products read
    /// only the copy.
    public func pack(_ b: UnsafePointer<Float>) {
        packedSource = nil
        copyIntoPanels(b)
    }

    /// `pack(b)` unless the panels already hold this b at this `version`: the version its owner gives
    /// every state of b's elements (a weight's `Parameter.version`, which changes whenever the weight
    /// does), so that weights read again and again unchanged, as by inference, are copied once. A debug
    /// build checks, whenever it skips the copy, that the panels still equal b: a write to b that left
    /// its version alone stops there rather than reaching a product.
    public func pack(_ b: UnsafePointer<Float>, version: UInt64) {
        if let source = packedSource, source.b == b, source.version == version {
            assert(panelsEqual(b), "PanelledMatrixProduct: b changed but its version \(version) did not")
            return
        }
        copyIntoPanels(b)
        packedSource = (b, version)
    }

    /// Copies b = a^T into the panels, for a (n, k) stored row-major with row stride k: the product by
    /// the transpose of a matrix kept as it is, as the LSTM's and GRU's backward multiply each step's
    /// gate gradients by R^T. Panel p is rows p*w ..< p*w + w of a, transposed (libxsmm's out-of-place
    /// transpose, one call per panel). Call it whenever a changes.
    ///
    ///     a (n, k) -> panels of b = a^T (k, n)
    public func packTransposed(_ a: UnsafePointer<Float>) {
        packedSource = nil
        copies += 1
        let panels = packed.reserve(k * n)
        var start = 0
        while start < n {
            let width = min(panelWidth, n - start)
            transpose(a + start * k, rows: width, columns: k, into: panels + start * k)
            start += width
        }
    }

    /// Whether the panels hold b's elements, bit for bit.
    private func panelsEqual(_ b: UnsafePointer<Float>) -> Bool {
        guard let panels = packed.pointer else { return false }
        var start = 0
        while start < n {
            let width = min(panelWidth, n - start)
            for row in 0..<k {
                let (panelRow, bRow) = (panels + start * k + row * width, b + row * n + start)
                for j in 0..<width where panelRow[j].bitPattern != bRow[j].bitPattern { return false }
            }
            start += width
        }
        return true
    }

    private func copyIntoPanels(_ b: UnsafePointer<Float>) {
        copies += 1
        let panels = packed.reserve(k * n)
        var start = 0
        while start < n {
            let width = min(panelWidth, n - start)
            let panel = panels + start * k            // panels before this one hold k * start floats
            for row in 0..<k {
                (panel + row * width).update(from: b + row * n + start, count: width)
            }
            start += width
        }
    }

    /// c (m, n) = a (m, k) b (k, n) + beta * c with the b of the last `pack`.
    public func callAsFunction(a: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>) {
        guard let panels = packed.pointer, packed.count >= k * n else {
            preconditionFailure("PanelledMatrixProduct: product before pack")
        }
        var start = 0
        while start + panelWidth <= n {
            full(a: a, b: panels + start * k, c: c + start)
            start += panelWidth
        }
        if let last { last(a: a, b: panels + start * k, c: c + start) }
    }
}
