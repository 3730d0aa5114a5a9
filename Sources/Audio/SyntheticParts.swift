import Foundation

/// One recording of the parts demo set.
public struct PartsClip: Sendable, Equatable {
    /// File name `part<NNN>_take<K>.wav`, e.g. `part017_take2.wav` (part and take zero-based).
    public var name: String
    /// "ok" or "reject".
    public var label: String
    /// The part's group id, `part<NNN>`: every take of a part shares it (and its label).
    public var group: String
    /// Mono samples in [-1, 1]. Shape: (seconds * sampleRate,).
    public var samples: [Float]
    /// The part recorded.
    public var part: MachinePart
    /// This recording's conditions.
    public var take: PartTake
}

/// The parts demo set: OK / Not OK rotating machines, each part recorded several times.
///
/// Every part has its own sound (shaft speed, harmonic profile, mesh tone, housing resonances;
/// `MachinePart`); its takes differ a little (speed, level, microphone position, room reverb and
/// pink room noise; `PartTake`). Even-numbered parts are OK, odd ones carry one fault in turn
/// (bearing, imbalance, rubbing, looseness), `faintShare` of them faint (at the room-noise level).
/// A model that learns each part's signature can recognise new takes of known parts but not new
/// parts; finding the faults in new parts needs what the fault changes over a longer stretch.
/// Recipe and ranges: docs/DATASETS.md.
///
/// Deterministic: part p and its take k come from their own random streams of (seed, p, k), so a
/// clip does not change with the number of parts or takes generated.
public enum SyntheticParts {
    /// The labels: OK parts, then faulty ones.
    public static let labels = ["ok", "reject"]
    /// Default number of parts (half OK).
    public static let defaultParts = 60
    /// Default recordings per part.
    public static let defaultTakes = 4
    /// Default clip length in seconds.
    public static let defaultSeconds = 4.0
    /// Default share of faulty parts whose fault is faint.
    public static let defaultFaintShare = 0.3

    /// The group id of part `index`: `part` and three digits (more when needed), e.g. `part007`.
    public static func group(of index: Int) -> String {
        let number = String(index)
        return "part" + String(repeating: "0", count: max(0, 3 - number.count)) + number
    }

    /// Generates `takes` recordings of each of `parts` parts, part by part.
    /// - Returns: parts * takes clips of Int(seconds * sampleRate) samples each.
    public static func generate(parts: Int = defaultParts, takes: Int = defaultTakes,
                                seconds: Double = defaultSeconds, sampleRate: Int = 16000,
                                faintShare: Double = defaultFaintShare, seed: UInt64) -> [PartsClip] {
        precondition(parts >= 0 && takes >= 0, "parts and takes must be >= 0, got \(parts), \(takes)")
        precondition(seconds > 0 && sampleRate > 0, "need seconds > 0 and sampleRate > 0")
        let count = Int(seconds * Double(sampleRate))
        var clips: [PartsClip] = []
        clips.reserveCapacity(parts * takes)
        for p in 0..<parts {
            let machine = part(p, faintShare: faintShare, seed: seed)
            for k in 0..<takes {
                let recording = take(k, of: machine, seed: seed)
                let samples = render(machine, recording, count: count, sampleRate: sampleRate, seed: seed)
                clips.append(PartsClip(name: "\(group(of: p))_take\(k).wav", label: machine.label, group: group(of: p),
                                       samples: samples, part: machine, take: recording))
            }
        }
        return clips
    }

    /// Part `index` of the set made with `seed`.
    public static func part(_ index: Int, faintShare: Double = defaultFaintShare, seed: UInt64) -> MachinePart {
        var rng = SyntheticRandom(seed: seed, stream: stream(1, index, 0))
        return MachinePart.draw(index: index, faintShare: faintShare, using: &rng)
    }

