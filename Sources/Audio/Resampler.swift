import CSamplerate

/// Sample-rate conversion with libsamplerate's best sinc converter (SRC_SINC_BEST_QUALITY).
///
/// Shape: x (n) at `from` Hz -> y (about n * to / from) at `to` Hz.
public enum Resampler {
    /// libsamplerate accepts conversion ratios in [1/256, 256].
    public static let maximumRatio = 256.0

    /// Converts `samples` from rate `from` to rate `to` (Hz). Equal rates return the input unchanged.
    ///
    /// The output has `Int((Double(n) * to / from).rounded())` samples, give or take one (what
    /// libsamplerate generates for the whole signal with end of input set). `name` labels errors.
    /// Throws `AudioError.Reason.cannotResample` for rates <= 0, a ratio outside [1/256, 256], or a
    /// libsamplerate failure.
    public static func resample(_ samples: [Float], from: Int, to: Int, name: String = "signal") throws -> [Float] {
        if from == to || samples.isEmpty { return samples }
        guard from > 0, to > 0 else {
            throw AudioError(file: name, reason: .cannotResample("rates \(from) -> \(to) Hz"))
        }
        let ratio = Double(to) / Double(from)
        guard ratio >= 1 / maximumRatio, ratio <= maximumRatio else {
            throw AudioError(file: name, reason: .cannotResample(
                "ratio \(to)/\(from) is outside libsamplerate's range [1/256, 256]"))
        }
        let capacity = Int((Double(samples.count) * ratio).rounded(.up)) + 16
        var output = [Float](repeating: 0, count: capacity)
        var generated = 0
        let status: Int32 = samples.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                var data = SRC_DATA()
                data.data_in = input.baseAddress
                data.data_out = out.baseAddress
                data.input_frames = Int(input.count)
                data.output_frames = Int(out.count)
                data.end_of_input = 1
                data.src_ratio = ratio
                let status = src_simple(&data, Int32(SRC_SINC_BEST_QUALITY), 1)
                generated = Int(data.output_frames_gen)
                return status
            }
        }
        guard status == 0 else {
            throw AudioError(file: name, reason: .cannotResample(String(cString: src_strerror(status))))
        }
        output.removeSubrange(generated...)
        return output
    }
}
