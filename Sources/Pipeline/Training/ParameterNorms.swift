import Foundation
import Synchronization

/// Each parameter's gradient sum of squares for clipping by norm inside the overlapped update
/// (`OverlappedUpdate`): computed once per step, by the first thread that takes a piece of that
/// parameter (every active replica has then finished its layer, so its gradients are final and no
/// piece of it has been updated, which would zero them); the other threads taking its pieces wait
/// until the value is there.
///
///     state[i]: 0 not asked yet -> 1 being computed -> 2 ready (values[i] written before the store)
final class ParameterNorms: @unchecked Sendable {
    /// One parameter's state, a class of its own so that each is an atomic (as `OverlappedUpdate`'s marks).
    private final class Slot: Sendable {
        let state = Atomic<Int>(0)
    }

    private let slots: [Slot]
    private let values: UnsafeMutablePointer<Double>

    init(count: Int) {
        slots = (0..<count).map { _ in Slot() }
        values = .allocate(capacity: max(count, 1))
        values.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { values.deallocate() }

    /// Forgets the last step's values. Call before the step's passes, when no thread asks.
    func reset() {
        for slot in slots { slot.state.store(0, ordering: .relaxed) }
    }

    /// Parameter i's value: `compute()` on the first call of the step, then that result.
    func value(_ i: Int, compute: () -> Double) -> Double {
        let slot = slots[i]
        if slot.state.load(ordering: .acquiring) == 2 { return values[i] }
        if slot.state.compareExchange(expected: 0, desired: 1, ordering: .acquiring).exchanged {
            values[i] = compute()
            slot.state.store(2, ordering: .releasing)
            return values[i]
        }
        var polls = 0
        while slot.state.load(ordering: .acquiring) != 2 {
            polls += 1
            if polls > 64 { sched_yield() }     // let the computing thread have the core
        }
        return values[i]
    }
}
