#!/usr/bin/env bash
# Data-parallel scaling on one host (BENCHMARKS.md, "Ranks"): trains the reference CNN (cfg/conv.yaml)
# for one epoch on the demo data, ROUNDS times, each round in three ways:
#   1 rank x 1 thread                 the baseline step (ms, whole epochs)
#   2 copies at once                  two independent 1-rank runs, pinned to cores 0 and 1, each on its
#                                     own copy of the data: what the host gives two copies of this work
#                                     (shared caches, memory, the VM's neighbours); "ceiling" is the
#                                     baseline over their mean step, times 2; "in step" is the baseline
#                                     over the slower copy's step, times 2: what a synchronous step, which
#                                     ends when the slower rank's does, could reach with free communication
#   2 ranks x 1 thread (mpirun)       the step, the allreduce per step, and the speed-up over the baseline
# and prints one line per round, then the medians.
# BATCH (default: the config's 32) trains cfg/conv.yaml with that global batch size instead, to see
# how scaling follows the work per step (fewer synchronisations per epoch).
# Usage: benchmarks/mpi_scaling.sh [DATA_DIR] [ROUNDS] [BATCH]   (after `EARMARK_NATIVE=1 swift build -c release`)
set -euo pipefail
data=${1:-/tmp/earmark-mpi-bench}; rounds=${2:-3}; batch=${3:-}
here=$(dirname "$0")
train=$here/../.build/release/train
export EARMARK_THREADS=1 OPENBLAS_NUM_THREADS=1
mpi_root=(); [ "$(id -u)" -ne 0 ] || mpi_root=(--allow-run-as-root)
copy=$(mktemp -d); trap 'rm -rf "$copy"' EXIT
model=(--mode conv)
if [ -n "$batch" ]; then
  sed -e "s/^  batch_size: 32$/  batch_size: $batch/" -e "s/^name: conv$/name: conv-batch$batch/" \
    "$here/../cfg/conv.yaml" > "$copy.yaml"
  grep -q "^  batch_size: $batch$" "$copy.yaml" || { echo "cfg/conv.yaml: no 'batch_size: 32' line to change" >&2; exit 2; }
  trap 'rm -rf "$copy" "$copy.yaml"' EXIT
  model=(--config "$copy.yaml")
fi
"$train" "${model[@]}" --data "$data" --epochs 1 > /dev/null      # demo data, clean files, feature cache
cp -r "$data"/. "$copy"                                           # the second copy's own runs/ and lock

# ms per step of whole epochs of one 1-rank run (EARMARK_STEP_PHASES prints it to 3 decimals)
one_rank() { EARMARK_STEP_PHASES=1 "$@" | sed -n 's/^step phases.*, step \([0-9.]*\) ms$/\1/p'; }

# the quotient of two arithmetic expressions (awk: no calculator package needed)
ratio() { awk "BEGIN {print ($1) / ($2)}"; }

ones=(); pairs=(); slowers=(); twos=()
for round in $(seq "$rounds"); do
  one=$(one_rank "$train" "${model[@]}" --data "$data" --epochs 1)
  first=$(mktemp); second=$(mktemp)
  one_rank taskset -c 0 "$train" "${model[@]}" --data "$data" --epochs 1 > "$first" &
  one_rank taskset -c 1 "$train" "${model[@]}" --data "$copy" --epochs 1 > "$second"
  wait
  pair=$(awk '{s += $1} END {print s / 2}' "$first" "$second")
  slower=$(awk '$1 > m {m = $1} END {print m}' "$first" "$second"); rm -f "$first" "$second"
  line=$(mpirun "${mpi_root[@]}" --oversubscribe --bind-to none -np 2 "$train" "${model[@]}" --data "$data" --epochs 1 \
         | grep -o 'allreduce per step.*' | tail -1)
  two=$(echo "$line" | sed -n 's/.*, step \([0-9.]*\) ms$/\1/p')
  allreduce=$(echo "$line" | sed -n 's/.*) \([0-9.]*\) ms per step.*/\1/p')
  ones+=("$one"); pairs+=("$pair"); slowers+=("$slower"); twos+=("$two")
  printf 'round %d: 1 rank %.2f ms/step; 2 copies at once %.2f ms/step each, the slower %.2f (ceiling %.2fx, in step %.2fx); ' \
    "$round" "$one" "$pair" "$slower" "$(ratio "2 * $one" "$pair")" "$(ratio "2 * $one" "$slower")"
  printf '2 ranks %.2f ms/step, allreduce %.3f ms (%.2fx)\n' "$two" "$allreduce" "$(ratio "$one" "$two")"
done
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
one=$(median "${ones[@]}"); pair=$(median "${pairs[@]}"); slower=$(median "${slowers[@]}"); two=$(median "${twos[@]}")
printf 'medians of %d rounds: 1 rank %.2f ms/step; 2 copies at once %.2f, the slower %.2f (ceiling %.2fx, in step %.2fx); 2 ranks %.2f (%.2fx)\n' \
  "$rounds" "$one" "$pair" "$slower" "$(ratio "2 * $one" "$pair")" "$(ratio "2 * $one" "$slower")" "$two" "$(ratio "$one" "$two")"