    /// Take `index` of `part` in the set made with `seed`.
    public static func take(_ index: Int, of part: MachinePart, seed: UInt64) -> PartTake {
        var rng = SyntheticRandom(seed: seed, stream: stream(2, part.index, index))
        return PartTake.draw(index: index, resonances: part.resonances.count, using: &rng)
    }

    /// Renders one recording: shaft harmonics and mesh tone plus broadband noise -> housing ->
    /// level -> + fault -> room reverb -> + pink room noise -> scaled down if the peak exceeds 0.99.
    /// The machine and room draw from one random stream and the fault from another, so the same
    /// part with `fault = nil` gives the identical recording without the fault (its OK twin).
    /// - Returns: (count,) samples in [-1, 1].
    public static func render(_ part: MachinePart, _ take: PartTake, count: Int, sampleRate: Int,
                              seed: UInt64) -> [Float] {
        guard count > 0 else { return [] }
        var rng = SyntheticRandom(seed: seed, stream: stream(3, part.index, take.index))
        var faultRNG = SyntheticRandom(seed: seed, stream: stream(4, part.index, take.index))
        let fs = Double(sampleRate), shaft = part.shaftHz * take.speed
        let angle = SyntheticMachine.shaftAngle(count: count, rate: sampleRate, shaft: shaft,
                                                depth: take.wanderDepth, wanderHz: take.wanderHz, using: &rng)
        let top = shaft * (1 + take.wanderDepth)
        let mesh = pow(10, part.meshDB / 20)
        var orders = [Double](repeating: 0, count: max(part.harmonics.count, 2 * part.meshTeeth))
        for (k, a) in part.harmonics.enumerated() { orders[k] += a }
        orders[part.meshTeeth - 1] += mesh
        orders[2 * part.meshTeeth - 1] += 0.4 * mesh
        for k in 0..<orders.count where Double(k + 1) * top >= 0.45 * fs { orders[k] = 0 }
        var source = SyntheticMachine.series(orders, angle: angle, using: &rng)
        let broadband = SyntheticSignal.rms(source) * pow(10, part.broadbandDB / 20)
        for i in 0..<count { source[i] += broadband * rng.normal() }
        var x = SyntheticMachine.housing(source, part.resonances, positionDB: take.positionDB, rate: sampleRate)
        let level = pow(10, (part.levelDB + take.levelDB) / 20)
        SyntheticMachine.scale(&x, toRMS: level)
        if let fault = part.fault {
            var f = SyntheticFaults.render(fault, part: part, machine: x, angle: angle, rate: sampleRate,
                                           using: &faultRNG)
            SyntheticMachine.scale(&f, toRMS: level * pow(10, part.faultDB / 20))
            for i in 0..<count { x[i] += f[i] }
        }
        SyntheticSignal.reverb(&x, time: take.reverbTime, mix: take.reverbMix, rate: sampleRate)
        let noise = SyntheticMachine.pinkNoise(count: count, using: &rng)
        let sigma = level * pow(10, -take.snrDB / 20)
        for i in 0..<count { x[i] += sigma * noise[i] }
        let p = SyntheticSignal.peak(x)
        let gain = p > 0.99 ? 0.99 / p : 1
        return x.map { Float($0 * gain) }
    }

    /// The `audio.csv` text for `clips`: `fname,label,group,fault,faint` (fault `none` for OK parts,
    /// faint `yes` / `no`), one line per clip, LF endings.
    public static func csv(for clips: [PartsClip]) -> String {
        "fname,label,group,fault,faint\n" + clips.map { c in
            "\(c.name),\(c.label),\(c.group),\(c.part.fault?.rawValue ?? "none"),\(c.part.faint ? "yes" : "no")\n"
        }.joined()
    }

    /// Random stream `kind` (1 part, 2 take, 3 machine and room, 4 fault) of part `part`, take `take`.
    static func stream(_ kind: UInt64, _ part: Int, _ take: Int) -> UInt64 {
        kind << 56 | UInt64(part) << 24 | UInt64(take)
    }
}
