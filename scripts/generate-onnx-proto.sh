#!/usr/bin/env bash
# Regenerates Sources/ONNXProto/onnx-ml.pb.swift, the Swift message types of the ONNX model format
# that `export` writes (ModelProto, GraphProto, NodeProto, TensorProto, ...), from onnx/onnx-ml.proto
# of the onnx PyPI package. Run by hand only when the ONNX version below changes; the generated file is
# committed, so neither protoc nor protoc-gen-swift is a build dependency.
#
# Needs: protoc (Debian's protobuf-compiler, installed here when missing), pip (to fetch the onnx
# wheel, read as a zip: nothing is installed) and protoc-gen-swift of the same swift-protobuf release
# the package depends on (1.39.0). Give its path in PROTOC_GEN_SWIFT, or let this script build it from
# a swift-protobuf checkout (SWIFT_PROTOBUF_SRC, a clone at tag 1.39.0; the release build takes ~10 min).
#
#   scripts/generate-onnx-proto.sh
set -euo pipefail

ONNX_VERSION=1.23.2
SWIFT_PROTOBUF_TAG=1.39.0
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/Sources/ONNXProto"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if ! command -v protoc >/dev/null; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -qq protobuf-compiler
fi

plugin="${PROTOC_GEN_SWIFT:-}"
if [ -z "$plugin" ]; then
  src="${SWIFT_PROTOBUF_SRC:-/tmp/swift-protobuf-$SWIFT_PROTOBUF_TAG}"
  if [ ! -d "$src" ]; then
    git clone -q --branch "$SWIFT_PROTOBUF_TAG" https://github.com/apple/swift-protobuf "$src"
  fi
  (cd "$src" && swift build -c release --product protoc-gen-swift)
  plugin="$src/.build/release/protoc-gen-swift"
fi

# The .proto files ship inside the onnx wheel (onnx/onnx-ml.proto: ONNX plus the ai.onnx.ml types).
pip download --no-deps --only-binary=:all: -q -d "$work" "onnx==$ONNX_VERSION"
python3 -m zipfile -e "$work"/onnx-"$ONNX_VERSION"-*.whl "$work/wheel"
mkdir -p "$work/proto/onnx"
cp "$work/wheel/onnx/onnx-ml.proto" "$work/proto/onnx/onnx-ml.proto"

# Public visibility: the messages are used by the ONNXExport module.
mkdir -p "$work/out"
protoc --plugin=protoc-gen-swift="$plugin" -I "$work/proto" \
  --swift_opt=Visibility=Public --swift_out="$work/out" "$work/proto/onnx/onnx-ml.proto"
mkdir -p "$out"
cp "$work/out/onnx/onnx-ml.pb.swift" "$out/onnx-ml.pb.swift"
echo "wrote $out/onnx-ml.pb.swift (onnx $ONNX_VERSION, swift-protobuf $SWIFT_PROTOBUF_TAG)"
