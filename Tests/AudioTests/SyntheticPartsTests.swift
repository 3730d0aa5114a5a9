@testable import Audio
import Foundation
import XCTest

/// The parts demo set: determinism, groups, ranges, and that each fault is really in the sound.
final class SyntheticPartsTests: XCTestCase {
    func testSameSeedSameClipsAndClipsIndependentOfSize() {
        let a = SyntheticParts.generate(parts: 2, takes: 2, seconds: 0.25, seed: 7)
        XCTAssertEqual(a, SyntheticParts.generate(parts: 2, takes: 2, seconds: 0.25, seed: 7))
        let other = SyntheticParts.generate(parts: 2, takes: 2, seconds: 0.25, seed: 8)
        for (x, y) in zip(a, other) { XCTAssertNotEqual(x.samples, y.samples, x.name) }
        let more = SyntheticParts.generate(parts: 3, takes: 3, seconds: 0.25, seed: 7)
        XCTAssertEqual(more.filter { $0.name == "part001_take1.wav" }, a.filter { $0.name == "part001_take1.wav" })
    }

    func testGroupsLabelsNamesAndCSV() {
        let clips = SyntheticParts.generate(parts: 6, takes: 3, seconds: 0.5, seed: 3)
        XCTAssertEqual(clips.count, 18)
        XCTAssertEqual(clips.map(\.name).prefix(4), ["part000_take0.wav", "part000_take1.wav", "part000_take2.wav",
                                                     "part001_take0.wav"])
        let groups = Dictionary(grouping: clips, by: \.group)
        XCTAssertEqual(groups.keys.sorted(), (0..<6).map { SyntheticParts.group(of: $0) })
        for (group, takes) in groups {
            XCTAssertEqual(takes.count, 3, group)
            XCTAssertEqual(Set(takes.map(\.label)).count, 1, "\(group): one label per part")
            XCTAssertTrue(takes.allSatisfy { $0.part == takes[0].part }, "\(group): one part")
            XCTAssertEqual(Set(takes.map(\.take.speed)).count, 3, "\(group): takes differ")
        }
        XCTAssertEqual(clips.filter { $0.label == "ok" }.count, 9)
        XCTAssertEqual(clips.filter { $0.label == "reject" }.map { $0.part.fault! }.map(\.rawValue).uniqued(),
                       ["bearing", "imbalance", "rubbing"])
        for clip in clips {
            XCTAssertEqual(clip.samples.count, 8000)
            XCTAssertTrue(clip.samples.allSatisfy { $0.isFinite && abs($0) <= 0.99 }, clip.name)
            let meanAbs = clip.samples.reduce(0) { $0 + Double(abs($1)) } / Double(clip.samples.count)
            XCTAssertGreaterThan(meanAbs, 0.005, "\(clip.name) must pass the envelope gate (0.0005) everywhere")
        }
        let csv = SyntheticParts.csv(for: Array(clips[2...3])).split(separator: "\n")
        XCTAssertEqual(csv[0], "fname,label,group,fault,faint")
        XCTAssertEqual(csv[1], "part000_take2.wav,ok,part000,none,no")
        XCTAssertTrue(csv[2].hasPrefix("part001_take0.wav,reject,part001,bearing,"), String(csv[2]))
    }

    /// 400 parts, drawn without rendering: half faulty, faults in turn, about 30% of those faint,
    /// every value in its documented range.
    func testPartRanges() {
        let parts = (0..<400).map { SyntheticParts.part($0, seed: 11) }
        XCTAssertEqual(parts.filter { $0.fault == nil }.count, 200)
        for fault in MachinePart.Fault.allCases { XCTAssertEqual(parts.filter { $0.fault == fault }.count, 50) }
        let faint = parts.filter(\.faint)
        XCTAssertTrue((40...80).contains(faint.count), "\(faint.count) faint of 200 faulty")
        for p in parts {
            XCTAssert((15...60).contains(p.shaftHz) && (5...31).contains(p.meshTeeth) && (7...13).contains(p.balls))
            XCTAssert((3...5).contains(p.resonances.count) && (1500...6000).contains(p.resonances[0].hz), "\(p)")
            XCTAssert(p.resonances.allSatisfy { (250...6000).contains($0.hz) && (5...30).contains($0.q) })
            if p.fault != nil {
                XCTAssert(p.faint ? (-22 ... -16).contains(p.faultDB) : (-24 ... -10).contains(p.faultDB), "\(p)")
            } else {
                XCTAssertFalse(p.faint)
            }
        }
        let take = SyntheticParts.take(0, of: parts[0], seed: 11)
        XCTAssertEqual(take.positionDB.count, parts[0].resonances.count)
        XCTAssert(abs(take.speed - 1) <= 0.025 && (20...30).contains(take.snrDB))
        XCTAssert((0.2...0.7).contains(take.reverbTime) && (0.1...0.35).contains(take.reverbMix))
    }

