import Foundation
import Layers
@testable import Pipeline
import Tensor
import XCTest

/// The layer catalog: every registered type decodes, prints in its canonical form and decodes back equal,
/// and the decoder accepts exactly the registered types.
final class LayerCatalogTests: XCTestCase {
    /// Layer entries of every catalog type, with arguments left to their defaults and with every argument
    /// set, next to the canonical line `--print-config` writes for each.
    static let examples: [(entry: String, printed: String)] = [
        ("conv2d: {filters: 4}",
         "conv2d: {filters: 4, kernel_size: [3, 3], strides: [1, 1], padding: valid, activation: linear}"),
        ("conv2d: {filters: 4, kernel_size: 5, strides: [2, 1], padding: same, activation: sigmoid}",
         "conv2d: {filters: 4, kernel_size: [5, 5], strides: [2, 1], padding: same, activation: sigmoid}"),
        ("max_pooling2d: {}", "max_pooling2d: {pool_size: [2, 2], strides: [2, 2], padding: valid}"),
        ("max_pooling2d: {pool_size: 3, strides: [1, 2], padding: same}",
         "max_pooling2d: {pool_size: [3, 3], strides: [1, 2], padding: same}"),
        ("dropout: {rate: 0.25}", "dropout: {rate: 0.25}"),
        ("flatten:", "flatten: {}"),
        ("flatten: {}", "flatten: {}"),
        ("dense: {units: 9}", "dense: {units: 9, activation: linear}"),
        ("dense: {units: 9, activation: leaky_relu}", "dense: {units: 9, activation: leaky_relu}"),
        ("dense: {units: classes, activation: softmax}", "dense: {units: classes, activation: softmax}"),
        ("lstm: {units: 7}",
         "lstm: {units: 7, return_sequences: false, activation: tanh, recurrent_activation: sigmoid}"),
        ("lstm: {units: 7, return_sequences: yes, activation: relu, recurrent_activation: hard_sigmoid}",
         "lstm: {units: 7, return_sequences: true, activation: relu, recurrent_activation: hard_sigmoid}"),
        ("time_distributed: {dense: {units: 3}}", "time_distributed: {dense: {units: 3, activation: linear}}"),
        ("time_distributed: {dense: {units: classes, activation: relu}}",
         "time_distributed: {dense: {units: classes, activation: relu}}"),
        ("batch_normalization: {}",
         "batch_normalization: {momentum: 0.99, epsilon: 0.001, center: true, scale: true}"),
        ("batch_normalization: {momentum: 0.9, epsilon: 1e-5, center: no, scale: false}",
         "batch_normalization: {momentum: 0.9, epsilon: 1e-05, center: false, scale: false}"),
        ("global_average_pooling2d: {}", "global_average_pooling2d: {}"),
        ("global_max_pooling2d:", "global_max_pooling2d: {}"),
        ("average_pooling2d: {}", "average_pooling2d: {pool_size: [2, 2], strides: [2, 2], padding: valid}"),
        ("average_pooling2d: {pool_size: 3, strides: [1, 2], padding: same}",
         "average_pooling2d: {pool_size: [3, 3], strides: [1, 2], padding: same}"),
        ("spatial_dropout2d: {rate: 0.1}", "spatial_dropout2d: {rate: 0.1}"),
        ("conv1d: {filters: 4}",
         "conv1d: {filters: 4, kernel_size: 3, strides: 1, padding: valid, activation: linear}"),
        ("conv1d: {filters: 4, kernel_size: 5, strides: 2, padding: same, activation: relu}",
         "conv1d: {filters: 4, kernel_size: 5, strides: 2, padding: same, activation: relu}"),
        ("conv1d: {filters: 4, padding: causal, activation: elu}",
         "conv1d: {filters: 4, kernel_size: 3, strides: 1, padding: causal, activation: elu}"),
        ("gru: {units: 6}",
         "gru: {units: 6, return_sequences: false, activation: tanh, recurrent_activation: sigmoid, "
            + "reset_after: true}"),
        ("gru: {units: 6, return_sequences: true, activation: relu, recurrent_activation: hard_sigmoid, "
            + "reset_after: true}",
         "gru: {units: 6, return_sequences: true, activation: relu, recurrent_activation: hard_sigmoid, "
            + "reset_after: true}"),
        ("lstm: {units: 4, dropout: 0.2}",
         "lstm: {units: 4, return_sequences: false, activation: tanh, recurrent_activation: sigmoid, dropout: 0.2}"),
        ("bidirectional: {gru: {units: 3, dropout: 0.25}}",
         "bidirectional: {gru: {units: 3, return_sequences: false, activation: tanh, recurrent_activation: sigmoid, "
            + "reset_after: true, dropout: 0.25}, merge_mode: concat}"),
        ("bidirectional: {lstm: {units: 5}}",
         "bidirectional: {lstm: {units: 5, return_sequences: false, activation: tanh, recurrent_activation: sigmoid}, "
            + "merge_mode: concat}"),
        ("bidirectional: {gru: {units: 5, return_sequences: true}, merge_mode: ave}",
         "bidirectional: {gru: {units: 5, return_sequences: true, activation: tanh, recurrent_activation: sigmoid, "
            + "reset_after: true}, merge_mode: ave}"),
        ("reshape: {target_shape: [6, -1]}", "reshape: {target_shape: [6, -1]}"),
        ("max_pooling1d:", "max_pooling1d: {pool_size: 2, strides: 2, padding: valid}"),
        ("average_pooling1d: {pool_size: 3, strides: 1, padding: same}",
         "average_pooling1d: {pool_size: 3, strides: 1, padding: same}"),
        ("global_max_pooling1d: {}", "global_max_pooling1d: {}"),
        ("global_average_pooling1d:", "global_average_pooling1d: {}"),
        ("layer_normalization:", "layer_normalization: {epsilon: 0.001, center: true, scale: true}"),
        ("spatial_dropout1d: {rate: 0.2}", "spatial_dropout1d: {rate: 0.2}"),
        ("depthwise_conv2d:",
         "depthwise_conv2d: {kernel_size: [3, 3], strides: [1, 1], padding: valid, depth_multiplier: 1, activation: linear}"),
        ("depthwise_conv2d: {kernel_size: [3, 1], strides: 2, padding: same, depth_multiplier: 4, activation: relu}",
         "depthwise_conv2d: {kernel_size: [3, 1], strides: [2, 2], padding: same, depth_multiplier: 4, activation: relu}"),
        ("separable_conv2d: {filters: 8}",
         "separable_conv2d: {filters: 8, kernel_size: [3, 3], strides: [1, 1], padding: valid, depth_multiplier: 1, "
            + "activation: linear}"),
        ("separable_conv2d: {filters: 8, kernel_size: 5, padding: same, depth_multiplier: 2, activation: relu}",
         "separable_conv2d: {filters: 8, kernel_size: [5, 5], strides: [1, 1], padding: same, depth_multiplier: 2, "
            + "activation: relu}"),
        ("activation: {activation: relu}", "activation: {activation: relu}"),
        ("conv2d: {filters: 4, use_bias: false}",
         "conv2d: {filters: 4, kernel_size: [3, 3], strides: [1, 1], padding: valid, activation: linear, use_bias: false}"),
        ("dense: {units: 9, use_bias: true}", "dense: {units: 9, activation: linear}"),
        ("conv2d: {filters: 4, dilation_rate: 2, padding: same}",
         "conv2d: {filters: 4, kernel_size: [3, 3], strides: [1, 1], padding: same, activation: linear, "
            + "dilation_rate: [2, 2]}"),
        ("conv2d: {filters: 4, dilation_rate: [1, 1]}",
         "conv2d: {filters: 4, kernel_size: [3, 3], strides: [1, 1], padding: valid, activation: linear}"),
        ("conv1d: {filters: 4, padding: causal, dilation_rate: 4, use_bias: false}",
         "conv1d: {filters: 4, kernel_size: 3, strides: 1, padding: causal, activation: linear, use_bias: false, "
            + "dilation_rate: 4}"),
        ("dense: {units: 9, activation: relu, use_bias: false}", "dense: {units: 9, activation: relu, use_bias: false}"),
        ("conv1d: {filters: 4, use_bias: no}",
         "conv1d: {filters: 4, kernel_size: 3, strides: 1, padding: valid, activation: linear, use_bias: false}"),
        ("depthwise_conv2d: {use_bias: false}",
         "depthwise_conv2d: {kernel_size: [3, 3], strides: [1, 1], padding: valid, depth_multiplier: 1, activation: linear, "
            + "use_bias: false}"),
        ("separable_conv2d: {filters: 2, use_bias: false}",
         "separable_conv2d: {filters: 2, kernel_size: [3, 3], strides: [1, 1], padding: valid, depth_multiplier: 1, "
            + "activation: linear, use_bias: false}"),
        ("activation: {activation: softmax}", "activation: {activation: softmax}"),
        ("permute: {dims: [2, 1]}", "permute: {dims: [2, 1]}"),
        ("gaussian_noise: {stddev: 0.1}", "gaussian_noise: {stddev: 0.1}"),
        ("gaussian_dropout: {rate: 0.3}", "gaussian_dropout: {rate: 0.3}"),
        ("zero_padding2d:", "zero_padding2d: {padding: [[1, 1], [1, 1]]}"),
        ("zero_padding2d: {padding: [1, [0, 2]]}", "zero_padding2d: {padding: [[1, 1], [0, 2]]}"),
        ("cropping2d: {cropping: [[2, 0], [1, 1]]}", "cropping2d: {cropping: [[2, 0], [1, 1]]}"),
        ("cropping2d: {cropping: 1}", "cropping2d: {cropping: [[1, 1], [1, 1]]}"),
    ]

