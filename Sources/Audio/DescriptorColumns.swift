/// The named columns of the per-clip descriptor table (`descriptors` features, docs/FORMATS.md):
/// for each MFCC coefficient its mean and standard deviation over frames, then the mean and standard
/// deviation of each librosa descriptor. With numcep 13 that is 38 columns:
/// mfcc_mean_0..12, mfcc_std_0..12, zcr_mean, zcr_std, rms_mean, rms_std, spectral_centroid_mean,
/// spectral_centroid_std, spectral_bandwidth_mean, ..._std, spectral_rolloff_mean, ..._std,
/// spectral_flatness_mean, spectral_flatness_std.
extension ClipDescriptors {
    /// The librosa descriptors' column stems, in `spectralStd` order.
    public static let spectralStems = ["zcr", "rms", "spectral_centroid", "spectral_bandwidth",
                                       "spectral_rolloff", "spectral_flatness"]

    /// Names of `row`'s entries for `numcep` coefficients (2 numcep + 12).
    public static func columnNames(numcep: Int = 13) -> [String] {
        (0..<numcep).map { "mfcc_mean_\($0)" } + (0..<numcep).map { "mfcc_std_\($0)" }
            + spectralStems.flatMap { ["\($0)_mean", "\($0)_std"] }
    }

    /// One row of the descriptor table, in `columnNames` order.
    public var row: [Float] {
        let means = [zeroCrossingRate, rms, spectralCentroid, spectralBandwidth, spectralRolloff, spectralFlatness]
        return mfccMean + mfccStd + zip(means, spectralStd).flatMap { [$0, $1] }
    }
}
