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

    /// What is wrong with a model file's `split_fingerprints` against its `splits`, or nil: one
    /// fingerprint per split file, each `N:` and 16 lowercase hex digits (an edited, incomplete map made
    /// every file without an entry "other audio").
    public static func problem(_ fingerprints: [String: String], splits: [String: String]) -> String? {
        guard Set(fingerprints.keys) == Set(splits.keys) else {
            return "does not name the files of 'splits' (\(fingerprints.count) entries for \(splits.count) files)"
        }
        let wellFormed = fingerprints.values.allSatisfy { value in
            let parts = value.split(separator: ":", omittingEmptySubsequences: false)
            return parts.count == 2 && Int(parts[0]).map { $0 >= 0 } == true && parts[1].count == 16
                && parts[1].allSatisfy { $0.isHexDigit && !$0.isUppercase }
        }
        return wellFormed ? nil : "holds a value that is not a fingerprint (N:16 hex digits)"
    }
}
