import CFFTW
import CSndfile
import CSoxr

/// The linked audio libraries and their versions, for `--version`.
public enum AudioLibraries {
    /// (library, version string) for libsndfile, FFTW (single precision) and libsoxr.
    public static var versions: [(name: String, version: String)] {
        [("libsndfile", String(cString: sf_version_string())),
         ("FFTW", String(cString: earmark_fftwf_version())),
         ("libsoxr", String(cString: soxr_version()))]
    }
}
