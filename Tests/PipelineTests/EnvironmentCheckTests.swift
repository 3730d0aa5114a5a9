import Pipeline
import XCTest

/// `EARMARK_*` values that cannot be read are errors naming the variable (they silently meant the
/// default: `EARMARK_THREADS="1 "` trained with two replicas, other weights than one).
final class EnvironmentCheckTests: XCTestCase {
    func testUnreadableValuesAreNamedAndGoodOnesPass() {
        XCTAssertNil(EnvironmentCheck.problem(in: [:]))
        XCTAssertNil(EnvironmentCheck.problem(in: ["EARMARK_THREADS": "1", "EARMARK_MAX_CLIP_SECONDS": "30"]))
        XCTAssertNil(EnvironmentCheck.problem(in: ["EARMARK_THREADS": "2", "EARMARK_MAX_CLIP_SECONDS": "0.5"]))
        for bad in ["abc", "0", "-1", "1 ", "", "100000"] {
            XCTAssertEqual(EnvironmentCheck.problem(in: ["EARMARK_THREADS": bad]),
                           "EARMARK_THREADS=\(bad): must be a whole number of replicas from 1 to 1024; unset it for the default")
        }
        for bad in ["abc", "-5", "0", "1e9", "nan"] {
            XCTAssertEqual(EnvironmentCheck.problem(in: ["EARMARK_MAX_CLIP_SECONDS": bad]),
                           "EARMARK_MAX_CLIP_SECONDS=\(bad): must be a number of seconds above 0 (at most 1e6); "
                               + "unset it for the default")
        }
        XCTAssertNil(EnvironmentCheck.problem(in: ["EARMARK_MPI_TIMEOUT": "60"]))
        // -1, nan and 1e30 trapped in every rank's watchdog; a text meant 300 s without a word
        for bad in ["abc", "-1", "nan", "inf", "1e30", "0", "0.001", ""] {
            XCTAssertEqual(EnvironmentCheck.problem(in: ["EARMARK_MPI_TIMEOUT": bad]),
                           "EARMARK_MPI_TIMEOUT=\(bad): must be a number of seconds from 1 to 1e6; unset it for the default")
        }
    }
}