    static func config(_ entries: [String]) -> String {
        "model:\n  layers:\n" + entries.map { "    - \($0)\n" }.joined()
    }

    static func parse(_ text: String) throws -> ExperimentConfig {
        try ExperimentConfig.parse(text, file: "cfg/catalog.yaml", defaultName: "catalog")
    }

    func testEveryCatalogTypeDecodesPrintsAndDecodesBackEqual() throws {
        let decoded = try Self.parse(Self.config(Self.examples.map(\.entry)))
        XCTAssertEqual(decoded.model.layers.map(\.yamlEntry), Self.examples.map(\.printed))
        var back = try Self.parse(decoded.yaml())
        back.name = decoded.name
        back.source = decoded.source
        XCTAssertEqual(back, decoded)
        XCTAssertEqual(back.yaml(), decoded.yaml(), "the printed form is canonical")
        for (spec, example) in zip(decoded.model.layers, Self.examples) {
            let again = try Self.parse(Self.config([spec.yamlEntry])).model.layers[0]
            XCTAssertTrue(again.isEqual(to: spec), example.entry)
            let allowed = LayerCatalog.types.first { $0.typeName == spec.typeName }?.keys ?? []
            for key in spec.arguments.map(\.key) {
                XCTAssertTrue(allowed.contains(key), "\(spec.typeName) prints `\(key)`, which it does not accept")
            }
        }
        let covered = Set(decoded.model.layers.map(\.typeName))
        XCTAssertEqual(covered, Set(LayerCatalog.typeNames), "every catalog type needs an example here")
    }

