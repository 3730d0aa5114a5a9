import ArgumentParser
import Classical
import Foundation
import Tensor

/// `bench forest`: Classical's random forest timed on the problem benchmarks/forest_peer.py writes
/// (200 trees, scikit-learn's defaults: max_features sqrt, bootstrap, no class weights; 1000 training
/// rows x 20 features x 3 classes, prediction of 1000 rows), median fit and predict seconds over
/// --rounds runs with seeds 0, 1, ... as the peer's random_state.
struct ForestBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forest",
        abstract: "Time the random forest (fit and predict) on benchmarks/forest_peer.py's data.")

    @Option(help: "The problem file written by `python benchmarks/forest_peer.py --write FILE`.")
    var data: String
    @Option(help: "Timed runs; the figures are their medians.")
    var rounds = 5
    @Option(help: "Trees.")
    var trees = 200

    func validate() throws {
        guard rounds > 0, trees > 0 else { throw ValidationError("--rounds and --trees must be positive") }
    }

    func run() throws {
        let file = try SafeTensors.read(contentsOf: URL(fileURLWithPath: data))
        let x = try file.tensor("x_train", file: data), xt = try file.tensor("x_test", file: data)
        let y = try file.integers("y_train", file: data).values, yt = try file.integers("y_test", file: data).values
        let classes = (y.max() ?? 0) + 1
        var fits: [Double] = [], predicts: [Double] = [], accuracy = 0.0
        for r in 0..<rounds {
            let p = ForestParameters(nEstimators: trees, seed: UInt64(r))
            let start = Timing.now()
            let forest = try RandomForestClassifier.fit(x, labels: y, classCount: classes, parameters: p)
            fits.append(Timing.now() - start)
            var predicted: [Int] = []
            predicts.append(Timing.seconds { predicted = forest.predict(xt) })
            accuracy = Double(zip(predicted, yt).filter { $0 == $1 }.count) / Double(yt.count)
        }
        print(String(format: "earmark fit median %.3f s, predict median %.4f s, accuracy %.3f "
                     + "(%d trees, %@ rows x %d, %d cores)", Timing.median(fits), Timing.median(predicts),
                     accuracy, trees, "\(x.shape[0])", x.shape[1], ProcessInfo.processInfo.activeProcessorCount))
    }
}
