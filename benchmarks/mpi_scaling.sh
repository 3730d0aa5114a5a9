#!/usr/bin/env bash
# Data-parallel scaling on one host (BENCHMARKS.md, "Ranks"): trains the reference CNN (cfg/conv.yaml)
# for one epoch on the demo data, ROUNDS times, each round in three ways:
#   1 rank x 1 thread                 the baseline step (ms, whole epochs)
#   2 copies at once                  two independent 1-rank runs, pinned to cores 0 and 1, each on its
#                                     own copy of the data: what the host gives two copies of this work
#                                     (shared caches, memory, the VM's neighbours); "ceiling" is the
#                                     baseline over their mean step, times 2
#   2 ranks x 1 thread (mpirun)       the step, the allreduce per step, and the speed-up over the baseline
# and prints one line per round, then the medians.
# Usage: benchmarks/mpi_scaling.sh [DATA_DIR] [ROUNDS]   (after `EARMARK_NATIVE=1 swift build -c release`)
set -euo pipefail
data=${1:-/tmp/earmark-mpi-bench}; rounds=${2:-3}
train=$(dirname "$0")/../.build/release/train
export EARMARK_THREADS=1 OPENBLAS_NUM_THREADS=1
mpi_root=(); [ "$(id -u)" -ne 0 ] || mpi_root=(--allow-run-as-root)
"$train" --mode conv --data "$data" --epochs 1 > /dev/null        # demo data, clean files, feature cache
copy=$(mktemp -d); trap 'rm -rf "$copy"' EXIT
cp -r "$data"/. "$copy"                                           # the second copy's own runs/ and lock

# ms per step of whole epochs of one 1-rank run (EARMARK_STEP_PHASES prints it to 3 decimals)
one_rank() { EARMARK_STEP_PHASES=1 "$@" | sed -n 's/^step phases.*, step \([0-9.]*\) ms$/\1/p'; }

# the quotient of two arithmetic expressions (awk: no calculator package needed)
ratio() { awk "BEGIN {print ($1) / ($2)}"; }

ones=(); pairs=(); twos=()
for round in $(seq "$rounds"); do
  one=$(one_rank "$train" --mode conv --data "$data" --epochs 1)
  first=$(mktemp); second=$(mktemp)
  one_rank taskset -c 0 "$train" --mode conv --data "$data" --epochs 1 > "$first" &
  one_rank taskset -c 1 "$train" --mode conv --data "$copy" --epochs 1 > "$second"
  wait
  pair=$(awk '{s += $1} END {print s / 2}' "$first" "$second"); rm -f "$first" "$second"
  line=$(mpirun "${mpi_root[@]}" --oversubscribe --bind-to none -np 2 "$train" --mode conv --data "$data" --epochs 1 \
         | grep -o 'allreduce per step.*' | tail -1)
  two=$(echo "$line" | sed -n 's/.*, step \([0-9.]*\) ms$/\1/p')
  allreduce=$(echo "$line" | sed -n 's/.*) \([0-9.]*\) ms per step.*/\1/p')
  ones+=("$one"); pairs+=("$pair"); twos+=("$two")
  printf 'round %d: 1 rank %.2f ms/step; 2 copies at once %.2f ms/step each (ceiling %.2fx); ' \
    "$round" "$one" "$pair" "$(ratio "2 * $one" "$pair")"
  printf '2 ranks %.2f ms/step, allreduce %.3f ms (%.2fx)\n' "$two" "$allreduce" "$(ratio "$one" "$two")"
done
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
one=$(median "${ones[@]}"); pair=$(median "${pairs[@]}"); two=$(median "${twos[@]}")
printf 'medians of %d rounds: 1 rank %.2f ms/step; 2 copies at once %.2f (ceiling %.2fx); 2 ranks %.2f (%.2fx)\n' \
  "$rounds" "$one" "$pair" "$(ratio "2 * $one" "$pair")" "$two" "$(ratio "$one" "$two")"
