#!/bin/sh
# Runs a short `bench` and a short `train` alternately, N times each, from one native release build, and
# counts the runs that fail (docs/RELIABILITY.md, "Heap corruption investigation").
# Usage: scripts/stress-release.sh BUILD_DIR DATA_DIR N LOG
#   BUILD_DIR  the build's products, e.g. .build-rel/release from
#              `EARMARK_NATIVE=1 swift build -c release --scratch-path .build-rel`
#   DATA_DIR   the folder `train --demo quality` works in (demo data generated on the first run) and where
#              cfg/tiny.yaml is written: a small CNN (conv2d, max pool, dense), one epoch
# bench: `memory-probe` (builds the reference CNN or, every other run, the reference RNN, one data-parallel
# replica per core, and trains one pass over 32 windows); train: `--mode tiny` on the demo data. Every failing
# run's output is kept as LOG.fail-<kind>-<i>; the last line of LOG is the tally.
set -u
build=$(cd "$1" && pwd) data=$2 runs=$3 log=$4
mkdir -p "$data/cfg"
cat > "$data/cfg/tiny.yaml" <<'YAML'
name: tiny
model:
  input: image
  layers:
    - conv2d: {filters: 2, kernel_size: [3, 3], padding: same, activation: relu}
    - max_pooling2d: {pool_size: [2, 2]}
    - flatten: {}
    - dense: {units: classes, activation: softmax}
training:
  epochs: 1
  batch_size: 16
split:
  test: 0.25
  validation: 0.25
YAML
cd "$data" || exit 1
bench_ok=0 bench_fail=0 train_ok=0 train_fail=0
: > "$log"
i=1
while [ "$i" -le "$runs" ]; do
    network=cnn; [ $((i % 2)) -eq 0 ] && network=rnn
    if "$build/bench" memory-probe --network "$network" --window-count 32 --batch-size 32 --passes 1 \
        > "$log.out" 2>&1; then
        bench_ok=$((bench_ok + 1))
    else
        echo "bench ($network) run $i failed (status $?)" >> "$log"; cp "$log.out" "$log.fail-bench-$i"
        bench_fail=$((bench_fail + 1))
    fi
    if "$build/train" --mode tiny --demo quality --data . --quiet > "$log.out" 2>&1; then
        train_ok=$((train_ok + 1))
    else
        echo "train run $i failed (status $?)" >> "$log"; cp "$log.out" "$log.fail-train-$i"
        train_fail=$((train_fail + 1))
    fi
    echo "after $i: bench ok $bench_ok failed $bench_fail, train ok $train_ok failed $train_fail" >> "$log"
    i=$((i + 1))
done
rm -f "$log.out"
