import Dispatch
import Foundation
@testable import Pipeline
import XCTest

/// `FileLoop`: every index once, whatever the thread count, and more threads at once than the
/// machine has cores (what lets a core compute while another thread waits on the disk).
final class FileLoopTests: XCTestCase {
    func testEveryIndexRunsExactlyOnce() {
        for (iterations, threads) in [(0, 4), (1, 4), (7, 1), (400, 8), (5, 64), (1000, 3)] {
            let counts = Counts(iterations)
            FileLoop.run(iterations: iterations, threads: threads) { counts.add($0) }
            XCTAssertEqual(counts.values, [Int](repeating: 1, count: iterations), "\(iterations) iterations, \(threads) threads")
        }
    }

    /// Each iteration waits until `threads` iterations are running at once, which only as many
    /// threads can do: with one thread per core (concurrentPerform) it would wait forever, and the
    /// test fails at its timeout instead.
    func testRunsMoreThreadsAtOnceThanTheMachineHasCores() {
        let threads = 3 * ProcessInfo.processInfo.activeProcessorCount
        let arrived = Counts(1), allThere = DispatchSemaphore(value: 0), timedOut = Counts(1)
        let finished = expectation(description: "the loop returned")
        DispatchQueue.global().async {
            FileLoop.run(iterations: threads, threads: threads) { _ in
                if arrived.add(0) == threads { for _ in 0..<threads { allThere.signal() } }
                if allThere.wait(timeout: .now() + 20) == .timedOut { timedOut.add(0) }
            }
            finished.fulfill()
        }
        wait(for: [finished], timeout: 60)
        XCTAssertEqual(arrived.values, [threads])
        XCTAssertEqual(timedOut.values, [0], "iterations that never saw all \(threads) running at once")
    }

    func testTheDefaultIsMoreThreadsThanCores() {
        XCTAssertGreaterThan(FileLoop.defaultThreads, ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Counters behind a lock; `add` returns the new count.
    private final class Counts: @unchecked Sendable {
        private var stored: [Int]
        private let lock = NSLock()
        init(_ n: Int) { stored = [Int](repeating: 0, count: n) }
        @discardableResult func add(_ i: Int) -> Int {
            lock.lock(); defer { lock.unlock() }
            stored[i] += 1
            return stored[i]
        }
        var values: [Int] { lock.lock(); defer { lock.unlock() }; return stored }
    }
}
