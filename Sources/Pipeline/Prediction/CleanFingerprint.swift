import Tensor

/// What identifies a file's audio, as opposed to its name: a model stores one per file of its split
/// (`split_fingerprints`), and `predict` gives a row the split its fname had at training time only
/// when its audio, cleaned now, has the same fingerprint; another data folder's file of the same
/// name is `unseen`.
///
/// The fingerprint is taken of the cleaned samples (what the network saw), not of the source file:
/// training has them in memory whether clean/ was remade or reused, and `predict` cleans every file
/// with the model's own settings, so the same source gives the same samples bit for bit.
public enum CleanFingerprint {
    /// "N:HHHHHHHHHHHHHHHH": the sample count and the `ContentHash` (seeded with the count) of the
    /// samples' bytes, as 16 hex digits. Model files store these: the value must not change.
    public static func of(_ samples: [Float]) -> String {
        let h = samples.withUnsafeBytes { ContentHash.of($0, seed: UInt64(samples.count)) }
        return "\(samples.count):" + ContentHash.hex(h)
    }
}
