#!/usr/bin/env bash
# Post-processes a fine-tuned checkpoint into a release folder, stopping at the first failing step:
#   1. average  AMA of the base and the fine-tune (examples/configs/average.yaml)
#   2. prune    Wanda 50 % per row on the prose sample (examples/configs/prune-wanda.yaml)
#   3. verify   every file, NaN/Inf, and the SHA256SUMS checksums
#   4. inspect  what is being released
# Usage: examples/release-pipeline.sh OUT_DIR [BASE] [FINETUNED]
#   (defaults: examples/tiny-llama and examples/tiny-llama-code; run from anywhere)
# The configs give the options; the command line gives the models and outputs (flags override a
# config). SURGEON picks the surgeon to run (default: the launcher of this repository).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
surgeon=${SURGEON:-$root/surgeon}
configs=$root/examples/configs

if [ $# -lt 1 ] || [ $# -gt 3 ]; then
  echo "usage: $0 OUT_DIR [BASE] [FINETUNED]" >&2
  exit 2
fi
out=$1
base=${2:-$root/examples/tiny-llama}
finetuned=${3:-$root/examples/tiny-llama-code}
mkdir -p "$out"
work=$out/work
release=$out/release

# step NAME COMMAND...: runs one step; on failure names it and exits with the step's exit code
# (surgeon's: 2 usage, 3 invalid input, 4 I/O, 5 NaN/Inf).
step() {
  local name=$1
  shift
  echo "== $name" >&2
  "$@" || {
    local rc=$?
    echo "release-pipeline: step '$name' failed (exit $rc); stopping, nothing released" >&2
    exit "$rc"
  }
}

step average "$surgeon" average --config "$configs/average.yaml" "$base" "$finetuned" \
  -o "$work/averaged" --force --report "$work/average.json"
step prune "$surgeon" prune --config "$configs/prune-wanda.yaml" "$work/averaged" \
  --data "$root/examples/prose-sample.bin" -o "$release" --force --report "$work/prune.json"
if [ ! -f "$release/SHA256SUMS" ]; then
  step checksums "$surgeon" verify --write-sums "$release"
fi
step verify "$surgeon" verify "$release"
step inspect "$surgeon" inspect "$release"

echo "release folder: $(cd "$release" && pwd)"
