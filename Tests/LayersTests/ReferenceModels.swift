import Layers
import Tensor

/// The reference architectures of docs/WORKFLOW.md §6, built directly (the Pipeline builds them from
/// cfg/conv.yaml and cfg/time.yaml), with configurable widths for the small fixture versions.
enum ReferenceModels {
    static func cnn(filters: [Int] = [16, 32, 64, 128], dense: [Int] = [128, 64], classes: Int = 10,
                    seed: UInt64 = 0) throws -> Sequential {
        var layers: [Layer] = filters.map {
            Conv2D(filters: $0, kernelSize: (3, 3), strides: (1, 1), padding: .same, activation: .relu)
        }
        layers += [MaxPool2D(poolSize: (2, 2)), Dropout(rate: 0.5, seed: seed), Flatten()] as [Layer]
        layers += dense.map { Dense(units: $0, activation: .relu) } as [Layer]
        layers.append(Dense(units: classes, activation: .softmax))
        return try Sequential(inputShape: [9, 13, 1], layers: layers, seed: seed)
    }

    static func rnn(units: [Int] = [128, 128], dense: [Int] = [64, 32, 16, 8], classes: Int = 10,
                    seed: UInt64 = 0) throws -> Sequential {
        var layers: [Layer] = units.map { LSTM(units: $0, returnSequences: true) }
        layers.append(Dropout(rate: 0.5, seed: seed))
        layers += dense.map { TimeDistributed(Dense(units: $0, activation: .relu)) } as [Layer]
        layers += [Flatten(), Dense(units: classes, activation: .softmax)] as [Layer]
        return try Sequential(inputShape: [9, 13], layers: layers, seed: seed)
    }
}

/// Weights that Tests/Fixtures/make_model_fixtures.py produces bit for bit: SplitMix64 of
/// (seed + (i + 1) * golden ratio), top 24 bits as a uniform in [0, 1).
enum DeterministicWeights {
    static func uniform(seed: UInt64, count: Int) -> [Double] {
        (0..<count).map { i in
            var z = seed &+ UInt64(i + 1) &* 0x9E37_79B9_7F4A_7C15
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z = z ^ (z >> 31)
            return Double(z >> 40) / 16_777_216.0
        }
    }

    /// Weight j of the model: uniform in [-limit, limit], seed 1000 + j; limit from Keras fans for
    /// kernels, 0.1 for biases.
    static func assign(to model: Sequential) {
        for (j, p) in model.parameters.enumerated() {
            let shape = p.value.shape
            let limit: Double
            if shape.count == 1 {
                limit = 0.1
            } else {
                let (fanIn, fanOut) = Initializer.fans(shape)
                limit = (6.0 / Double(fanIn + fanOut)).squareRoot()
            }
            let u = uniform(seed: 1000 + UInt64(j), count: p.value.count)
            p.value = Tensor(shape: shape, data: u.map { Float((2.0 * $0 - 1.0) * limit) })
        }
    }
}
