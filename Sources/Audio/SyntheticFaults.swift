import Foundation

/// The four faults of the parts demo set, each rendered on its own (the caller scales it to the
/// part's fault level and adds it to the machine). Buffers are [Double] of angle.count samples;
/// `angle` is the shaft angle of every sample (`SyntheticMachine.shaftAngle`).
enum SyntheticFaults {
    /// The fault `fault` of `part` for a take whose shaft turns through `angle`; `machine` is the
    /// machine's own sound (imbalance modulates it).
    /// - Returns: (angle.count,) samples of arbitrary scale.
    static func render(_ fault: MachinePart.Fault, part: MachinePart, machine: [Double], angle: [Double],
                       rate: Int, using rng: inout SyntheticRandom) -> [Double] {
        switch fault {
        case .bearing: return bearing(part, angle: angle, rate: rate, using: &rng)
        case .imbalance:
            let phase = rng.uniform(0, 2 * Double.pi)
            return zip(machine, angle).map { $0 * cos($1 + phase) }
        case .rubbing: return rubbing(part, angle: angle, rate: rate, using: &rng)
        case .looseness: return looseness(part, angle: angle, rate: rate, using: &rng)
        }
    }

    /// Bearing ticks: an impulse each time a ball passes the defect (every 1 / defect-order of a
    /// revolution, spacing jittered by 1% for ball slip), ringing the bearing-seat resonance. Inner
    /// race ticks swing with the load zone once per revolution (amplitude 0.2-1); outer ones are even.
    static func bearing(_ part: MachinePart, angle: [Double], rate: Int,
                        using rng: inout SyntheticRandom) -> [Double] {
        guard let start = angle.first else { return [] }
        let order = part.defectHz(shaft: 1)   // ticks per revolution
        let load = rng.uniform(0, 2 * Double.pi)
        var ticks = [Double](repeating: 0, count: angle.count)
        var next = rng.uniform(0, 1 / order)
        for i in 0..<angle.count {
            let revolutions = (angle[i] - start) / (2 * Double.pi)
            guard revolutions >= next else { continue }
            let swing = part.innerRace ? 0.2 + 0.8 * (0.5 + 0.5 * cos(angle[i] + load)) : 1
            ticks[i] = swing * (1 + 0.1 * rng.normal())
            next += (1 + 0.01 * rng.normal()) / order
        }
        let seat = part.resonances[0]
        return SyntheticMachine.bandpass(ticks, hz: seat.hz, q: seat.q, rate: rate)
    }

    /// Rubbing: episodes of contact (0.3-1 s) and of none (0.2-0.8 s); during contact, at a fixed
    /// point of each revolution (80% of revolutions), a burst 15-35% of a revolution long of squeal
    /// (a tone at the part's squeal frequency with a 0.5% wobble) and friction noise (a band of
    /// noise around it, Q 1.5), under a raised-sine envelope.
    static func rubbing(_ part: MachinePart, angle: [Double], rate: Int,
                        using rng: inout SyntheticRandom) -> [Double] {
        let n = angle.count, fs = Double(rate)
        guard let start = angle.first else { return [] }
        let where0 = rng.uniform(0, 1), width = rng.uniform(0.15, 0.35)
        let wobble = rng.uniform(5, 9), squealPhase = rng.uniform(0, 2 * Double.pi)
        var friction = SyntheticMachine.bandpass((0..<n).map { _ in rng.normal() }, hz: part.squealHz, q: 1.5,
                                                 rate: rate)
        SyntheticMachine.scale(&friction, toRMS: 1)
        var contact = rng.chance(0.6)
        var switchAt = Int(fs * (contact ? rng.uniform(0.3, 1.0) : rng.uniform(0.2, 0.8)))
        var revolution = Int.min, burst = 0.0
        var out = [Double](repeating: 0, count: n)
        var phase = squealPhase
        for i in 0..<n {
            if i == switchAt {
                contact.toggle()
                switchAt += Int(fs * (contact ? rng.uniform(0.3, 1.0) : rng.uniform(0.2, 0.8)))
            }
            let f = part.squealHz * (1 + 0.005 * sin(2 * Double.pi * wobble * Double(i) / fs))
            phase += 2 * Double.pi * f / fs
            guard contact else { continue }
            let position = (angle[i] - start) / (2 * Double.pi) - where0
            let turn = Int(position.rounded(.down))
            if turn != revolution {
                revolution = turn
                burst = rng.chance(0.8) ? rng.uniform(0.5, 1) : 0
            }
            let fraction = position - Double(turn)
            guard fraction < width, burst > 0 else { continue }
            let envelope = pow(sin(Double.pi * fraction / width), 2) * burst
            out[i] = envelope * (0.8 * sin(phase) + friction[i])
        }
        return out
    }

    /// Looseness: the odd half orders of the shaft (0.5x, 1.5x, ... 9.5x, amplitude 1 / order
    /// number) plus rattles: in 30-70% of revolutions an impact near a fixed point of the revolution
    /// ringing the housing resonances. Both parts have the same RMS.
    static func looseness(_ part: MachinePart, angle: [Double], rate: Int,
                          using rng: inout SyntheticRandom) -> [Double] {
        let n = angle.count
        guard let start = angle.first else { return [] }
        let fs = Double(rate)
        let shaft = n > 1 ? (angle[n - 1] - start) / (2 * Double.pi) / (Double(n - 1) / fs) : part.shaftHz
        var halves = [Double](repeating: 0, count: 19)
        for k in stride(from: 0, to: 19, by: 2) where Double(k + 1) * 0.5 * shaft < 0.45 * fs {
            halves[k] = 1 / Double(k / 2 + 1)
        }
        var sub = SyntheticMachine.series(halves, angle: angle, scale: 0.5, using: &rng)
        SyntheticMachine.scale(&sub, toRMS: 1)
        let probability = rng.uniform(0.3, 0.7), where0 = rng.uniform(0, 1)
        var impacts = [Double](repeating: 0, count: n)
        var next = where0 + rng.uniform(-0.05, 0.05)
        for i in 0..<n {
            let position = (angle[i] - start) / (2 * Double.pi)
            guard position >= next else { continue }
            if rng.chance(probability) { impacts[i] = rng.uniform(0.5, 1) * (rng.chance(0.5) ? 1 : -1) }
            next = (next - where0).rounded(.toNearestOrAwayFromZero) + 1 + where0 + rng.uniform(-0.05, 0.05)
        }
        var rattle = [Double](repeating: 0, count: n)
        for r in part.resonances {
            let ring = SyntheticMachine.bandpass(impacts, hz: r.hz, q: r.q, rate: rate)
            for i in 0..<n { rattle[i] += r.gain * ring[i] }
        }
        SyntheticMachine.scale(&rattle, toRMS: 1)
        return zip(sub, rattle).map { $0 + $1 }
    }
}
