import Foundation
import Layers
import Synchronization

/// The optimizer's update of a step of several replicas, started by each replica's thread as soon as
/// its own pass is over instead of after the slowest replica's: a deterministic work queue over the
/// parameters' elements, each piece taken once every active replica's backward pass has finished the
/// layer that owns it.
///
///     pieces: the parameters' elements cut into `pieceSize`-element ranges, the last layer's first
///             (the order backward finishes them): [(parameter i, elements, layer)]
///     thread r: pass(replica r); then repeat { k = next++; wait until every active replica's
///               backward has finished pieces[k].layer; update(pieces[k]) } until no piece is left
///
/// On a 2-vCPU virtual machine the replicas' passes differ by 3-10% from step to step and run to run
/// (host contention on one vCPU is not counted as steal time), and a lock-step engine loses that
/// difference on every step; here the faster thread spends it on the update, most of which belongs to
/// the dense layers at the end of the network, whose gradients are final early in backward.
///
/// Every element is updated by the same code from the same gradients, whichever thread takes its
/// piece, so the results are bit for bit those of the update after the passes
/// (`TrainingEngine.overlapsUpdate` false); OverlappedUpdateTests check it with a replica slowed down.
final class OverlappedUpdate: @unchecked Sendable {
    /// Elements of one parameter that one thread updates at a time, and the layer that owns them.
    struct Piece: Equatable {
        let parameter: Int
        let elements: Range<Int>
        let layer: Int
    }

    /// Elements per piece: 32 KB of each array the update touches, about 10 us of Adam; a multiple of
    /// 16 floats, so that pieces start on whole vectors.
    static let pieceSize = 8192

    /// The step's pieces, in the order they are taken.
    let pieces: [Piece]
    /// Per replica: the lowest layer index whose backward has returned in this step (`layers` before
    /// backward reaches any).
    private let finished: [Mark]
    private let next = Atomic<Int>(0)
    private let layers: Int

    /// One replica's progress, a class of its own so that each is an atomic the replica's thread stores.
    private final class Mark: Sendable {
        let layer = Atomic<Int>(0)
    }

    /// Cuts the parameters of `model` (every replica's are shaped alike) into pieces for `replicas`
    /// replicas. Parameter i is the i-th of `Sequential.parameters`: the layers' parameters, layer by
    /// layer.
    init(model: Sequential, replicas: Int, pieceSize: Int = OverlappedUpdate.pieceSize) {
        precondition(pieceSize > 0 && pieceSize % 16 == 0, "OverlappedUpdate: piece size \(pieceSize)")
        layers = model.layers.count
        let firstParameter = model.layers.reduce(into: [0]) { $0.append($0.last! + $1.parameters.count) }
        var pieces: [Piece] = []
        // backward finishes the last layer first: its pieces come first
        for layer in model.layers.indices.reversed() {
            for (j, p) in model.layers[layer].parameters.enumerated() {
                for start in stride(from: 0, to: p.value.count, by: pieceSize) {
                    pieces.append(Piece(parameter: firstParameter[layer] + j,
                                        elements: start..<min(start + pieceSize, p.value.count), layer: layer))
                }
            }
        }
        self.pieces = pieces
        finished = (0..<replicas).map { _ in Mark() }
    }

    /// Starts a step: no replica has finished a layer, no piece is taken, and each replica's
    /// `Sequential.backward` reports its progress here (`Sequential.backwardProgress`) until `end`.
    /// Call before the passes, with the replicas in order.
    func begin(_ replicas: [Sequential]) {
        precondition(replicas.count == finished.count, "OverlappedUpdate: \(replicas.count) replicas, made for \(finished.count)")
        for (replica, mark) in zip(replicas, finished) {
            mark.layer.store(layers, ordering: .relaxed)
            replica.backwardProgress = { layer in mark.layer.store(layer, ordering: .releasing) }
        }
        next.store(0, ordering: .releasing)
    }

    /// Ends a step: the replicas' backward passes report to no one (another engine may run them next).
    func end(_ replicas: [Sequential]) {
        for replica in replicas { replica.backwardProgress = nil }
    }

    /// Takes pieces in order until none is left, calling `update` on each once replicas 0..<active
    /// have finished its layer's backward (the gradients written before that report are visible).
    /// Every thread that ran a pass calls this after it; together they update every piece once.
    func takePieces(active: Int, _ update: (Piece) -> Void) {
        while true {
            let k = next.wrappingAdd(1, ordering: .relaxed).oldValue
            guard k < pieces.count else { return }
            let piece = pieces[k]
            for mark in finished.prefix(active) {
                var polls = 0
                while mark.layer.load(ordering: .acquiring) > piece.layer {
                    polls += 1
                    if polls > 64 { sched_yield() }   // let the replica's thread have the core
                }
            }
            update(piece)
        }
    }
}
