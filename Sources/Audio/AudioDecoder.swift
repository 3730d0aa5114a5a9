import CSndfile
import Foundation

/// Decodes any file libsndfile reads (WAV 8/16/24/32-bit integer and float, WAVE_FORMAT_EXTENSIBLE,
/// FLAC, OGG/Vorbis, OGG/Opus, MP3, AIFF, ...) into a mono `AudioClip`.
///
/// Shape: file (frames, channels) interleaved -> samples (frames), the mean over channels.
/// Frames are read in chunks of at most `chunkSamples` values; the header's frame count only sizes
/// the first reservation, capped at `maximumReservation`, so a lying header cannot make it allocate
/// more than the data actually decoded. A truncated data chunk yields the complete frames present
/// (libsndfile's behaviour, like most players): the clip is the readable prefix, and for a WAV file
/// `declaredFrames` records what the header declared so the caller can say the file is cut short.
public enum AudioDecoder {
    /// The highest sample rate accepted (Hz); anything above is treated as a corrupt header.
    public static let maximumSampleRate = 1_000_000
    /// Interleaved values read per `sf_readf_float` call.
    public static let chunkSamples = 1 << 16
    /// The largest number of mono samples reserved from the header's frame count before reading.
    public static let maximumReservation = 1 << 22
    /// The environment variable that sets `maximumSeconds`.
    public static let maximumSecondsVariable = "EARMARK_MAX_CLIP_SECONDS"
    /// The longest clip decoded, in seconds (600 unless `EARMARK_MAX_CLIP_SECONDS` sets another
    /// positive number; the commands refuse a value that is not one, Pipeline's EnvironmentCheck): decoding stops and throws `tooLong` as soon as more frames than this arrive,
    /// so memory stays bounded whatever the file's length or its header claim.
    public static let maximumSeconds: Double = {
        let given = ProcessInfo.processInfo.environment[maximumSecondsVariable].flatMap { Double($0) }
        return given.flatMap { $0 > 0 && $0.isFinite ? $0 : nil } ?? 600
    }()

    /// The largest sample magnitude accepted: 120 dB above full scale (1), far beyond float files
    /// written at integer scale (32,768), and far below where the features' squares overflow (a
    /// sample of 3.4e38 made every probability NaN, silently).
    public static let maximumMagnitude: Float = 1e6

    /// The index of the first sample beyond `maximumMagnitude` (all finite), if any.
    static func firstTooLarge(_ samples: [Float]) -> Int? {
        let peak = samples.withUnsafeBufferPointer { p in p.baseAddress.map { SampleScan.peak($0, count: p.count) } ?? 0 }
        return peak > maximumMagnitude ? samples.firstIndex { abs($0) > maximumMagnitude } : nil
    }

