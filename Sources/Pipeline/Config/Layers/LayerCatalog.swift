// How to add a layer type
// -----------------------
// 1. Write the network layer in Sources/Layers/<Name>.swift (a `Layer` class; Sources/Layers/README.md
//    lists what a layer provides) with its tests in Tests/LayersTests/.
// 2. Add one spec file here, Sources/Pipeline/Config/Layers/<Name>Spec.swift: a struct conforming to
//    `DecodableLayerSpec` with its YAML `typeName` and `keys`, the defaults (init parameters), `decode`
//    (errors through `ConfigNode`, which names file, line and key), `arguments` (the printed form: every
//    key, defaults filled in, so that `--print-config` parses back to an equal config), `==` when a stored
//    property is not Equatable (tuples), and `makeLayer`.
// 3. Add the struct to `LayerCatalog.types` below: the only place a layer type is registered.
// 4. Add it to `LayerCatalogTests.examples` (Tests/PipelineTests/LayerCatalogTests.swift), which checks
//    that every type decodes, prints and decodes back equal; add tests for its error messages.
// Nothing else switches on layer types: decoding, printing, equality and `makeModel` go through the spec.
// Changing the printed form of an existing type changes the config hash stored in model files.

/// The layer types `model.layers` accepts, and decoding of one layer entry.
enum LayerCatalog {
    /// Every layer type, in the order the "unknown layer type" message lists them.
    static let types: [any DecodableLayerSpec.Type] = [
        Conv2DSpec.self,
        MaxPooling2DSpec.self,
        DropoutSpec.self,
        FlattenSpec.self,
        DenseSpec.self,
        LSTMSpec.self,
        TimeDistributedSpec.self,
        BatchNormalizationSpec.self,
        GlobalAveragePooling2DSpec.self,
        GlobalMaxPooling2DSpec.self,
        AveragePooling2DSpec.self,
        SpatialDropout2DSpec.self,
        Conv1DSpec.self,
        GRUSpec.self,
        BidirectionalSpec.self,
        ReshapeSpec.self,
        MaxPooling1DSpec.self,
        AveragePooling1DSpec.self,
        GlobalMaxPooling1DSpec.self,
        GlobalAveragePooling1DSpec.self,
        LayerNormalizationSpec.self,
        SpatialDropout1DSpec.self,
        DepthwiseConv2DSpec.self,
        SeparableConv2DSpec.self,
        ActivationSpec.self,
        PermuteSpec.self,
        GaussianNoiseSpec.self,
        GaussianDropoutSpec.self,
        ZeroPadding2DSpec.self,
        Cropping2DSpec.self,
    ]

    /// The YAML names of `types`.
    static var typeNames: [String] { types.map { $0.typeName } }

    /// Decodes one list entry `type: {arguments}`; an unknown type is an error listing the known ones.
    static func decode(_ node: ConfigNode) throws -> any LayerSpec {
        let (name, body) = try node.singleEntry(allowed: typeNames)
        guard let type = types.first(where: { $0.typeName == name }) else {
            preconditionFailure("singleEntry admits only catalog names")
        }
        return try type.decode(body)
    }
}
