@testable import Audio
import XCTest

/// Filter spans padded with zero weights to a multiple of the vector width (`SparseFilters`
/// `paddedTo:`), and the power buffer that padded spans read past B.
final class SparseFiltersTests: XCTestCase {
    func testPaddedSpansKeepTheWeightsAndAddOnlyZeros() {
        let bank = MelFilterBank(nfilt: 26, nfft: 512, sampleRate: 16000, lowFreq: 0, highFreq: 8000)
        let sparse = bank.sparse
        let padded = SparseFilters(starts: sparse.starts, offsets: sparse.offsets, weights: sparse.weights,
                                   paddedTo: 8)
        var readLength = 0
        for m in 0..<26 {
            let original = Array(sparse.weights[sparse.offsets[m]..<sparse.offsets[m + 1]])
            let length = padded.offsets[m + 1] - padded.offsets[m]
            XCTAssertEqual(length % 8, 0, "filter \(m)")
            XCTAssertTrue(length >= original.count && length < original.count + 8, "filter \(m): \(length)")
            let stored = (0..<length).map { padded.weights[padded.offsets[m] + $0] }
            XCTAssertEqual(Array(stored[0..<original.count]), original, "filter \(m)")
            XCTAssertTrue(stored[original.count...].allSatisfy { $0 == 0 }, "filter \(m)")
            XCTAssertEqual(padded.starts[m], sparse.starts[m])
            readLength = max(readLength, sparse.starts[m] + length)
        }
        XCTAssertEqual(padded.readLength, readLength)
        XCTAssertLessThanOrEqual(padded.readLength, 257 + 7)
    }

    func testUnpaddedSpansAreAsGiven() {
        let filters = SparseFilters(starts: [0, 3], offsets: [0, 3, 5], weights: [1, 2, 3, 4, 5])
        XCTAssertEqual((0..<3).map { filters.offsets[$0] }, [0, 3, 5])
        XCTAssertEqual((0..<5).map { filters.weights[$0] }, [1, 2, 3, 4, 5])
        XCTAssertEqual(filters.readLength, 5)
    }

    /// Every parameter set's padded spans stay inside the workspace's power buffer (its tail past B
    /// is zeros), and the mel energies equal the serial sum of the unpadded spans to rounding.
    func testMelEnergiesOfPaddedSpansAcrossParameterSets() {
        var setsReadingPastB = 0
        for (nfft, nfilt, rate) in [(512, 26, 16000), (512, 40, 16000), (1024, 64, 32000), (256, 20, 8000),
                                    (2048, 128, 48000), (2048, 64, 44100)] {
            let p = FeatureParameters(sampleRate: rate, nfilt: nfilt, nfft: nfft)
            let extractor = FeatureExtractor(p)
            XCTAssertLessThanOrEqual(extractor.melFilters.readLength, FeatureWorkspace.powerCapacity(p))
            if extractor.melFilters.readLength > p.bins { setsReadingPastB += 1 }
            var state: UInt64 = 7
            let signal = (0..<(4 * nfft)).map { _ -> Float in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return Float(Int64(bitPattern: state >> 11) % 2000) / 1000 - 1
            }
            let fb = extractor.compute(.fbank, signal)
            // the reference: the power spectrum of each frame through the dense filters, in Double
            let sparse = extractor.filterBank.sparse, B = p.bins
            var dense = [Double](repeating: 0, count: nfilt * B)
            for m in 0..<nfilt {
                for (k, w) in sparse.weights[sparse.offsets[m]..<sparse.offsets[m + 1]].enumerated() {
                    dense[m * B + sparse.starts[m] + k] = w
                }
            }
            let ws = extractor.makeWorkspace()
            var emphasized = [Float](repeating: 0, count: signal.count)
            signal.withUnsafeBufferPointer { s in
                emphasized.withUnsafeMutableBufferPointer { Framing.preemphasize(s, coefficient: p.preemph, into: $0.baseAddress!) }
            }
            emphasized.withUnsafeBufferPointer { e in
                for f in 0..<fb.frames {
                    Framing.writeFrame(e.baseAddress!, count: e.count, frame: f, frameLength: p.frameLength,
                                       frameStep: p.frameStep, into: ws.fft.input, fftSize: nfft)
                    ws.fft.transform(with: extractor.plan)
                    _ = ws.fft.powerSpectrum(into: ws.power, scale: Double(nfft))
                    for m in 0..<nfilt {
                        var total = 0.0
                        for k in 0..<B { total += dense[m * B + k] * ws.power[k] }
                        let expected = Float(total == 0 ? FeatureExtractor.eps : total)
                        XCTAssertEqual(fb.values[f * nfilt + m], expected, accuracy: expected * 1e-6,
                                       "nfft \(nfft), nfilt \(nfilt), frame \(f), filter \(m)")
                    }
                }
            }
        }
        XCTAssertGreaterThan(setsReadingPastB, 0, "no set exercises the zero tail past B")
    }
}
