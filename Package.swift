// swift-tools-version:6.0
// Earmark: sound classification with CNNs and LSTMs on OpenBLAS (see README.md and docs/).
import PackageDescription

/// Release builds may use the machine's vector units for Swift loops (OpenBLAS picks its own kernels
/// at run time either way). Off by default so the binaries run on any x86-64; `make` turns it on.
let nativeFlags: [SwiftSetting] = Context.environment["EARMARK_NATIVE"] == "1"
    ? [.unsafeFlags(["-target-cpu", "native"], .when(configuration: .release))]
    : []

/// The command-line parser every executable uses.
let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")

let package = Package(
    name: "Earmark",
    products: [
        .library(name: "Tensor", targets: ["Tensor"]),
        .library(name: "Layers", targets: ["Layers"]),
        .library(name: "Audio", targets: ["Audio"]),
        .library(name: "Pipeline", targets: ["Pipeline"]),
        .library(name: "Classical", targets: ["Classical"]),
        .executable(name: "train", targets: ["Train"]),
        .executable(name: "predict", targets: ["Predict"]),
        .executable(name: "preprocess", targets: ["Preprocess"]),
        .executable(name: "bench", targets: ["Bench"]),
        .executable(name: "export", targets: ["Export"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        // MARK: C libraries (a module map and a shim header each)
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CSndfile", pkgConfig: "sndfile", providers: [.apt(["libsndfile1-dev"])]),
        .systemLibrary(name: "CFFTW", pkgConfig: "fftw3f", providers: [.apt(["libfftw3-dev"])]),
        .systemLibrary(name: "CSoxr", pkgConfig: "soxr", providers: [.apt(["libsoxr-dev"])]),
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),
        .systemLibrary(name: "CXSMM", pkgConfig: "libxsmm", providers: [.apt(["libxsmm-dev"])]),
        // -O2 in every build: the vectorised Adam kernel (AdamUpdate.c) is what the debug-built tests check too
        .target(name: "CSupport", path: "Sources/CSupport", exclude: ["README.md"],
                cSettings: [.unsafeFlags(["-O2"])], linkerSettings: [.linkedLibrary("mvec")]),

        // MARK: Libraries (arrows point down only: Pipeline -> Layers -> Tensor; Pipeline -> Audio, Classical;
        // Tensor and Audio -> Durable, the atomic file writer)
        // Every module a target imports is listed, even when another dependency already brings it.
        .target(name: "Durable", exclude: ["README.md"]),
        .target(name: "Tensor", dependencies: ["COpenBLAS", "CXSMM", "CSupport", "Durable"],
                exclude: ["README.md"], swiftSettings: nativeFlags),
        .target(name: "Layers", dependencies: ["Tensor", "CSupport"],
                exclude: ["README.md"], swiftSettings: nativeFlags),
        .target(name: "Audio", dependencies: ["CSndfile", "CFFTW", "CSoxr", "CSupport", "Durable"],
                exclude: ["README.md"], swiftSettings: nativeFlags),
        .target(name: "Pipeline",
                dependencies: ["Tensor", "Layers", "Audio", "Classical", "CSupport", "CMPI", "Durable",
                               .product(name: "Yams", package: "Yams")],
                exclude: ["README.md"], swiftSettings: nativeFlags),
        .target(name: "Classical", dependencies: ["Tensor"],
                exclude: ["README.md"], swiftSettings: nativeFlags),

        // MARK: ONNX export: the generated ONNX messages (scripts/generate-onnx-proto.sh) and the graph builder
        .target(name: "ONNXProto", dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")],
                exclude: ["README.md"]),
        .target(name: "ONNXExport",
                dependencies: ["ONNXProto", "Pipeline", "Layers", "Classical", "Tensor", "Durable",
                               .product(name: "SwiftProtobuf", package: "swift-protobuf")],
                exclude: ["README.md"]),

        // MARK: Executables (argument parsing and printing only)
        .executableTarget(name: "Train", dependencies: ["Pipeline", "Tensor", argumentParser],
                          exclude: ["README.md"]),
        .executableTarget(name: "Predict", dependencies: ["Pipeline", "Tensor", argumentParser],
                          exclude: ["README.md"]),
        .executableTarget(name: "Preprocess", dependencies: ["Pipeline", "Audio", "Tensor", "Durable", argumentParser],
                          exclude: ["README.md"]),
        .executableTarget(name: "Export", dependencies: ["ONNXExport", "Pipeline", "Tensor", "Durable", argumentParser],
                          exclude: ["README.md"]),
        .executableTarget(name: "Bench",
                          dependencies: ["Pipeline", "Layers", "Audio", "Classical", "Tensor", "Durable",
                                         "CSupport", argumentParser],
                          exclude: ["README.md"], swiftSettings: nativeFlags),

        // MARK: Tests
        .target(name: "TestSupport", dependencies: ["Tensor", "Layers"], path: "Tests/TestSupport"),
        .testTarget(name: "DurableTests", dependencies: ["Durable", "TestSupport"]),
        .testTarget(name: "TensorTests", dependencies: ["Tensor", "TestSupport"]),
        .testTarget(name: "LayersTests", dependencies: ["Layers", "Tensor", "CSupport", "TestSupport"]),
        .testTarget(name: "AudioTests", dependencies: ["Audio", "Tensor", "CSupport", "TestSupport"]),
        .testTarget(name: "PipelineTests",
                    dependencies: ["Pipeline", "Layers", "Audio", "Classical", "Tensor", "TestSupport"]),
        .testTarget(name: "ClassicalTests", dependencies: ["Classical", "Tensor", "TestSupport"]),
        .testTarget(name: "CLITests",
                    dependencies: ["Pipeline", "Classical", "Audio", "Tensor", "Durable", "ONNXExport", "TestSupport"]),
    ]
)
