#!/bin/sh
# Runs a short `bench` and a short `train` alternately N times each from one native release build and
# counts the runs that fail (docs/RELIABILITY.md, "Heap corruption investigation").
# Usage: scripts/stress-release.sh BUILD_DIR DATA_DIR N LOG
#   BUILD_DIR  the build's products (e.g. .build-rel/release from
#              `EARMARK_NATIVE=1 swift build -c release --scratch-path .build-rel`)
#   DATA_DIR   a folder for `train --demo quality` (the demo data is generated there on the first run)
# Every failing run's output is kept as LOG.fail-<kind>-<i>; the last line of LOG is the tally.
set -u
build=$1 data=$2 runs=$3 log=$4
bench_ok=0 bench_fail=0 train_ok=0 train_fail=0
: > "$log"
i=1
while [ "$i" -le "$runs" ]; do
    if "$build/bench" --only cnn,rnn --window-count 64 --batch-size 32 --warmup 0 --repeats 1 \
        > "$log.out" 2>&1; then
        bench_ok=$((bench_ok + 1))
    else
        echo "bench run $i failed (status $?)" >> "$log"; cp "$log.out" "$log.fail-bench-$i"
        bench_fail=$((bench_fail + 1))
    fi
    if "$build/train" --mode conv --demo quality --epochs 1 --data "$data" --quiet > "$log.out" 2>&1; then
        train_ok=$((train_ok + 1))
    else
        echo "train run $i failed (status $?)" >> "$log"; cp "$log.out" "$log.fail-train-$i"
        train_fail=$((train_fail + 1))
    fi
    echo "after $i: bench ok $bench_ok failed $bench_fail, train ok $train_ok failed $train_fail" >> "$log"
    i=$((i + 1))
done
rm -f "$log.out"
