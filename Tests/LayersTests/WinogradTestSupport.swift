import Tensor

/// `Winograd3x3.run` on arrays: the kernel transformed, the output (N, outputShape...) filled with
/// NaN first so that an element the run leaves unwritten shows.
func runWinograd(_ w: Winograd3x3, x: [Float], kernel: [Float], bias: [Float], batch n: Int,
                 rectify: Bool = false) -> [Float] {
    var u = [Float](repeating: 0, count: w.transformedKernelCount)
    var y = [Float](repeating: .nan, count: n * w.outputShape.reduce(1, *))
    var scratch = [Float](repeating: 0, count: w.scratchCount(batch: n))
    kernel.withUnsafeBufferPointer { kp in
        u.withUnsafeMutableBufferPointer { w.transformKernel(kp.baseAddress!, into: $0.baseAddress!) }
    }
    x.withUnsafeBufferPointer { xp in
        u.withUnsafeBufferPointer { up in
            bias.withUnsafeBufferPointer { bp in
                y.withUnsafeMutableBufferPointer { yp in
                    scratch.withUnsafeMutableBufferPointer { sp in
                        w.run(xp.baseAddress!, batch: n, transformedKernel: up.baseAddress!, bias: bp.baseAddress!,
                              output: yp.baseAddress!, scratch: sp.baseAddress!, rectify: rectify)
                    }
                }
            }
        }
    }
    return y
}
