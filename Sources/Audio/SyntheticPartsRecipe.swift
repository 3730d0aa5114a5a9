import Foundation

/// One part of the parts demo set (`SyntheticParts`): a rotating machine with its own sound, and
/// at most one fault. Every recording (`PartTake`) of the part is made from these values.
///
/// Ranges (drawn by `draw(index:using:)`; Sources/Audio/README.md and docs/DATASETS.md):
/// shaft 15-60 Hz (log-uniform), harmonics of the shaft up to 1.5 kHz with a per-part amplitude
/// profile, a gear-mesh / blade-pass tone (5-31 teeth), broadband mechanical noise, and 3-5 housing
/// resonances (250 Hz - 6 kHz, Q 5-30) of which the first, the bearing seat, lies at 1.5-6 kHz.
public struct MachinePart: Sendable, Equatable {
    /// The fault of a Not OK part.
    public enum Fault: String, Sendable, CaseIterable {
        /// A race defect: an impulse each time a ball passes it (the bearing defect frequency),
        /// each impulse ringing the bearing-seat resonance.
        case bearing
        /// An unbalanced rotor: the machine's sound amplitude-modulated at the shaft rate.
        case imbalance
        /// A rotor touching a stator: intermittent friction bursts and squeal once per revolution.
        case rubbing
        /// A loose mounting: half-order harmonics of the shaft and random rattles ringing the housing.
        case looseness
    }

    /// A two-pole resonance of the housing (RBJ band-pass, 0 dB at its centre) and its gain.
    public struct Resonance: Sendable, Equatable {
        /// Centre frequency in Hz.
        public var hz: Double
        /// Quality factor (centre over -3 dB bandwidth).
        public var q: Double
        /// Linear gain of the resonant path added to the direct path (1.5-6, i.e. +3.5 to +15.6 dB).
        public var gain: Double
    }

    /// Zero-based part number; the group id is `part<NNN>` (`SyntheticParts.group(of:)`).
    public var index: Int
    /// Nominal shaft rotation frequency in Hz.
    public var shaftHz: Double
    /// Amplitude of shaft harmonic k + 1 (k = 0 is the fundamental, amplitude 1).
    public var harmonics: [Double]
    /// Teeth (or blades): the mesh tone sits at `meshTeeth` x the shaft frequency.
    public var meshTeeth: Int
    /// Mesh tone amplitude in dB relative to the shaft fundamental.
    public var meshDB: Double
    /// Broadband mechanical noise RMS in dB relative to the harmonic part's RMS.
    public var broadbandDB: Double
    /// Housing resonances; `resonances[0]` is the bearing seat (1.5-6 kHz).
    public var resonances: [Resonance]
    /// The machine's RMS level in dBFS (before room noise and the take's level change).
    public var levelDB: Double
    /// Rolling elements of the bearing (7-13).
    public var balls: Int
    /// Ball to pitch diameter ratio times the cosine of the contact angle (0.15-0.3).
    public var ballRatio: Double
    /// Squeal frequency of a rub, Hz (1.5-5 kHz); drawn for every part, used by `.rubbing`.
    public var squealHz: Double
    /// The fault, nil for an OK part.
    public var fault: Fault?
    /// The fault's RMS in dB relative to the machine's RMS.
    public var faultDB: Double
    /// Whether the fault is faint: at the level of the room noise rather than well above it.
    public var faint: Bool
    /// Whether a bearing fault sits on the inner race (ticks at BPFI, load-zone modulated at the
    /// shaft rate) rather than the outer race (ticks at BPFO, even).
    public var innerRace: Bool

    /// "ok" or "reject". "reject" sorts second, so two-class reports take it as the positive class.
    public var label: String { fault == nil ? SyntheticParts.labels[0] : SyntheticParts.labels[1] }

    /// Ball-pass frequency of the defective race at shaft frequency `shaft`:
    /// outer race (balls / 2)(1 - r) shaft, inner race (balls / 2)(1 + r) shaft.
    public func defectHz(shaft: Double) -> Double {
        Double(balls) / 2 * (innerRace ? 1 + ballRatio : 1 - ballRatio) * shaft
    }
}