    /// `parameterCount(for:)`, which the parameter budget counts before anything is allocated, equals
    /// the built layer's parameter count for every example of every catalog type (on an image, a
    /// sequence or a row, whichever the layer takes).
    func testEveryLayerCountsItsParametersBeforeItIsBuilt() throws {
        var counted: Set<String> = []
        for example in Self.examples {
            let spec = try Self.parse(Self.config([example.entry])).model.layers[0]
            for shape in [[9, 13, 4], [9, 13], [12]] {
                let layer = spec.makeLayer(LayerContext(classes: 3, seed: 1))
                guard (try? layer.outputShape(for: shape)) != nil else { continue }
                let before = layer.parameterCount(for: shape)
                var rng = RandomGenerator(seed: 2)
                try layer.build(inputShape: shape, using: &rng)
                XCTAssertEqual(before, layer.parameterCount, "\(example.entry) on \(shape)")
                counted.insert(spec.typeName)
            }
        }
        XCTAssertEqual(counted, Set(LayerCatalog.typeNames), "every type counted on some input")
    }

    /// A network whose parameters this machine could not train is one error naming the layer before
    /// anything is allocated or read (it crashed allocating 4 TiB).
    func testAModelTooLargeForMemoryIsAnErrorNamingTheLayer() throws {
        let config = try Self.parse(Self.config(["flatten:", "dense: {units: 1048576}", "dense: {units: 1048576}",
                                                 "dense: {units: classes, activation: softmax}"]))
        XCTAssertThrowsError(try config.checkLayerShapes()) { error in
            XCTAssertTrue("\(error)".hasPrefix("cfg/catalog.yaml:5: model.layers[2]: Dense on input [1048576]: dense (Dense) "
                                               + "would hold 1099512676352 parameters"), "\(error)")
            XCTAssertTrue("\(error)".contains("more than this machine's"), "\(error)")
        }
        XCTAssertThrowsError(try config.makeModel(classes: 3, seed: 1))
    }

