import Audio
import Foundation

/// What the `preprocess` command does.
public enum PreprocessWorkflow {
    /// Cleans every file of audio.csv into clean/ (missing or stale files only), optionally writes
    /// the exploratory plots, and reports skipped clips.
    /// - Throws: `DataError` when a class is left without usable clips.
    public static func clean(config: ExperimentConfig, data: DataFolder, plots: Bool) throws {
        let table = try data.readTable()
        let check = try table.checkFiles(in: data.wavfiles)
        let rows = check.usable
        let f = config.features
        let line = ProgressLine()
        let result = try CleanStep.run(fnames: rows.map(\.fname), data: data, rate: f.rate, threshold: f.threshold,
                                       minimumSamples: f.minimumCleanSamples) { done, total in
            line.update("cleaning \(done)/\(total) \(ProgressLine.bar(done, of: total))", force: done == total)
        }
        let usable = result.samples.filter { $0 != nil }.count
        let listed = table.rows.count + table.skipped.count
        line.finish("clean: \(usable) of \(listed) listed files usable, \(listed - usable) skipped; "
                    + "\(result.rebuilt) cleaned now, \(usable - min(usable, result.rebuilt)) reused; "
                    + "in \(data.display(data.clean))")
        let warnings = table.warnings + check.warnings + result.warnings
        Diagnostics.report(warnings)
        var byClass: [String: [[Float]]] = [:]
        for (row, samples) in zip(rows, result.samples) {
            if let samples { byClass[row.label, default: []].append(samples) }
        }
        for label in table.classes where byClass[label] == nil {   // the warnings are printed above
            let listed = table.rows.filter { $0.label == label }.count
                + table.skipped.filter { $0.label == label }.count
            throw DataError(file: data.display(data.csv),
                            problem: "class '\(label)' has no usable clips (\(listed) listed, all skipped)",
                            hint: "see the warnings above for each file's reason")
        }
        guard plots else { return }
        var examples: [EDAPlots.Example] = [], means: [(label: String, seconds: Double)] = []
        for label in table.classes {
            let clips = byClass[label]!
            let total = clips.reduce(0) { $0 + $1.count }
            examples.append(EDAPlots.Example(label: label, samples: clips[0]))
            means.append((label, Double(total) / Double(f.rate) / Double(clips.count)))
        }
        let folder = data.plots
        let files = try EDAPlots.write(examples: examples, meanSeconds: means, features: f, to: folder)
        print("plots: " + files.map { data.display($0) }.joined(separator: ", "))
    }

    /// Features of a whole clip, uncleaned, as a (frames, coefficients) float32 .npy file.
    /// `rate` resamples first when given; otherwise the clip's own rate is used. Kind logmel uses
    /// `nfft` as n_fft, `nMels` and `hopLength` (librosa's other defaults); the others psf's.
    public static func features(clip: URL, kind: FeatureKind, rate: Int?, nfft: Int, nfilt: Int, numcep: Int,
                                nMels: Int = 64, hopLength: Int = 512, out: URL) throws -> (frames: Int, width: Int) {
        var audio = try AudioDecoder.decode(contentsOf: clip)
        if let note = audio.cutShortNote { Diagnostics.warning("\(clip.path): \(note)") }
        if let rate, rate != audio.sampleRate {
            let resampled = try Resampler.resample(audio.samples, from: audio.sampleRate, to: rate, name: clip.path)
            audio = AudioClip(samples: resampled, sampleRate: rate)
        }
        let speech = FeatureParameters(sampleRate: audio.sampleRate, numcep: numcep, nfilt: nfilt, nfft: nfft)
        let front: FeatureFrontEnd = kind == .logmel
            ? .logMel(LogMelParameters(sampleRate: audio.sampleRate, nMels: nMels, nFFT: nfft, hopLength: hopLength))
            : .speech(speech, kind)
        do { try front.validate() } catch {
            throw FileError(clip.path, "\(error) (at the clip's \(audio.sampleRate) Hz; --rate resamples it first)")
        }
        if kind != .logmel, nfft < speech.frameLength {   // as train warns of it (FeatureConfig.warnings)
            Diagnostics.warning("--nfft (\(nfft)) is shorter than a frame (\(speech.frameLength) samples at "
                                + "\(audio.sampleRate) Hz): each frame is truncated to its first \(nfft) samples, as "
                                + "python_speech_features does; raise --nfft to use whole frames")
        }
        let result = front.compute(audio.samples)
        let width = front.width
        try NPY.write(result.values, shape: [result.frames, width], to: out)
        return (result.frames, width)
    }
}