    /// What `url` is when it exists and is not a regular file ("a pipe", "a folder", ...), else nil
    /// (a regular file, or nothing there: libsndfile then says so itself).
    static func notARegularFile(_ url: URL) -> String? {
        var info = stat()
        let found = url.withUnsafeFileSystemRepresentation { path in path.map { stat($0, &info) == 0 } ?? false }
        guard found else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "a folder"
        case S_IFIFO: return "a pipe"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        default: return "not a file"
        }
    }

    /// What libsndfile says when no reader it has recognises a file.
    static let unrecognisedFormatMessage = "Format not recognised."

    /// The start of what libsndfile says when a format's reader fails to open a file, its MP3 reader
    /// included, whatever the file is.
    static let notARegularFileMessage = "File does not exist or is not a regular file"

    /// The formats a user is most likely to have that libsndfile reads (its full list is longer).
    static let readableFormats = "WAV, FLAC, OGG Vorbis or Opus, MP3, AIFF, AU, CAF"

    /// Words added to libsndfile's reason for a regular file: that it is empty, or which formats
    /// libsndfile reads and how to convert another (M4A / AAC, WMA, ...) when it recognises none; that
    /// the file is there when libsndfile's MP3 reader calls it missing or not a regular file; nothing
    /// for any other reason or for a device or pipe.
    static func openFailureHint(_ url: URL, _ reason: String) -> String {
        guard let values = try? url.resourceValues(forKeys: [.isRegularFileKey, .fileSizeKey]),
              values.isRegularFile == true else { return "" }
        if reason.hasPrefix(notARegularFileMessage) {
            // what libsndfile says when its MP3 reader gives up on data that starts like an MPEG frame
            return " It is a regular file: its data looks like MP3 but does not decode (a damaged MP3?)"
        }
        guard reason == unrecognisedFormatMessage else { return "" }
        if values.fileSize == 0 { return " The file is empty: 0 bytes." }
        return " Readable: \(readableFormats) and libsndfile's other formats; convert others first, "
            + "e.g. ffmpeg -i IN OUT.flac"
    }

    /// Decodes `url` and mixes it to mono.
    ///
    /// Throws `AudioError` naming the file when libsndfile cannot open or decode it (with
    /// `sf_strerror`'s text), when it holds no frames, declares no channels or an absurd rate
    /// (<= 0 or > 1,000,000 Hz), holds a NaN or infinite sample, or lasts longer than `maximumSeconds`.
    public static func decode(contentsOf url: URL) throws -> AudioClip {
        let name = url.path
        // a pipe would block the open until a writer comes (no signal ends that wait), and a device or
        // folder holds no file to decode: said before libsndfile is asked
        if let kind = notARegularFile(url) {
            throw AudioError(file: name, reason: .cannotDecode("not a regular file (\(kind))"))
        }
        var info = SF_INFO()
        let file: OpaquePointer
        switch SndfileOpen.open(url, mode: Int32(SFM_READ), info: &info) {
        case .success(let handle): file = handle
        case .failure(let failure):
            throw AudioError(file: name, reason: .cannotDecode(failure.reason + openFailureHint(url, failure.reason)))
        }
        defer { sf_close(file) }

        let channels = Int(info.channels)
        let rate = Int(info.samplerate)
        guard channels > 0 else { throw AudioError(file: name, reason: .noChannels) }
        guard rate > 0, rate <= maximumSampleRate else {
            throw AudioError(file: name, reason: .badSampleRate(rate))
        }

        var samples: [Float] = []
        samples.reserveCapacity(Int(max(0, min(Int64(info.frames), Int64(maximumReservation)))))
        let chunkFrames = max(1, chunkSamples / channels)
        let limitFrames = maximumSeconds * Double(rate)
        var chunk = [Float](repeating: 0, count: chunkFrames * channels)
        while true {
            let got = chunk.withUnsafeMutableBufferPointer { buffer in
                Int(sf_readf_float(file, buffer.baseAddress!, sf_count_t(chunkFrames)))
            }
            if got <= 0 { break }
            if Double(samples.count + got) > limitFrames {
                throw AudioError(file: name, reason: .tooLong(limitSeconds: maximumSeconds))
            }
            chunk.withUnsafeBufferPointer { buffer in
                appendMono(buffer.baseAddress!, frames: got, channels: channels, to: &samples)
            }
        }
        let status = sf_error(file)
        if status != 0 {
            throw AudioError(file: name, reason: .cannotDecode(String(cString: sf_error_number(status))))
        }
        guard !samples.isEmpty else { throw AudioError(file: name, reason: .empty) }
        if let bad = SampleScan.firstNonFinite(samples) {
            throw AudioError(file: name, reason: .nonFinite(frame: bad))
        }
        if let huge = firstTooLarge(samples) {
            throw AudioError(file: name, reason: .tooLarge(frame: huge, magnitude: abs(samples[huge])))
        }
        var declared: Int?
        let major = Int(info.format) & SF_FORMAT_TYPEMASK
        if major == SF_FORMAT_WAV || major == SF_FORMAT_WAVEX {
            if let frames = RIFFHeader.declaredDataFrames(of: url), frames > samples.count { declared = frames }
        } else {
            // a FLAC cut short, or whose middle is damaged, was used without a word
            declared = declaredFrames(info, major: major, decoded: samples.count)
        }
        return AudioClip(samples: samples, sampleRate: rate, channels: channels, declaredFrames: declared)
    }

    /// The frames a FLAC file's STREAMINFO declares when `decoded` falls short of them, else nil.
    /// Other formats give no count to trust: MP3's is an estimate from the size and bitrate unless a
    /// Xing or LAME header gives it, and libsndfile does not say which (an ID3 tag counted as audio made
    /// complete MP3s "cut short"); Ogg's comes from the last page, which a cut moves too.
    static func declaredFrames(_ info: SF_INFO, major: Int, decoded: Int) -> Int? {
        guard major == SF_FORMAT_FLAC, info.frames > 0, info.frames < Int64(Int32.max) else { return nil }
        return Int(info.frames) > decoded ? Int(info.frames) : nil
    }

    /// Appends the channel mean of each interleaved frame; x (frames, channels).
    /// A non-finite value in any channel leaves a non-finite mean (sums in Double cannot overflow).
    static func appendMono(_ x: UnsafePointer<Float>, frames: Int, channels: Int, to samples: inout [Float]) {
        if channels == 1 {
            samples.append(contentsOf: UnsafeBufferPointer(start: x, count: frames))
            return
        }
        let count = Double(channels)
        var frame = x
        for _ in 0..<frames {
            var total = 0.0
            for c in 0..<channels { total += Double(frame[c]) }
            samples.append(Float(total / count))
            frame += channels
        }
    }
}

extension AudioClip {
    /// Decodes a file: see `AudioDecoder.decode(contentsOf:)`.
    public init(contentsOf url: URL) throws {
        self = try AudioDecoder.decode(contentsOf: url)
    }
}
