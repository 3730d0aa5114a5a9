import Foundation
@testable import Pipeline
import XCTest

/// `WorkerTeam` must run every iteration exactly once and return only when all are done: back to
/// back (workers spinning), after pauses longer than the spin (workers asleep, woken by `run`), with
/// more or fewer iterations than members, and a team must let its threads go when dropped.
final class WorkerTeamTests: XCTestCase {
    /// Runs `iterations` iterations that each add their index + 1 into their own slot, `repeats`
    /// times; every slot must hold repeats * (index + 1), and nothing beyond the iterations.
    private func check(_ team: WorkerTeam, iterations: Int, repeats: Int, pause: TimeInterval = 0,
                       file: StaticString = #filePath, line: UInt = #line) {
        let slots = UnsafeMutablePointer<Int>.allocate(capacity: iterations + 1)
        slots.initialize(repeating: 0, count: iterations + 1)
        defer { slots.deallocate() }
        let shared = SlotPointer(slots)
        for _ in 0..<repeats {
            team.run(iterations: iterations) { i in shared.pointer[i] += i + 1 }
            if pause > 0 { Thread.sleep(forTimeInterval: pause) }
        }
        for i in 0..<iterations {
            XCTAssertEqual(slots[i], repeats * (i + 1), "iteration \(i) of \(iterations), \(team.workers) workers",
                           file: file, line: line)
        }
        XCTAssertEqual(slots[iterations], 0, "no iteration past the end", file: file, line: line)
    }

    func testEveryIterationOnceForEveryTeamSize() {
        for workers in 0...3 {
            let team = WorkerTeam(workers: workers)
            for iterations in 0...7 { check(team, iterations: iterations, repeats: 3) }
        }
    }

    func testManyLoopsBackToBack() {
        let team = WorkerTeam(workers: 1)
        check(team, iterations: 2, repeats: 20_000)
        // more members than the cores of a 2-core machine: no spinning, still correct
        let four = WorkerTeam(workers: 3)
        check(four, iterations: 4, repeats: 2_000)
    }

    /// Pauses longer than the spin put the workers to sleep; every run must still wake them.
    func testLoopsAfterTheWorkersSleep() {
        let pause = Double(WorkerTeam.spinNanoseconds) * 3 / 1e9
        XCTAssertEqual(WorkerTeam(workers: 1).spin, WorkerTeam.spinNanoseconds, "a 2-member team spins on 2 cores")
        let team = WorkerTeam(workers: 2)
        check(team, iterations: 3, repeats: 8, pause: pause)
        // and pauses around the spin time, where sleeping and waking race
        let racing = WorkerTeam(workers: 1)
        check(racing, iterations: 2, repeats: 60, pause: Double(WorkerTeam.spinNanoseconds) / 1e9)
    }

    /// A dropped team stops its threads: many teams come and go without piling up running threads.
    func testDroppedTeamsStopTheirThreads() throws {
        func threadCount() throws -> Int {
            try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").count
        }
        let before = try threadCount()
        for _ in 0..<30 {
            let team = WorkerTeam(workers: 2)
            check(team, iterations: 3, repeats: 2)
        }
        // stopping is asynchronous: give the last threads a moment to exit
        var after = try threadCount()
        for _ in 0..<100 where after > before + 4 {
            Thread.sleep(forTimeInterval: 0.01)
            after = try threadCount()
        }
        XCTAssertLessThanOrEqual(after, before + 4, "threads before \(before), after 30 teams \(after)")
    }
}

/// A pointer the iterations write through (each to its own slot).
private struct SlotPointer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Int>
    init(_ pointer: UnsafeMutablePointer<Int>) { self.pointer = pointer }
}