    /// A network of few parameters whose activations this machine could not hold (a padding of 20,000
    /// rows: 382 GiB per batch of 32), or whose sizes or parameter counts overflow an Int, is one error naming
    /// the layer before anything is allocated (it aborted allocating, or trapped on the overflow);
    /// window sizes are at most 65,536, as conv1d's are.
    func testActivationsTooLargeOrOverflowingAreAnErrorNamingTheLayer() throws {
        let padded = try Self.parse(Self.config(["zero_padding2d: {padding: 20000}", "conv2d: {filters: 64, kernel_size: 1}",
                                                 "global_average_pooling2d: {}",
                                                 "dense: {units: classes, activation: softmax}"]))
        // the batch is checked when the training network is made (the data caps it), one example before
        XCTAssertThrowsError(try padded.makeModel(classes: 3, seed: 1, activationBatch: 32)) { error in
            XCTAssertTrue("\(error)".hasPrefix("cfg/catalog.yaml:3: model.layers[0]: ZeroPadding2D on input [9, 13, 1]: "
                                               + "zero_padding2d (ZeroPadding2D) holds 1600880117 values per example "
                                               + "(shape [40009, 40013, 1]): with a batch of 32, the activations up to it "
                                               + "need 381.7 GiB"), "\(error)")
            XCTAssertTrue("\(error)".contains("more than this machine's"), "\(error)")
        }
        let wider = try Self.parse(Self.config(["zero_padding2d: {padding: 65536}", "global_average_pooling2d: {}",
                                                "dense: {units: classes, activation: softmax}"]))
        XCTAssertThrowsError(try wider.checkLayerShapes()) { error in       // 128 GiB for one example
            XCTAssertTrue("\(error)".contains("model.layers[0]: ZeroPadding2D on input [9, 13, 1]: zero_padding2d "
                                              + "(ZeroPadding2D) holds 17182752885 values per example"), "\(error)")
        }
        // two kernels within the bounds whose product overflows: refused, not a trap
        let kernels = try Self.parse(Self.config(["conv2d: {filters: 65536, kernel_size: 1}",
                                                  "conv2d: {filters: 65536, kernel_size: [65536, 65536], padding: same}",
                                                  "flatten:", "dense: {units: classes, activation: softmax}"]))
        XCTAssertThrowsError(try kernels.checkLayerShapes()) { error in
            XCTAssertTrue("\(error)".contains("model.layers[1]"), "\(error)")
        }
        let reshaped = try Self.parse(Self.config(["reshape: {target_shape: [65536, 65536, 65536, 65536]}", "flatten:",
                                                   "dense: {units: classes, activation: softmax}"]))
        XCTAssertThrowsError(try reshaped.checkLayerShapes()) { error in
            XCTAssertTrue("\(error)".contains("model.layers[0]: Reshape on input [9, 13, 1]: reshape (Reshape): target "
                                              + "shape [65536, 65536, 65536, 65536] holds more values than an Int counts"),
                          "\(error)")
        }
        for entry in ["conv2d: {filters: 4, kernel_size: 3, dilation_rate: [4611686018427387904, 1]}",
                      "conv2d: {filters: 4, kernel_size: [9223372036854775807, 1], padding: same}",
                      "max_pooling2d: {pool_size: [65537, 2], padding: same}",
                      "average_pooling2d: {pool_size: 2, strides: [9223372036854775807, 1], padding: same}"] {
            XCTAssertThrowsError(try Self.parse(Self.config([entry, "flatten:", "dense: {units: classes, activation: softmax}"]))) {
                XCTAssertTrue("\($0)".contains("is out of range [1, 65536]"), "\(entry): \($0)")
            }
        }
        var clip = try Self.parse("features: {kind: logmel, rate: 384000, n_mels: 512, n_fft: 1024, hop_length: 1, "
                                  + "input: clip, clip_seconds: 60}\n"
                                  + Self.config(["global_average_pooling2d: {}", "dense: {units: classes, activation: softmax}"]))
        clip.model.input = .image
        XCTAssertThrowsError(try clip.checkLayerShapes()) { error in
            XCTAssertTrue("\(error)".hasPrefix("cfg/catalog.yaml: features: the network's input holds"), "\(error)")
        }
    }

    /// The loss takes one probability per class and example: an output layer on an image or a
    /// sequence (no flatten, an LSTM with return_sequences) is a config error before any data is read
    /// (it passed the checks and trapped in the loss at the first step).
    func testAnOutputThatIsNotOneProbabilityPerClassIsAnError() throws {
        var image = try Self.parse(Self.config(["dense: {units: classes, activation: softmax}"]))
        var sequence = try Self.parse(Self.config(["lstm: {units: 4, return_sequences: true}",
                                                    "dense: {units: classes, activation: softmax}"]))
        sequence.model.input = .sequence
        for (config, index, shape) in [(image, 0, "[9, 13, 2]"), (sequence, 1, "[9, 2]")] {
            XCTAssertThrowsError(try config.checkLayerShapes()) { error in
                XCTAssertTrue("\(error)".hasPrefix("cfg/catalog.yaml:\(index + 3): model.layers[\(index)]: the output layer gives "
                                                   + "\(shape) per example, not one probability per class"), "\(error)")
            }
            XCTAssertThrowsError(try config.makeModel(classes: 3, seed: 1))
        }
        image.model.layers.insert(FlattenSpec(), at: 0)
        XCTAssertNoThrow(try image.checkLayerShapes())
    }

    func testTheCatalogListsExactlyTheTypesTheDecoderAccepts() throws {
        let names = LayerCatalog.typeNames
        XCTAssertEqual(names, ["conv2d", "max_pooling2d", "dropout", "flatten", "dense", "lstm", "time_distributed",
                               "batch_normalization", "global_average_pooling2d", "global_max_pooling2d",
                               "average_pooling2d", "spatial_dropout2d",
                               "conv1d", "gru", "bidirectional", "reshape", "max_pooling1d",
                               "average_pooling1d", "global_max_pooling1d", "global_average_pooling1d",
                               "layer_normalization", "spatial_dropout1d", "depthwise_conv2d", "separable_conv2d", "activation",
                               "permute", "gaussian_noise", "gaussian_dropout", "zero_padding2d", "cropping2d"])
        XCTAssertEqual(Set(names).count, names.count, "a type name is registered twice")
        XCTAssertThrowsError(try Self.parse(Self.config(["convolution: {filters: 4}"]))) { error in
            let known = "unknown layer type (known: \(names.joined(separator: ", ")))"
            XCTAssertTrue("\(error)".hasSuffix(known), "\(error)")
        }
        for example in Self.examples {
            let spec = try Self.parse(Self.config([example.entry])).model.layers[0]
            let name = String(example.entry.prefix { $0 != ":" })
            XCTAssertEqual(spec.typeName, name, "the decoder reads `\(name)` as the type registered under it")
        }
    }

