import CSupport

/// Vectorisable exp, sigmoid and tanh for Float buffers (legend: n elements).
///
/// Foundation's `exp` and `tanh` are scalar library calls; these are straight-line code (no
/// branches, no float-to-int conversion), so a plain loop over a buffer compiles to vector
/// instructions, even for the SSE2 baseline. Accuracy: exp within 2 ulp on [-87, 87] (Cephes
/// polynomial after Cody-Waite reduction); sigmoid and tanh within ~1e-7 absolute.

/// e^x, inputs clamped to [-87, 87] (the result stays a normal, finite Float, and so does
/// 1 / (1 + e^x): no subnormal ever comes out of sigmoid).
@inlinable @inline(__always)
public func fastExp(_ x: Float) -> Float {
    let x = min(max(x, -87), 87)
    // n = round(x / ln 2) by the 1.5 * 2^23 trick: the low bits of t hold n as an integer
    let t = x * 1.442_695_04 + 12_582_912
    let n = t - 12_582_912
    let r = (x - n * 0.693_359_375) + n * 2.121_944_4e-4      // x - n ln 2 in two parts
    var p: Float = 1.987_569_15e-4
    p = p * r + 1.398_199_95e-3
    p = p * r + 8.333_451_9e-3
    p = p * r + 4.166_579_59e-2
    p = p * r + 1.666_666_55e-1
    p = p * r + 5.000_000_12e-1
    let e = p * r * r + r + 1
    // 2^n: exponent field n + 127, from t's bits (0x4B400000 + n) without a conversion
    return e * Float(bitPattern: (t.bitPattern &- 0x4B3F_FF81) &<< 23)
}

/// 1 / (1 + e^-x).
@inlinable @inline(__always)
public func fastSigmoid(_ x: Float) -> Float {
    1 / (1 + fastExp(-x))
}

/// tanh x = sign(x) (1 - e^{-2|x|}) / (1 + e^{-2|x|}).
@inlinable @inline(__always)
public func fastTanh(_ x: Float) -> Float {
    let e = fastExp(-2 * abs(x))
    let v = (1 - e) / (1 + e)
    return x < 0 ? -v : v
}

/// y (n) = e^y in place: the same arithmetic as `fastExp`, in CSupport's FastMath.c (16-lane AVX-512
/// with FMA where the CPU has it, chosen at load time; Swift's own loop got 8-lane code without FMA).
@inlinable
public func expInPlace(_ y: UnsafeMutablePointer<Float>, count n: Int) {
    earmark_exp_in_place(y, n)
}

/// y (n) = sigmoid(y) in place (`fastSigmoid`'s arithmetic, vectorised in C like `expInPlace`).
@inlinable
public func sigmoidInPlace(_ y: UnsafeMutablePointer<Float>, count n: Int) {
    earmark_sigmoid_in_place(y, n)
}

/// y (n) = tanh(y) in place (`fastTanh`'s arithmetic, vectorised in C like `expInPlace`).
@inlinable
public func tanhInPlace(_ y: UnsafeMutablePointer<Float>, count n: Int) {
    earmark_tanh_in_place(y, n)
}