    // MARK: faults against their OK twins (same part and take, no fault)

    /// A clear fault of kind `fault` (12 dB below the machine) and its OK twin, 2 s each.
    func twins(_ fault: MachinePart.Fault) -> (faulty: [Double], ok: [Double], part: MachinePart, shaft: Double) {
        var index = 1
        while MachinePart.fault(ofPart: index) != fault { index += 2 }
        var part = SyntheticParts.part(index, seed: 5)
        part.faint = false
        part.faultDB = -12
        let take = SyntheticParts.take(0, of: part, seed: 5)
        let faulty = SyntheticParts.render(part, take, count: 32000, sampleRate: 16000, seed: 5).map(Double.init)
        var twin = part
        twin.fault = nil
        let ok = SyntheticParts.render(twin, take, count: 32000, sampleRate: 16000, seed: 5).map(Double.init)
        return (faulty, ok, part, part.shaftHz * take.speed)
    }

    /// |DFT of x at hz|^2 / n^2 (Goertzel).
    static func power(_ x: [Double], at hz: Double, rate: Double = 16000) -> Double {
        let w = 2 * Double.pi * hz / rate, c = 2 * cos(w)
        var s1 = 0.0, s2 = 0.0
        for v in x { (s1, s2) = (v + c * s1 - s2, s1) }
        let p = s1 * s1 + s2 * s2 - c * s1 * s2
        return p / Double(x.count * x.count)
    }

    /// The envelope (squared band-passed signal) of x's band around `hz`, its mean removed.
    static func envelope(_ x: [Double], hz: Double, q: Double) -> (envelope: [Double], mean: Double) {
        let e = SyntheticMachine.bandpass(x, hz: hz, q: q, rate: 16000).map { $0 * $0 }
        let mean = e.reduce(0, +) / Double(e.count)
        return (e.map { $0 - mean }, mean)
    }

    /// Modulation of x's band around `hz` at `rate`: envelope spectrum power over the squared mean.
    static func modulation(_ x: [Double], band hz: Double, q: Double, at rate: Double) -> Double {
        let (e, mean) = envelope(x, hz: hz, q: q)
        return power(e, at: rate) / (mean * mean)
    }

    func testBearingTicksRingTheSeatResonanceAtTheDefectRate() {
        let (faulty, ok, part, shaft) = twins(.bearing)
        let seat = part.resonances[0], defect = part.defectHz(shaft: shaft)
        let bandFaulty = Self.envelope(faulty, hz: seat.hz, q: 4).mean
        let bandOK = Self.envelope(ok, hz: seat.hz, q: 4).mean
        XCTAssertGreaterThan(bandFaulty, 1.3 * bandOK, "seat band energy \(bandFaulty) vs OK twin \(bandOK)")
        let m = Self.modulation(faulty, band: seat.hz, q: 4, at: defect)
        let mOK = Self.modulation(ok, band: seat.hz, q: 4, at: defect)
        XCTAssertGreaterThan(m, 10 * mOK, "envelope at the defect rate \(defect) Hz: \(m) vs OK twin \(mOK)")
    }

    func testImbalanceModulatesAtTheShaftRate() {
        let (faulty, ok, part, shaft) = twins(.imbalance)
        let band = part.resonances[0].hz
        let m = Self.modulation(faulty, band: band, q: 2, at: shaft)
        let mOK = Self.modulation(ok, band: band, q: 2, at: shaft)
        XCTAssertGreaterThan(m, 10 * mOK, "envelope at the shaft rate \(shaft) Hz: \(m) vs OK twin \(mOK)")
    }

    func testRubbingAddsSquealEnergy() {
        let (faulty, ok, part, _) = twins(.rubbing)
        let squeal = Self.envelope(faulty, hz: part.squealHz, q: 4).mean
        let quiet = Self.envelope(ok, hz: part.squealHz, q: 4).mean
        XCTAssertGreaterThan(squeal, 1.5 * quiet, "band at \(part.squealHz) Hz: \(squeal) vs OK twin \(quiet)")
    }

    func testLoosenessAddsHalfOrders() {
        let (faulty, ok, _, shaft) = twins(.looseness)
        let half = Self.power(faulty, at: 1.5 * shaft), halfOK = Self.power(ok, at: 1.5 * shaft)
        XCTAssertGreaterThan(half, 10 * halfOK, "1.5x shaft (\(1.5 * shaft) Hz): \(half) vs OK twin \(halfOK)")
    }
}

extension Array where Element: Hashable {
    /// The distinct elements in order of first appearance.
    func uniqued() -> [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }
}