    func testSpecsCompareByTypeAndArguments() {
        let pool3 = MaxPooling2DSpec(poolSize: (3, 3))
        XCTAssertTrue(pool3.isEqual(to: MaxPooling2DSpec(poolSize: (3, 3), strides: (3, 3))), "strides = pool_size")
        XCTAssertFalse(MaxPooling2DSpec().isEqual(to: MaxPooling2DSpec(strides: (1, 1))))
        XCTAssertFalse(DenseSpec(units: nil).isEqual(to: DenseSpec(units: 3)))
        XCTAssertFalse(DenseSpec(units: 3).isEqual(to: TimeDistributedSpec(DenseSpec(units: 3))))
        XCTAssertTrue(TimeDistributedSpec(DenseSpec(units: 3)).isEqual(to: TimeDistributedSpec(DenseSpec(units: 3))))
        XCTAssertFalse(TimeDistributedSpec(DenseSpec(units: 3)).isEqual(to: TimeDistributedSpec(DenseSpec(units: 4))))
        XCTAssertNotEqual(ModelConfig(layers: [FlattenSpec()]), ModelConfig(layers: [FlattenSpec(), FlattenSpec()]))
        XCTAssertNotEqual(ModelConfig(input: .sequence, layers: [FlattenSpec()]), ModelConfig(layers: [FlattenSpec()]))
    }

    func testAModelBuiltInCodeEqualsItsYAMLAndBuildsTheSameNetwork() throws {
        var code = ExperimentConfig(name: "catalog")
        code.model = ModelConfig(input: .sequence, layers: [
            LSTMSpec(units: 8, returnSequences: true), DropoutSpec(rate: 0.5),
            TimeDistributedSpec(DenseSpec(units: 4, activation: .relu)), FlattenSpec(),
            DenseSpec(units: nil, activation: .softmax),
        ])
        let text = Self.config(["lstm: {units: 8, return_sequences: true}", "dropout: {rate: 0.5}",
                                "time_distributed: {dense: {units: 4, activation: relu}}", "flatten: {}",
                                "dense: {units: classes, activation: softmax}"])
        var yaml = try Self.parse(text.replacingOccurrences(of: "model:\n", with: "model:\n  input: sequence\n"))
        yaml.source = ""
        XCTAssertEqual(code, yaml)
        let a = try code.makeModel(classes: 3, seed: 5), b = try yaml.makeModel(classes: 3, seed: 5)
        XCTAssertEqual(a.layers.map(\.kind), ["LSTM", "Dropout", "TimeDistributed", "Flatten", "Dense"])
        XCTAssertEqual(a.layers.map(\.kind), b.layers.map(\.kind))
        XCTAssertEqual(a.parameterCount, b.parameterCount)
        for (p, q) in zip(a.parameters, b.parameters) { XCTAssertEqual(p.value.data, q.value.data) }
    }

    func testASequenceModelWithTheRecurrentAndConv1DLayersBuildsFromYAML() throws {
        var code = ExperimentConfig(name: "catalog")
        code.model = ModelConfig(input: .sequence, layers: [
            Conv1DSpec(filters: 8, kernelSize: 3, padding: .same, activation: .relu),
            BidirectionalSpec(.gru(GRUSpec(units: 4, returnSequences: true))),
            BidirectionalSpec(.lstm(LSTMSpec(units: 3)), mergeMode: .sum),
            DenseSpec(units: nil, activation: .softmax),
        ])
        let text = Self.config(["conv1d: {filters: 8, padding: same, activation: relu}",
                                "bidirectional: {gru: {units: 4, return_sequences: true}}",
                                "bidirectional: {lstm: {units: 3}, merge_mode: sum}",
                                "dense: {units: classes, activation: softmax}"])
        var yaml = try Self.parse(text.replacingOccurrences(of: "model:\n", with: "model:\n  input: sequence\n"))
        yaml.source = ""
        XCTAssertEqual(code, yaml)
        let model = try yaml.makeModel(classes: 3, seed: 5)
        XCTAssertEqual(model.layers.map(\.kind), ["Conv1D", "Bidirectional", "Bidirectional", "Dense"])
        XCTAssertEqual(model.layerOutputShapes, [[9, 8], [9, 8], [3], [3]])
        XCTAssertEqual(model.namedParameters.map(\.name)[2...4].map { $0 },
                       ["bidirectional/forward_gru/kernel", "bidirectional/forward_gru/recurrent_kernel",
                        "bidirectional/forward_gru/bias"])
        XCTAssertThrowsError(try Self.parse(text).makeModel(classes: 3, seed: 5)) { error in
            XCTAssertTrue("\(error)".contains("model.layers[0]"), "\(error)")   // conv1d on an image input
        }
    }

