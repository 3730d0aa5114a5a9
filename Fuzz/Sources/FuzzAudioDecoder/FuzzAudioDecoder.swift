import Audio
import Foundation

/// Fuzz target: arbitrary bytes as an audio file, decoded by `AudioDecoder` (libsndfile through a
/// scratch file, then the WAV header check that reports a data chunk cut short). A thrown `AudioError`
/// is the expected outcome for garbage; a trap or a sanitizer report is a finding. libsndfile itself is
/// not instrumented, so coverage guidance comes from Earmark's side only.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAudioDecoder(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    guard (try? data.write(to: scratch)) != nil else { fatalError("cannot write \(scratch.path)") }
    if let clip = try? AudioDecoder.decode(contentsOf: scratch) {
        precondition(!clip.samples.isEmpty && clip.samples.allSatisfy(\.isFinite), "decoder returned bad samples")
    }
    return 0
}

/// The one scratch file of this process, in memory-backed /dev/shm when there is one.
let scratch: URL = {
    let folder = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    return URL(fileURLWithPath: folder).appendingPathComponent("earmark-fuzz-\(getpid()).wav")
}()
