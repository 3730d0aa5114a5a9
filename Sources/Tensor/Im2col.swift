/// Patch extraction for convolution as one matrix product over the whole batch.
///
/// Legend: N batch, H W C input height, width, channels; KH KW kernel; OH OW output; P = KH*KW*C.
/// Row `(n*OH + oh)*OW + ow` of `cols` holds the patch under output pixel (n, oh, ow), ordered
/// (kh, kw, c) - the order of a Keras kernel (KH, KW, C, F) viewed as a (P, F) matrix, so
/// `cols (N*OH*OW, P) x kernel (P, F)` is directly the NHWC output (N, OH, OW, F). A dilated kernel
/// (DH, DW > 1) reads rows `oh * SH - padTop + kh * DH` and columns `ow * SW - padLeft + kw * DW`.

/// Copies every patch of `x` into `cols`; positions in the padding are zero.
///
///     x (N, H, W, C) -> cols (N*OH*OW, KH*KW*C)
@inlinable
public func im2col(_ x: UnsafePointer<Float>, batch: Int, geometry g: WindowGeometry,
                   cols: UnsafeMutablePointer<Float>) {
    let (H, W, C) = (g.height, g.width, g.channels)
    let (KH, KW, OH, OW) = (g.kernelHeight, g.kernelWidth, g.outHeight, g.outWidth)
    let P = g.patchSize
    var row = cols
    for n in 0..<batch {
        let image = x + n * H * W * C
        for oh in 0..<OH {
            for ow in 0..<OW {
                var dst = row
                for kh in 0..<KH {
                    let ih = oh * g.strideHeight - g.padTop + kh * g.dilationHeight
                    if ih < 0 || ih >= H {
                        dst.update(repeating: 0, count: KW * C)
                        dst += KW * C
                        continue
                    }
                    let iw0 = ow * g.strideWidth - g.padLeft
                    if g.dilationWidth == 1 && iw0 >= 0 && iw0 + KW <= W {
                        // the whole kernel row is inside: one contiguous run of KW*C values
                        dst.update(from: image + (ih * W + iw0) * C, count: KW * C)
                        dst += KW * C
                        continue
                    }
                    for kw in 0..<KW {
                        let iw = iw0 + kw * g.dilationWidth
                        if iw < 0 || iw >= W {
                            dst.update(repeating: 0, count: C)
                        } else {
                            dst.update(from: image + (ih * W + iw) * C, count: C)
                        }
                        dst += C
                    }
                }
                row += P
            }
        }
    }
}

/// Adds every patch gradient back onto the input positions it came from (the adjoint of im2col).
///
///     dcols (N*OH*OW, KH*KW*C) -> dx (N, H, W, C), overwritten (not accumulated)
@inlinable
public func col2im(_ dcols: UnsafePointer<Float>, batch: Int, geometry g: WindowGeometry,
                   dx: UnsafeMutablePointer<Float>) {
    let (H, W, C) = (g.height, g.width, g.channels)
    let (KH, KW, OH, OW) = (g.kernelHeight, g.kernelWidth, g.outHeight, g.outWidth)
    dx.update(repeating: 0, count: batch * H * W * C)
    var row = dcols
    for n in 0..<batch {
        let image = dx + n * H * W * C
        for oh in 0..<OH {
            for ow in 0..<OW {
                var src = row
                for kh in 0..<KH {
                    let ih = oh * g.strideHeight - g.padTop + kh * g.dilationHeight
                    if ih < 0 || ih >= H { src += KW * C; continue }
                    for kw in 0..<KW {
                        let iw = ow * g.strideWidth - g.padLeft + kw * g.dilationWidth
                        if iw >= 0 && iw < W {
                            let d = image + (ih * W + iw) * C
                            for c in 0..<C { d[c] += src[c] }
                        }
                        src += C
                    }
                }
                row += g.patchSize
            }
        }
    }
}