    func testLayerArgumentMistakesNameTheKey() {
        let cases: [(String, [String])] = [
            ("conv2d: {kernel_size: 3}", ["cfg/catalog.yaml:3", "model.layers[0].conv2d", "needs `filters`"]),
            ("dropout: {rate: 1}", ["model.layers[0].dropout.rate", "must be below 1"]),
            ("dense: {units: many}", ["model.layers[0].dense.units", "expected an integer"]),
            ("lstm: {units: 4, return_sequences: maybe}", ["lstm.return_sequences", "expected true or false"]),
            // once decoded, then crashed building the layer (LSTM's precondition): now one error line
            ("lstm: {units: 4, activation: softmax}",
             ["model.layers[0].lstm.activation", "'softmax' is not one of linear, relu, tanh, sigmoid, hard_sigmoid"]),
            ("lstm: {units: 4, recurrent_activation: softmax}", ["lstm.recurrent_activation", "'softmax' is not one of"]),
            ("bidirectional: {lstm: {units: 4, activation: softmax}}", ["bidirectional.lstm.activation", "'softmax'"]),
            ("lstm: {units: 4, dropout: 1}", ["model.layers[0].lstm.dropout", "out of range"]),
            ("gru: {units: 4, recurrent_dropout: 0.2}", ["gru.recurrent_dropout", "unknown key"]),
            ("gru: {units: 4, activation: elu}", ["gru.activation", "'elu' is not one of linear, relu, tanh, sigmoid"]),
            ("dense: {units: 4, activation: gelu}", ["dense.activation", "'gelu' is not one of linear, relu, tanh, "
                                                     + "sigmoid, hard_sigmoid, softmax, elu, selu, softplus, softsign, "
                                                     + "leaky_relu, relu6"]),
            ("max_pooling2d: {padding: full}", ["max_pooling2d.padding", "'full' is not one of valid, same"]),
            ("flatten: {rate: 2}", ["model.layers[0].flatten.rate", "unknown key"]),
            // only the wrapped types are offered (an extra key listed every layer type)
            ("time_distributed: {lstm: {units: 4}}", ["model.layers[0].time_distributed.lstm",
                                                      "unknown layer type (known: dense)"]),
            ("time_distributed: {pool: {}}", ["time_distributed.pool", "unknown layer type (known: dense)"]),
            ("time_distributed: {dense: {units: 3}, extra: 1}", ["model.layers[0].time_distributed",
                                                                 "expected one layer as `type: {arguments}` (types: dense)"]),
            ("gru: {units: 4, reset_after: false}", ["model.layers[0].gru.reset_after", "only reset_after: true"]),
            ("gru: {units: 4, activation: softmax}", ["gru.activation", "'softmax' is not one of"]),
            ("conv1d: {filters: 4, kernel_size: [3, 3]}", ["conv1d.kernel_size", "expected an integer"]),
            ("conv1d: {filters: 4, padding: full}", ["conv1d.padding", "'full' is not one of valid, same, causal"]),
            ("bidirectional: {merge_mode: sum}", ["model.layers[0].bidirectional", "exactly one lstm or gru"]),
            ("bidirectional: {lstm: {units: 2}, gru: {units: 2}}", ["bidirectional", "exactly one lstm or gru"]),
            ("bidirectional: {dense: {units: 2}}", ["bidirectional.dense", "unknown key"]),
            ("bidirectional: {lstm: {units: 2}, merge_mode: max}", ["bidirectional.merge_mode", "'max' is not one of"]),
            ("bidirectional: {gru: {}}", ["bidirectional.gru", "needs `units`"]),
            ("reshape: {}", ["model.layers[0].reshape", "needs target_shape"]),
            ("reshape: {target_shape: [-1, -1]}", ["reshape.target_shape", "at most one -1"]),
            ("reshape: {target_shape: [4, 0]}", ["reshape.target_shape", "sizes >= 1"]),
            ("separable_conv2d: {kernel_size: 3}", ["model.layers[0].separable_conv2d", "needs `filters`"]),
            ("separable_conv2d: {filters: 4, depth_multiplier: 0}",
             ["separable_conv2d.depth_multiplier", "0 is out of range [1, 1024]"]),
            ("depthwise_conv2d: {filters: 4}", ["model.layers[0].depthwise_conv2d.filters", "unknown key"]),
            ("depthwise_conv2d: {dilation_rate: 2}", ["depthwise_conv2d.dilation_rate", "unknown key"]),
            ("depthwise_conv2d: {padding: causal}", ["depthwise_conv2d.padding", "'causal' is not one of valid, same"]),
            ("separable_conv2d: {filters: 4, activation: softmax2}", ["separable_conv2d.activation", "is not one of"]),
            ("activation: {}", ["model.layers[0].activation", "needs `activation`"]),
            ("activation: {activation: gelu}", ["model.layers[0].activation.activation", "'gelu' is not one of"]),
            ("activation: relu", ["model.layers[0].activation"]),
            ("dense: {units: 3, use_bias: maybe}", ["model.layers[0].dense.use_bias", "expected true or false"]),
            ("permute: {}", ["model.layers[0].permute", "needs dims"]),
            ("gaussian_noise: {}", ["model.layers[0].gaussian_noise", "needs `stddev`"]),
            ("gaussian_noise: {stddev: -0.1}", ["gaussian_noise.stddev", "out of range"]),
            ("gaussian_dropout: {rate: 1}", ["model.layers[0].gaussian_dropout.rate", "must be below 1"]),
            ("zero_padding2d: {padding: -1}", ["model.layers[0].zero_padding2d.padding", "out of range"]),
            ("zero_padding2d: {padding: [1, 2, 3]}", ["zero_padding2d.padding", "expected n, [rows, columns]"]),
            ("cropping2d: {cropping: [[1, 2, 3], 1]}", ["cropping2d.cropping[0]", "expected two integers"]),
            ("permute: {dims: [1, 3]}", ["model.layers[0].permute.dims", "must list each of 1 ... 2 once"]),
            ("permute: {dims: []}", ["model.layers[0].permute.dims", "is empty: list the example's axes"]),
            ("permute: {dims: [0, 1]}", ["permute.dims[0]", "out of range"]),
            ("conv1d: {filters: 4, dilation_rate: 0}", ["conv1d.dilation_rate", "0 is out of range"]),
            ("conv2d: {filters: 4, dilation_rate: [2, 2, 2]}", ["conv2d.dilation_rate", "expected two integers"]),
        ]
        for (entry, fragments) in cases {
            XCTAssertThrowsError(try Self.parse(Self.config([entry])), entry) { error in
                for f in fragments { XCTAssertTrue("\(error)".contains(f), "'\(error)' lacks '\(f)'") }
            }
        }
    }