/// What changes between two recordings of the same part: speed, level, room noise, microphone
/// position and room reverb.
public struct PartTake: Sendable, Equatable {
    /// Zero-based recording number of the part.
    public var index: Int
    /// Shaft speed of this take over the part's nominal speed (1 +- 2.5%).
    public var speed: Double
    /// Slow speed wander within the take: relative depth (0-0.3%) and rate in Hz (0.1-0.5).
    public var wanderDepth: Double, wanderHz: Double
    /// Level change of this take in dB (-2 to +2).
    public var levelDB: Double
    /// Machine RMS over room-noise RMS in dB (20-30).
    public var snrDB: Double
    /// Per-resonance gain change from the microphone position, dB (-3 to +3), one per resonance.
    public var positionDB: [Double]
    /// Room reverb: RT60 in seconds (0.2-0.7) and wet share (0.1-0.35, further away = wetter).
    public var reverbTime: Double, reverbMix: Double
}

extension MachinePart {
    /// The faults of Not OK parts in turn: reject part j (odd index 2j + 1) has `allCases[j % 4]`.
    static func fault(ofPart index: Int) -> Fault? {
        index % 2 == 0 ? nil : Fault.allCases[(index / 2) % Fault.allCases.count]
    }

    /// Draws part `index`; `faintShare` of the Not OK parts get a faint fault. Whether the part is OK
    /// (even index) and which fault it has depend on the index only, so halves stay balanced.
    static func draw(index: Int, faintShare: Double, using rng: inout SyntheticRandom) -> MachinePart {
        let shaft = rng.logUniform(15, 60)
        let rolloff = rng.uniform(0.7, 1.5)
        let count = max(4, min(40, Int(1500 / shaft)))
        var harmonics = [Double](repeating: 0, count: count)
        for k in 0..<count {
            harmonics[k] = k == 0 ? 1 : pow(Double(k + 1), -rolloff) * pow(10, 6 * rng.normal() / 20)
        }
        let teeth = rng.int(in: 5...31)
        let meshDB = rng.uniform(-18, -4)
        let broadbandDB = rng.uniform(-20, -8)
        var resonances = [Resonance(hz: rng.logUniform(1500, 6000), q: rng.uniform(15, 30), gain: rng.uniform(1.5, 6))]
        for _ in 0..<rng.int(in: 2...4) {
            let hz = rng.logUniform(250, 6000), q = rng.uniform(5, 30)
            resonances.append(Resonance(hz: hz, q: q, gain: rng.uniform(1.5, 6)))
        }
        let level = rng.uniform(-26, -20)
        let balls = rng.int(in: 7...13)
        let ratio = rng.uniform(0.15, 0.3)
        let squeal = rng.logUniform(1500, 5000)
        let inner = rng.chance(0.5)
        let faint = rng.chance(faintShare)
        // clear faults 10-24 dB below the machine; faint ones 16-22 dB below, near the broadband
        // level of the room noise (20-30 dB below the machine) but above it in the fault's own band,
        // so a careful listener can still hear them (further down the label is no longer in the audio)
        let faultDB = faint ? rng.uniform(-22, -16) : rng.uniform(-24, -10)
        let fault = fault(ofPart: index)
        return MachinePart(index: index, shaftHz: shaft, harmonics: harmonics, meshTeeth: teeth, meshDB: meshDB,
                           broadbandDB: broadbandDB, resonances: resonances, levelDB: level, balls: balls,
                           ballRatio: ratio, squealHz: squeal, fault: fault, faultDB: faultDB,
                           faint: fault != nil && faint, innerRace: inner)
    }
}

extension PartTake {
    /// Draws take `index` of a part with `resonances` housing resonances.
    static func draw(index: Int, resonances: Int, using rng: inout SyntheticRandom) -> PartTake {
        let speed = 1 + max(-0.025, min(0.025, 0.01 * rng.normal()))
        let depth = rng.uniform(0, 0.003), rate = rng.uniform(0.1, 0.5)
        let level = rng.uniform(-2, 2), snr = rng.uniform(20, 30)
        let position = (0..<resonances).map { _ in rng.uniform(-3, 3) }
        let time = rng.uniform(0.2, 0.7)
        return PartTake(index: index, speed: speed, wanderDepth: depth, wanderHz: rate, levelDB: level, snrDB: snr,
                        positionDB: position, reverbTime: time, reverbMix: rng.uniform(0.1, 0.35))
    }
}
