import CSoxr

/// `Resampler` fed piece by piece: one libsoxr stream (`soxr_process`) that takes any number of
/// samples at a time and returns what it can already produce, then `finish` flushes it.
///
/// Shape: x (n_1), x (n_2), ... at `from` Hz -> y (m_1), y (m_2), ... at `to` Hz with
/// sum(m) = ceil(sum(n) * to / from), the same samples `Resampler.resample` computes for the
/// concatenated input (libsoxr's output does not depend on how the input is split; see
/// StreamingCleanerTests). Equal rates pass the samples through.
public final class StreamingResampler {
    public let from: Int
    public let to: Int
    private var soxr: soxr_t?
    private var consumed = 0
    private var produced = 0
    private var finished = false
    private let name: String

    /// A stream from `from` Hz to `to` Hz. Throws `AudioError.Reason.cannotResample` as
    /// `Resampler.resample` does (bad rates, ratio outside [1/256, 256], libsoxr's own error).
    public init(from: Int, to: Int, quality: Resampler.Quality = Resampler.defaultQuality,
                name: String = "stream") throws {
        self.from = from
        self.to = to
        self.name = name
        guard from > 0, to > 0 else {
            throw AudioError(file: name, reason: .cannotResample("rates \(from) -> \(to) Hz"))
        }
        let ratio = Double(to) / Double(from)
        guard ratio >= 1 / Resampler.maximumRatio, ratio <= Resampler.maximumRatio else {
            throw AudioError(file: name, reason: .cannotResample(
                "ratio \(to)/\(from) is outside the supported range [1/256, 256]"))
        }
        guard from != to else { return }
        var error: soxr_error_t?
        var io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I)
        var spec = quality.spec
        soxr = soxr_create(Double(from), Double(to), 1, &error, &io, &spec, nil)
        if let error { throw AudioError(file: name, reason: .cannotResample(String(cString: error))) }
        if soxr == nil { throw AudioError(file: name, reason: .cannotResample("soxr_create failed")) }
    }

    deinit { if let soxr { soxr_delete(soxr) } }

    /// The output length `Resampler.resample` gives `n` input samples: ceil(n * to / from).
    private func length(of n: Int) -> Int { Int((Double(n) * Double(to) / Double(from)).rounded(.up)) }

    /// Feeds `samples`; returns the output samples libsoxr can already give (possibly none).
    public func process(_ samples: [Float]) throws -> [Float] {
        precondition(!finished, "StreamingResampler.process after finish")
        consumed += samples.count
        guard let soxr else { produced += samples.count; return samples }
        guard !samples.isEmpty else { return [] }
        var output: [Float] = []
        let failure: String? = samples.withUnsafeBufferPointer { input in
            var start = 0
            while start < input.count {
                var idone = 0, odone = 0
                let capacity = Int(Double(input.count - start) * Double(to) / Double(from)) + 1024
                var chunk = [Float](repeating: 0, count: capacity)
                let error = chunk.withUnsafeMutableBufferPointer { out in
                    soxr_process(soxr, input.baseAddress! + start, input.count - start, &idone,
                                 out.baseAddress!, capacity, &odone)
                }
                if let error { return String(cString: error) }
                output.append(contentsOf: chunk[0..<odone])
                start += idone
            }
            return nil
        }
        if let failure { throw AudioError(file: name, reason: .cannotResample(failure)) }
        return emit(output)
    }

    /// Ends the input: flushes libsoxr and returns the remaining samples, cut or padded with zeros
    /// so that the whole output has ceil(n * to / from) samples, as `Resampler.resample`.
    public func finish() throws -> [Float] {
        guard !finished else { return [] }
        finished = true
        guard let soxr else { return [] }
        var output: [Float] = []
        while true {
            var odone = 0
            var chunk = [Float](repeating: 0, count: 4096)
            let error = chunk.withUnsafeMutableBufferPointer { out in
                soxr_process(soxr, nil, 0, nil, out.baseAddress!, out.count, &odone)
            }
            if let error { throw AudioError(file: name, reason: .cannotResample(String(cString: error))) }
            if odone == 0 { break }
            output.append(contentsOf: chunk[0..<odone])
        }
        var tail = emit(output)
        let missing = length(of: consumed) - produced
        if missing > 0 {
            tail.append(contentsOf: repeatElement(0, count: missing))
            produced += missing
        }
        return tail
    }

    /// Keeps the output within the final length ceil(n * to / from) of the input seen so far.
    private func emit(_ samples: [Float]) -> [Float] {
        let room = max(0, length(of: consumed) - produced)
        let kept = samples.count <= room ? samples : Array(samples.prefix(room))
        produced += kept.count
        return kept
    }
}
