import CSoxr

/// Sample-rate conversion with libsoxr, the resampler librosa uses by default (`res_type='soxr_hq'`).
///
/// Shape: x (n) at `from` Hz -> y (ceil(n * to / from)) at `to` Hz.
public enum Resampler {
    /// The largest conversion ratio accepted either way ([1/256, 256]).
    public static let maximumRatio = 256.0

    /// A libsoxr quality recipe: linear phase, passband to 91.3% of the lower Nyquist frequency,
    /// stopband from 100%. Measured figures (44.1 -> 16 kHz) are in ResamplerQualityTests.
    public enum Quality: Sendable, CaseIterable {
        /// `SOXR_HQ` (20-bit precision): librosa's default `soxr_hq`, the reference cleaning's resampler.
        case high
        /// `SOXR_VHQ` (28-bit precision): librosa's `soxr_vhq`.
        case veryHigh
        /// `SOXR_VHQ` with `SOXR_ROLLOFF_NONE`: no gentle roll-off inside the passband (`high` and
        /// `veryHigh` lose up to 0.01 dB towards its edge), so flatter and better rejecting than
        /// libsamplerate's best sinc on every measured figure; not what librosa computes.
        case best

        var spec: soxr_quality_spec_t {
            switch self {
            case .high: return soxr_quality_spec(UInt(SOXR_HQ), 0)
            case .veryHigh: return soxr_quality_spec(UInt(SOXR_VHQ), 0)
            case .best: return soxr_quality_spec(UInt(SOXR_VHQ), UInt(SOXR_ROLLOFF_NONE))
            }
        }
    }

    /// The recipe `resample` uses unless told otherwise: librosa's, so cleaned audio matches the
    /// reference's within float rounding (ResamplerQualityTests holds its measured ripple and rejection).
    public static let defaultQuality = Quality.high

    /// Converts `samples` from rate `from` to rate `to` (Hz). Equal rates return the input unchanged.
    ///
    /// Computed as librosa.load / librosa.resample do with soxr: one libsoxr stream fed in chunks of
    /// 48,000 output samples' worth of input, then flushed; the output has `ceil(n * to / from)`
    /// samples (cut, or padded with zeros, as librosa's `fix_length`). `name` labels errors.
    /// Throws `AudioError.Reason.cannotResample` for rates <= 0, a ratio outside [1/256, 256], or a
    /// libsoxr failure (its message).
    public static func resample(_ samples: [Float], from: Int, to: Int, quality: Quality = defaultQuality,
                                name: String = "signal") throws -> [Float] {
        if from == to || samples.isEmpty { return samples }
        guard from > 0, to > 0 else {
            throw AudioError(file: name, reason: .cannotResample("rates \(from) -> \(to) Hz"))
        }
        let ratio = Double(to) / Double(from)
        guard ratio >= 1 / maximumRatio, ratio <= maximumRatio else {
            throw AudioError(file: name, reason: .cannotResample(
                "ratio \(to)/\(from) is outside the supported range [1/256, 256]"))
        }
        let inRate = Double(from), outRate = Double(to)
        let capacity = Int(Double(samples.count) * outRate / inRate) + 1
        let chunk = Int(48000 * inRate / outRate)
        var output = [Float](repeating: 0, count: capacity)
        var generated = 0
        let failure: String? = samples.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                var error: soxr_error_t?
                var io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I)
                var spec = quality.spec
                guard let soxr = soxr_create(inRate, outRate, 1, &error, &io, &spec, nil), error == nil else {
                    return error.map { String(cString: $0) } ?? "soxr_create failed"
                }
                defer { soxr_delete(soxr) }
                var start = 0, done = 0
                while start < input.count {
                    let length = min(chunk, input.count - start)
                    error = soxr_process(soxr, input.baseAddress! + start, length, nil,
                                         out.baseAddress! + generated, out.count - generated, &done)
                    if let error { return String(cString: error) }
                    generated += done
                    start += length
                }
                error = soxr_process(soxr, nil, 0, nil, out.baseAddress! + generated, out.count - generated, &done)
                if let error { return String(cString: error) }
                generated += done
                return nil
            }
        }
        if let failure { throw AudioError(file: name, reason: .cannotResample(failure)) }
        let length = Int((Double(samples.count) * ratio).rounded(.up))
        output.removeSubrange(min(generated, length)...)
        output.append(contentsOf: repeatElement(0, count: length - output.count))
        return output
    }
}
