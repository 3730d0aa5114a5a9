import CSndfile
import Durable
import Foundation

/// File formats the writer produces (through libsndfile).
public enum AudioFileFormat: String, Sendable, CaseIterable {
    case wavFloat32, wavPCM16, wavPCM24, wavPCM32, wavPCMU8
    /// WAVE_FORMAT_EXTENSIBLE headers.
    case wavexPCM16, wavexPCM24, wavexFloat32
    case flac16, flac24
    case oggVorbis, oggOpus
    case aiffPCM16
    /// MPEG-1/2 Layer III (libsndfile encodes with LAME and decodes with mpg123).
    case mp3

    /// The libsndfile format code (major | subtype).
    var sndfileFormat: Int32 {
        let (major, subtype): (Int, Int)
        switch self {
        case .wavFloat32: (major, subtype) = (SF_FORMAT_WAV, SF_FORMAT_FLOAT)
        case .wavPCM16: (major, subtype) = (SF_FORMAT_WAV, SF_FORMAT_PCM_16)
        case .wavPCM24: (major, subtype) = (SF_FORMAT_WAV, SF_FORMAT_PCM_24)
        case .wavPCM32: (major, subtype) = (SF_FORMAT_WAV, SF_FORMAT_PCM_32)
        case .wavPCMU8: (major, subtype) = (SF_FORMAT_WAV, SF_FORMAT_PCM_U8)
        case .wavexPCM16: (major, subtype) = (SF_FORMAT_WAVEX, SF_FORMAT_PCM_16)
        case .wavexPCM24: (major, subtype) = (SF_FORMAT_WAVEX, SF_FORMAT_PCM_24)
        case .wavexFloat32: (major, subtype) = (SF_FORMAT_WAVEX, SF_FORMAT_FLOAT)
        case .flac16: (major, subtype) = (SF_FORMAT_FLAC, SF_FORMAT_PCM_16)
        case .flac24: (major, subtype) = (SF_FORMAT_FLAC, SF_FORMAT_PCM_24)
        case .oggVorbis: (major, subtype) = (SF_FORMAT_OGG, SF_FORMAT_VORBIS)
        case .oggOpus: (major, subtype) = (SF_FORMAT_OGG, SF_FORMAT_OPUS)
        case .aiffPCM16: (major, subtype) = (SF_FORMAT_AIFF, SF_FORMAT_PCM_16)
        case .mp3: (major, subtype) = (SF_FORMAT_MPEG, SF_FORMAT_MPEG_LAYER_III)
        }
        return Int32(major | subtype)
    }

    /// Whether samples are stored as integers (the writer then clips to [-1, 1] instead of wrapping).
    var isInteger: Bool {
        switch self {
        case .wavFloat32, .wavexFloat32, .oggVorbis, .oggOpus, .mp3: return false
        default: return true
        }
    }
}

/// Writes audio files through libsndfile, durably and atomically (`AtomicFile`): libsndfile writes a
/// temporary file in the same folder, which is flushed after `sf_close`, renamed into place and the
/// folder flushed (a crash or power cut leaves the old file or the new one, never a partial file).
public enum WavWriter {
    /// Writes a mono 32-bit float WAV (the format of the reference clean/ folder).
    ///
    /// Shape: samples (frames). Throws `AudioError` (`.cannotWrite`) naming the file.
    public static func write(_ samples: [Float], sampleRate: Int, to url: URL) throws {
        try write(interleaved: samples, channels: 1, sampleRate: sampleRate, format: .wavFloat32, to: url)
    }

    /// Writes interleaved samples in any supported format, channel count and rate.
    ///
    /// Shape: interleaved (frames, channels), frames = interleaved.count / channels. Integer formats
    /// clip values outside [-1, 1]. Lossy formats (OGG) keep the length and rate, not the values.
    /// Throws `AudioError` (`.cannotWrite`) naming the file with libsndfile's reason.
    public static func write(interleaved: [Float], channels: Int, sampleRate: Int,
                             format: AudioFileFormat, to url: URL) throws {
        let name = url.path
        guard channels > 0, interleaved.count % channels == 0 else {
            throw AudioError(file: name, reason: .cannotWrite(
                "\(interleaved.count) samples do not split into \(channels) channels"))
        }
        var info = SF_INFO()
        info.samplerate = Int32(clamping: sampleRate)
        info.channels = Int32(clamping: channels)
        info.format = format.sndfileFormat
        guard sf_format_check(&info) != 0 else {
            throw AudioError(file: name, reason: .cannotWrite(
                "libsndfile cannot write \(format.rawValue) with \(channels) channels at \(sampleRate) Hz"))
        }
        do {
            try AtomicFile.write(to: url) { temporary in
                try fill(temporary, interleaved: interleaved, channels: channels, info: &info, format: format,
                         name: name)
            }
        } catch let error as AtomicFile.Error {
            throw AudioError(file: name, reason: .cannotWrite(error.reason))
        }
    }

    /// Writes the samples to `temporary` through libsndfile and closes it. Throws `AudioError` naming `name`.
    private static func fill(_ temporary: URL, interleaved: [Float], channels: Int, info: inout SF_INFO,
                             format: AudioFileFormat, name: String) throws {
        let file: OpaquePointer
        switch SndfileOpen.open(temporary, mode: Int32(SFM_WRITE), info: &info) {
        case .success(let handle): file = handle
        case .failure(let failure): throw AudioError(file: name, reason: .cannotWrite(failure.reason))
        }
        if format.isInteger { sf_command(file, Int32(SFC_SET_CLIPPING), nil, Int32(SF_TRUE)) }
        let frames = interleaved.count / channels
        let written = interleaved.withUnsafeBufferPointer { buffer -> Int in
            guard let base = buffer.baseAddress, frames > 0 else { return 0 }
            return Int(sf_writef_float(file, base, sf_count_t(frames)))
        }
        let writeError = written == frames ? nil : String(cString: sf_strerror(file))
        let closeStatus = sf_close(file)
        if let problem = writeError ?? (closeStatus != 0 ? String(cString: sf_error_number(closeStatus)) : nil) {
            throw AudioError(file: name, reason: .cannotWrite(problem))
        }
    }
}
