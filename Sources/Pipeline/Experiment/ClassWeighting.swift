import Foundation

extension TrainingConfig.ClassWeight {
    /// The loss's weight of each class, in `classes` order, for the training windows' `labels`; nil
    /// when every class weighs 1.
    /// - Throws: `ConfigError` naming `source` when a given mapping has no weight for one of `classes`
    ///   or names a class the data does not have.
    func weights(classes: [String], labels: [Int32], source: String) throws -> [Float]? {
        switch self {
        case .none:
            return nil
        case .balanced:
            return WindowSampler.classWeights(labels: labels.map(Int.init), classCount: classes.count).map(Float.init)
        case .given(let given):
            let list = classes.joined(separator: ", ")
            if let unknown = given.keys.sorted().first(where: { !classes.contains($0) }) {
                throw ConfigError(file: source, key: "training.class_weight",
                                  "names class '\(unknown)', which the data does not have (its classes: \(list))")
            }
            return try classes.map { name in
                guard let w = given[name] else {
                    throw ConfigError(file: source, key: "training.class_weight",
                                      "gives no weight for class '\(name)' (the data's classes: \(list))")
                }
                return Float(w)
            }
        }
    }
}
