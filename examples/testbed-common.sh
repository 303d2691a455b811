# Sourced by the testbed-*.sh examples: finds ./surgeon and the testbed, splits eval/prose.bin into
# the evaluation half (first 32 KiB) and the calibration half (last 32 KiB) in $out, and defines
# nll MODEL -> "mean_nll perplexity" on the evaluation half at T = 128.
root=$(cd "$(dirname "$0")/.." && pwd -P)
surgeon="$root/surgeon"
shared=${SURGEON_SHARED:-"$root/../shared"}
tb="$shared/fixtures/testbed"
[ -d "$tb/base" ] || { echo "$(basename "$0"): no testbed at $tb" >&2; exit 1; }
out=${1:-$(mktemp -d)}
mkdir -p "$out"
head -c 32768 "$tb/eval/prose.bin" > "$out/eval-prose.bin"
tail -c 32768 "$tb/eval/prose.bin" > "$out/calib-prose.bin"

nll() { "$surgeon" eval "$1" --data "$out/eval-prose.bin" --seq-len 128 --json -q |
  python3 -c 'import json,sys; r=json.load(sys.stdin); print("%.4f %.3f" % (r["mean_nll"], r["perplexity"]))'; }
