@testable import Pipeline
import XCTest

/// predictions.csv never repeats a column name (classes named `label` or `fname` gave a header
/// `fname,label,c,fname,label,y_pred,split`, which a reader by name misreads and Earmark's own reader
/// refuses).
final class PredictionColumnsTests: XCTestCase {
    func testAddedColumnsAreRenamedWhenTheirNameIsTaken() {
        XCTAssertEqual(PredictWorkflow.addedColumns(after: ["fname", "label"], classes: ["cat", "dog"], split: true),
                       ["cat", "dog", "y_pred", "split"])
        XCTAssertEqual(PredictWorkflow.addedColumns(after: ["fname", "label", "split", "y_pred"],
                                                    classes: ["c", "fname", "label"], split: true),
                       ["c", "fname_probability", "label_probability", "y_pred_earmark", "split_at_training"])
        XCTAssertEqual(PredictWorkflow.addedColumns(after: ["fname", "label", "label_probability"],
                                                    classes: ["label", "y_pred"], split: false),
                       ["label_probability_2", "y_pred", "y_pred_earmark"])
        for (input, classes) in [(["fname", "label", "split"], ["split", "y_pred", "split_at_training"]),
                                 (["fname"], ["fname", "fname_probability", "y_pred"])] {
            let all = input + PredictWorkflow.addedColumns(after: input, classes: classes, split: true)
            XCTAssertEqual(Set(all).count, all.count, "\(all)")
        }
    }
}
