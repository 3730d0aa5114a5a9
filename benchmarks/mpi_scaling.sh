#!/usr/bin/env bash
# Data-parallel scaling on one host (BENCHMARKS.md, "Ranks"): trains the reference CNN (cfg/conv.yaml)
# for one epoch on the demo data, alternately as 1 rank x 1 thread and as 2 ranks x 1 thread
# (mpirun), ROUNDS times; prints each run's ms per step and, for 2 ranks, the allreduce ms per step.
# Usage: benchmarks/mpi_scaling.sh [DATA_DIR] [ROUNDS]   (after `EARMARK_NATIVE=1 swift build -c release`)
set -euo pipefail
data=${1:-/tmp/earmark-mpi-bench}; rounds=${2:-3}
train=$(dirname "$0")/../.build/release/train
export EARMARK_THREADS=1 OPENBLAS_NUM_THREADS=1
mpi_root=(); [ "$(id -u)" -ne 0 ] || mpi_root=(--allow-run-as-root)
"$train" --mode conv --data "$data" --epochs 1 > /dev/null        # demo data, clean files, feature cache
for round in $(seq "$rounds"); do
  one=$("$train" --mode conv --data "$data" --epochs 1 | grep -o '[0-9]*ms/step' | tail -1)
  two=$(mpirun "${mpi_root[@]}" --oversubscribe --bind-to none -np 2 "$train" --mode conv --data "$data" --epochs 1 \
        | grep -o 'allreduce.*' | tail -1)
  echo "round $round: 1 rank x 1 thread: $one; 2 ranks x 1 thread: $two"
done
