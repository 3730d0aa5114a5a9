import Layers
import Tensor

/// The two reference architectures of docs/WORKFLOW.md §6, built layer by layer (Keras Sequential,
/// channels-last), for `classes` output classes.
enum ReferenceNetwork: String, CaseIterable {
    case cnn, rnn

    /// One window as the network sees it: (9, 13, 1) for the CNN, (9, 13) for the RNN.
    var inputShape: [Int] { self == .cnn ? [9, 13, 1] : [9, 13] }

    /// Parameter count docs/WORKFLOW.md §6 gives for 10 classes (a check that the build is the reference).
    var referenceParameterCount: Int { self == .cnn ? 499_402 : 216_018 }

    func build(classes: Int, seed: UInt64) throws -> Sequential {
        switch self {
        case .cnn:
            var layers: [Layer] = [16, 32, 64, 128].map {
                Conv2D(filters: $0, kernelSize: (3, 3), strides: (1, 1), padding: .same, activation: .relu)
            }
            layers += [MaxPool2D(poolSize: (2, 2)), Dropout(rate: 0.5, seed: seed), Flatten(),
                       Dense(units: 128, activation: .relu), Dense(units: 64, activation: .relu),
                       Dense(units: classes, activation: .softmax)] as [Layer]
            return try Sequential(inputShape: inputShape, layers: layers, seed: seed)
        case .rnn:
            var layers: [Layer] = [LSTM(units: 128, returnSequences: true), LSTM(units: 128, returnSequences: true),
                                   Dropout(rate: 0.5, seed: seed)]
            layers += [64, 32, 16, 8].map { TimeDistributed(Dense(units: $0, activation: .relu)) } as [Layer]
            layers += [Flatten(), Dense(units: classes, activation: .softmax)] as [Layer]
            return try Sequential(inputShape: inputShape, layers: layers, seed: seed)
        }
    }
}