    func testNormalizationAndPoolingArgumentMistakesNameTheKey() {
        let cases: [(String, [String])] = [
            ("batch_normalization: {momentum: 1.5}", ["model.layers[0].batch_normalization.momentum"]),
            ("batch_normalization: {epsilon: 0}", ["model.layers[0].batch_normalization.epsilon"]),
            ("batch_normalization: {axis: 1}", ["model.layers[0].batch_normalization.axis", "unknown key"]),
            ("global_max_pooling2d: {keepdims: true}", ["global_max_pooling2d.keepdims", "unknown key"]),
            ("average_pooling2d: {padding: full}", ["average_pooling2d.padding", "'full' is not one of valid, same"]),
            ("spatial_dropout2d: {}", ["model.layers[0].spatial_dropout2d", "needs `rate`"]),
            ("spatial_dropout2d: {rate: 1}", ["model.layers[0].spatial_dropout2d.rate", "must be below 1"]),
            ("max_pooling1d: {pool_size: [2, 2]}", ["model.layers[0].max_pooling1d.pool_size", "expected an integer"]),
            ("max_pooling1d: {pool_size: 0}", ["max_pooling1d.pool_size", "0 is out of range [1, 65536]"]),
            ("average_pooling1d: {strides: 0}", ["average_pooling1d.strides", "out of range"]),
            ("average_pooling1d: {padding: causal}", ["average_pooling1d.padding", "'causal' is not one of valid, same"]),
            ("max_pooling1d: {data_format: channels_first}", ["max_pooling1d.data_format", "unknown key"]),
            ("global_average_pooling1d: {keepdims: true}", ["global_average_pooling1d.keepdims", "unknown key"]),
            ("layer_normalization: {epsilon: 0}", ["model.layers[0].layer_normalization.epsilon"]),
            ("spatial_dropout1d: {}", ["model.layers[0].spatial_dropout1d", "needs `rate`"]),
            ("spatial_dropout1d: {rate: 1}", ["model.layers[0].spatial_dropout1d.rate", "must be below 1"]),
            ("layer_normalization: {axis: 1}", ["layer_normalization.axis", "unknown key"]),
            ("layer_normalization: {rms_scaling: true}", ["layer_normalization.rms_scaling", "unknown key"]),
        ]
        for (entry, fragments) in cases {
            XCTAssertThrowsError(try Self.parse(Self.config([entry])), entry) { error in
                for f in fragments { XCTAssertTrue("\(error)".contains(f), "'\(error)' lacks '\(f)'") }
            }
        }
    }

    func testANormalizedConvModelBuildsFromYAML() throws {
        let text = Self.config(["conv2d: {filters: 4, padding: same}", "batch_normalization: {momentum: 0.9}",
                                "spatial_dropout2d: {rate: 0.2}", "average_pooling2d: {}",
                                "global_max_pooling2d: {}", "dense: {units: classes, activation: softmax}"])
        let model = try Self.parse(text).makeModel(classes: 3, seed: 5)
        XCTAssertEqual(model.layers.map(\.kind), ["Conv2D", "BatchNormalization", "SpatialDropout2D",
                                                  "AveragePooling2D", "GlobalMaxPooling2D", "Dense"])
        XCTAssertEqual(model.namedState.map(\.name),
                       ["batch_normalization/moving_mean", "batch_normalization/moving_variance"])
        XCTAssertEqual((model.layers[1] as? BatchNormalization)?.momentum, 0.9)
        XCTAssertEqual(model.outputShape, [3])
    }

