@testable import Pipeline
import XCTest

/// A model file's class list: what training writes (two or more distinct, non-empty, sorted names
/// without control characters) and nothing else (an empty name made an empty column and y_pred).
final class ClassListTests: XCTestCase {
    func testOnlyTheListsTrainingWritesAreAccepted() {
        XCTAssertNil(TrainedModel.classListProblem(["high", "low", "medium"]))
        XCTAssertNil(TrainedModel.classListProblem(["Dog", "cat", "dog"]))
        for (classes, words) in [(["a"], "at least two distinct"), (["a", "a"], "at least two distinct"),
                                 (["", "a"], "an empty class name"), (["a", "b\nc"], "a control character"),
                                 (["low", "high"], "is not sorted")] {
            XCTAssertTrue(TrainedModel.classListProblem(classes)?.contains(words) == true, "\(classes)")
        }
    }
}
