import Dispatch
import Tensor

/// What cblas_sgemm alone reaches on a model's own products: the limit a training or inference
/// step is measured against.
///
/// Each product is timed on its own (random operands, the layers' row-major layouts and transposes,
/// the current `BLAS.threads`, or `copies` threads at once for data parallelism), as the median of
/// several timed runs of enough calls to fill
/// ~`targetSeconds`. The limit of a set of products is their total FLOPs over the summed times:
/// the FLOP rate a step would reach if it did nothing but these products back to back.
struct SgemmLimit {
    struct Timed {
        var product: MatrixProduct
        /// Seconds of one call (per copy when several threads run it at once).
        var seconds: Double
        var gflops: Double { 2 * Double(product.m) * Double(product.n) * Double(product.k) / seconds / 1e9 }
    }

    var timed: [Timed]

    /// - Throws: `BenchError` when a product's result is wrong (a faulty BLAS kernel for this CPU).
    init(products: [MatrixProduct], copies: Int = 1, repeats: Int = 5, targetSeconds: Double = 0.02) throws {
        var cache: [String: Double] = [:]   // identical shapes are timed once
        timed = try products.map { p in
            let key = "\(p.m)x\(p.n)x\(p.k)\(p.transA)\(p.transB)"
            if let s = cache[key] { return Timed(product: p, seconds: s) }
            let s = try SgemmLimit.time(p, copies: copies, repeats: repeats, targetSeconds: targetSeconds)
            cache[key] = s
            return Timed(product: p, seconds: s)
        }
    }

    /// Total FLOPs / total seconds of the products, in GFLOP/s.
    func gflops(_ products: [MatrixProduct]) -> Double {
        var flops = 0.0, seconds = 0.0
        for p in products {
            guard let t = timed.first(where: { $0.product == p }) else { continue }
            flops += p.flops
            seconds += t.seconds * Double(p.count)
        }
        return seconds > 0 ? flops / seconds / 1e9 : 0
    }

    /// Median seconds of one call of `p`, per copy: with `copies` > 1, that many threads call it at
    /// the same time on their own operands (the data-parallel arrangement) and the wall time is
    /// divided by the number of calls made in all.
    static func time(_ p: MatrixProduct, copies: Int, repeats: Int, targetSeconds: Double) throws -> Double {
        var rng = RandomGenerator(seed: 7)
        let operands = (0..<copies).map { _ in Operands(p, &rng) }
        defer { for o in operands { o.free() } }
        let call: @Sendable (Operands) -> Void = { o in
            gemm(transA: p.transA, transB: p.transB, m: p.m, n: p.n, k: p.k, a: o.a, b: o.b, c: o.c)
        }
        call(operands[0])
        try verify(p, operands[0].a, operands[0].b, operands[0].c)
        // calls per timed run: enough for ~targetSeconds
        let once = max(Timing.seconds { for _ in 0..<3 { call(operands[0]) } } / 3, 1e-7)
        let calls = max(1, Int(targetSeconds / once))
        let run = {
            if copies == 1 { for _ in 0..<calls { call(operands[0]) }; return }
            DispatchQueue.concurrentPerform(iterations: copies) { r in
                FloatEnvironment.flushDenormalsToZero()
                for _ in 0..<calls { call(operands[r]) }
            }
        }
        let times = Timing.repeated(warmup: 1, repeats: repeats, run)
        return Timing.median(times) / Double(calls * copies)
    }

    /// a, b, c of one product, filled with uniform values in [-0.5, 0.5).
    struct Operands: @unchecked Sendable {
        let a: UnsafeMutablePointer<Float>, b: UnsafeMutablePointer<Float>, c: UnsafeMutablePointer<Float>
        init(_ p: MatrixProduct, _ rng: inout RandomGenerator) {
            a = .allocate(capacity: p.m * p.k); b = .allocate(capacity: p.k * p.n); c = .allocate(capacity: p.m * p.n)
            for i in 0..<(p.m * p.k) { a[i] = rng.nextUniform() - 0.5 }
            for i in 0..<(p.k * p.n) { b[i] = rng.nextUniform() - 0.5 }
            c.initialize(repeating: 0, count: p.m * p.n)
        }
        func free() { a.deallocate(); b.deallocate(); c.deallocate() }
    }

    /// Compares ~256 sampled entries of c with a Double-precision product; throws when one is off
    /// by more than 1e-4 relative to the sum of |terms| (OpenBLAS picks kernels per CPU at run time,
    /// and some builds compute wrong results on some CPUs: a figure from such a kernel is worthless).
    static func verify(_ p: MatrixProduct, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                       _ c: UnsafePointer<Float>) throws {
        var rng = RandomGenerator(seed: 11)
        for _ in 0..<256 {
            let i = rng.nextInt(below: p.m), j = rng.nextInt(below: p.n)
            var exact = 0.0, scale = 0.0
            for q in 0..<p.k {
                let av = Double(p.transA ? a[q * p.m + i] : a[i * p.k + q])   // a (m, k) or (k, m)
                let bv = Double(p.transB ? b[j * p.k + q] : b[q * p.n + j])   // b (k, n) or (n, k)
                exact += av * bv; scale += abs(av * bv)
            }
            let got = Double(c[i * p.n + j])
            if abs(got - exact) > 1e-4 * max(scale, 1e-30) {
                throw BenchError("cblas_sgemm (\(BLAS.coreName) kernels) computed \(got) instead of \(exact) "
                                 + "at (\(i), \(j)) of the \(p.m) x \(p.n) x \(p.k) product \(p.label): "
                                 + "this BLAS kernel is wrong on this CPU")
            }
        }
    }
}