    /// A DS-CNN (depthwise-separable blocks, as keyword-spotting networks stack them) on MFCC windows;
    /// a depthwise kernel larger than its input is an error naming the layer before any data is read.
    func testADepthwiseSeparableModelBuildsFromYAML() throws {
        let text = Self.config(["conv2d: {filters: 8, padding: same, activation: relu}",
                                "depthwise_conv2d: {padding: same, activation: relu}",
                                "conv2d: {filters: 16, kernel_size: 1, activation: relu}",
                                "separable_conv2d: {filters: 16, padding: same, depth_multiplier: 2, activation: relu}",
                                "global_average_pooling2d:", "dense: {units: classes, activation: softmax}"])
        let model = try Self.parse(text).makeModel(classes: 3, seed: 5)
        XCTAssertEqual(model.layers.map(\.kind), ["Conv2D", "DepthwiseConv2D", "Conv2D", "SeparableConv2D",
                                                  "GlobalAveragePooling2D", "Dense"])
        XCTAssertEqual(model.layerOutputShapes, [[9, 13, 8], [9, 13, 8], [9, 13, 16], [9, 13, 16], [16], [3]])
        XCTAssertEqual(model.layers.map(\.parameterCount), [80, 80, 144, 288 + 512 + 16, 0, 51])
        let tooLarge = try Self.parse(Self.config(["depthwise_conv2d: {kernel_size: [10, 3]}", "flatten:",
                                                   "dense: {units: classes, activation: softmax}"]))
        XCTAssertThrowsError(try tooLarge.checkLayerShapes()) { error in
            XCTAssertTrue("\(error)".hasPrefix("cfg/catalog.yaml:3: model.layers[0]: DepthwiseConv2D on input [9, 13, 1]"),
                          "\(error)")
            XCTAssertTrue("\(error)".contains("gives an empty output"), "\(error)")
        }
    }

    /// A dilated causal stack (WaveNet / TCN) builds from YAML; dilation with strides, which Keras
    /// refuses, is an error naming the layer before any data is read.
    func testADilatedCausalStackBuildsFromYAML() throws {
        var config = try Self.parse(Self.config([
            "conv1d: {filters: 8, kernel_size: 2, padding: causal, dilation_rate: 1, activation: relu}",
            "conv1d: {filters: 8, kernel_size: 2, padding: causal, dilation_rate: 2, activation: relu}",
            "conv1d: {filters: 8, kernel_size: 2, padding: causal, dilation_rate: 4, activation: relu}",
            "global_max_pooling1d:", "dense: {units: classes, activation: softmax}"]))
        config.model.input = .sequence
        let model = try config.makeModel(classes: 3, seed: 5)
        XCTAssertEqual(model.layerOutputShapes, [[9, 8], [9, 8], [9, 8], [8], [3]])
        XCTAssertEqual(model.layers.compactMap { ($0 as? Conv1D)?.dilationRate }, [1, 2, 4])
        var strided = try Self.parse(Self.config(["conv1d: {filters: 4, strides: 2, dilation_rate: 2}", "flatten:",
                                                  "dense: {units: classes, activation: softmax}"]))
        strided.model.input = .sequence
        XCTAssertThrowsError(try strided.checkLayerShapes()) { error in
            XCTAssertTrue("\(error)".hasPrefix("cfg/catalog.yaml:3: model.layers[0]: Conv1D on input [9, 13]"), "\(error)")
            XCTAssertTrue("\(error)".contains("a dilated kernel takes strides 1"), "\(error)")
        }
    }

    /// A 1-D convolutional network on sequences with the four 1-D pools; a pool that does not fit its
    /// input is an error naming the layer's index in the file before any data is read.
    func testA1DPooledSequenceModelBuildsFromYAML() throws {
        let layers = ["conv1d: {filters: 8, kernel_size: 3, padding: same, activation: relu}", "max_pooling1d: {}",
                      "average_pooling1d: {pool_size: 3, strides: 1, padding: same}", "global_average_pooling1d:",
                      "dense: {units: classes, activation: softmax}"]
        var config = try Self.parse(Self.config(layers))
        config.model.input = .sequence
        let model = try config.makeModel(classes: 3, seed: 5)
        XCTAssertEqual(model.layers.map(\.kind), ["Conv1D", "MaxPooling1D", "AveragePooling1D", "GlobalAveragePooling1D",
                                                  "Dense"])
        XCTAssertEqual(model.layerOutputShapes, [[9, 8], [4, 8], [4, 8], [8], [3]])
        var tooLong = try Self.parse(Self.config(["max_pooling1d: {pool_size: 12}", "global_max_pooling1d:",
                                                  "dense: {units: classes, activation: softmax}"]))
        tooLong.model.input = .sequence
        XCTAssertThrowsError(try tooLong.checkLayerShapes()) { error in
            XCTAssertEqual("\(error)", "cfg/catalog.yaml:3: model.layers[0]: MaxPooling1D on input [9, 13]: "
                           + "max_pooling1d (MaxPooling1D): pool_size 12 is longer than the 9 input steps with "
                           + "padding valid")
        }
    }

    /// `yaml()` is hashed into every model file, so the shipped configs must keep printing the same text.
    func testShippedConfigHashesStayTheSame() throws {
        let expected = ["conv": "2ed5b71315b5b5db", "time": "13f5d8f5250c1786",
                        "conv_fbank": "9e325c865f5f049c", "conv_small": "171829b3f076d4e6"]
        for (name, hash) in expected {
            let c = try ExperimentConfig.load(contentsOf: ConfigTests.cfg.appendingPathComponent("\(name).yaml"))
            XCTAssertEqual(c.configHash, hash, name)
        }
    }
}
