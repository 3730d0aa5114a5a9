import Audio
import Foundation
import TestSupport
import XCTest

final class ConcurrentDecodeTests: XCTestCase {
    /// libsndfile reports a failed open through one process-wide slot; decoding on several threads
    /// must still give each broken file its own reason, never another open's "No Error.".
    func testConcurrentOpensKeepEachFailuresReason() throws {
        let dir = try makeTemporaryFolder("earmark-concurrent"); defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("good.wav"), broken = dir.appendingPathComponent("broken.wav")
        try WavWriter.write([Float](repeating: 0.1, count: 160), sampleRate: 16000, to: good)
        try Data("not audio at all".utf8).write(to: broken)
        let reasons = Locked([String]())
        DispatchQueue.concurrentPerform(iterations: 2000) { i in
            guard i % 2 == 1 else { _ = try? AudioDecoder.decode(contentsOf: good); return }
            do { _ = try AudioDecoder.decode(contentsOf: broken) } catch {
                reasons.update { $0.append(String(describing: error)) }
            }
        }
        let all = reasons.get()
        XCTAssertEqual(all.count, 1000)
        let wrong = all.filter { !$0.contains("Format not recognised") }
        XCTAssertTrue(wrong.isEmpty,
                      "\(wrong.count) broken opens reported another open's state, e.g. \(wrong.first ?? "")")
    }
}

private final class Locked<T>: @unchecked Sendable {
    private var value: T
    private let lock = NSLock()
    init(_ v: T) { value = v }
    func update(_ body: (inout T) -> Void) { lock.lock(); body(&value); lock.unlock() }
    func get() -> T { lock.lock(); defer { lock.unlock() }; return value }
}
