#!/bin/sh
# The goodput of a 100,000-GPU training job against its checkpoint interval, and of jobs from
# 1,024 to 100,000 GPUs at a 30-minute interval and at their own Young/Daly interval.
# Run from the repository root: examples/goodput-100k/run.sh [OUT_DIR]   (GIGASIM=path/to/gigasim)
set -eu
GIGASIM=${GIGASIM:-build/gigasim}
OUT=${1:-goodput-100k}
mkdir -p "$OUT"
"$GIGASIM" goodput --gpus 100000 --checkpoint-interval 30min --checkpoint-cost 1min --restart-time 10min \
  --sweep-interval 2min:4h:16 --sweep-gpus 1024:100000:8 -o "$OUT/goodput.h5" | tee "$OUT/goodput.txt"
PYTHONPATH=analysis /usr/bin/python3 -m gigasim_results goodput "$OUT/goodput.h5" -o "$OUT"
