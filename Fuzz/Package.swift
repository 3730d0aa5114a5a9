// swift-tools-version:5.4
// libFuzzer targets for Earmark's readers of untrusted files (docs/RELIABILITY.md, "Fuzzing").
// A separate package so that `swift build` and `make test` of Earmark never compile them; `make fuzz` builds
// them with `-sanitize=fuzzer,address -parse-as-library`: libFuzzer supplies `main`. Tools version 5.4 on
// purpose: from 5.5 on SwiftPM renames an executable's entry point to `<module>_main` (so tests can link
// executables) and links `main` to that name, which a libFuzzer target does not define.
import PackageDescription

/// The main package, named so the products below can refer to it from any checkout folder.
let earmark = "Earmark"

/// A fuzz target: one executable, its file calling the reader under test.
func fuzzTarget(_ name: String, _ products: [String]) -> Target {
    .executableTarget(name: name, dependencies: products.map { .product(name: $0, package: earmark) })
}

let package = Package(
    name: "EarmarkFuzz",
    dependencies: [.package(name: earmark, path: "..")],
    targets: [
        fuzzTarget("FuzzSafeTensors", ["Tensor", "Layers", "Pipeline"]),
        fuzzTarget("FuzzAudioDecoder", ["Audio"]),
        fuzzTarget("FuzzCSV", ["Pipeline"]),
        fuzzTarget("FuzzConfig", ["Pipeline"]),
    ]
)
