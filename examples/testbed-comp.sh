#!/usr/bin/env bash
# testbed-comp: COMP structured pruning of the shared testbed's `base` at --ratio 0.2 (20% of all
# parameters removed) beside its ablations and the magnitude-norm neuron baseline, measured as
# held-out prose NLL with surgeon eval. Calibration uses the second half of eval/prose.bin (32
# windows of 128 bytes, COMP's default size) or the model's own samples (comp-self); the NLL is
# measured on the first half only. Nothing here is tuned to the testbed (1.2M parameters, 6 blocks).
#
# Usage: examples/testbed-comp.sh [OUT_DIR]   (needs ./surgeon built and ../shared)
set -euo pipefail
. "$(dirname "$0")/testbed-common.sh"
calib=(--data "$out/calib-prose.bin" --samples 32 --seq-len 128)

prune() { # name args...
  local name=$1; shift
  "$surgeon" prune "$tb/base" --ratio 0.2 -o "$out/$name" --force -q --report "$out/$name.json" "$@" > /dev/null
}

prune comp "${calib[@]}"
prune comp-self
prune comp-share1 --layer-share 1.0 "${calib[@]}"
prune comp-no-tune --no-tune "${calib[@]}"
prune comp-uniform --uniform "${calib[@]}"
prune comp-iterative --iterative "${calib[@]}"
prune magnitude-neurons --neuron-score magnitude --no-tune --layer-share 0 "${calib[@]}"
prune magnitude-tuned --neuron-score magnitude --layer-share 0 "${calib[@]}"

printf '%-18s %10s %7s %8s %9s %10s  %s\n' model params removed blocks NLL perplexity "calib NLL; MLP widths; MLP error before->after (mean)"
read -r n p < <(nll "$tb/base")
printf '%-18s %10s %7s %8s %9s %10s\n' dense "" 0 6 "$n" "$p"
for m in comp comp-self comp-share1 comp-no-tune comp-uniform comp-iterative magnitude-neurons magnitude-tuned; do
  read -r n p < <(nll "$out/$m")
  info=$(python3 - "$out/$m.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
s = r["summary"]
kept = [b for b in r["blocks"] if not b["removed"] and b["width_after"] < b["width_before"]]
eb = sum(b["error_before"] for b in kept) / max(1, len(kept))
ea = sum(b["error_after"] for b in kept) / max(1, len(kept))
fb = sum(1 for b in r["blocks"] if b["tuning"] == "fallback")
cal = s.get("calibration_nll")
print("%d|%.4f|%d|%s; %s; %.4f->%.4f%s" % (s["params_after"], s["ratio_removed"], s["blocks_after"],
      "%.4f" % cal if cal is not None else "-", " ".join(str(w) for w in s["widths"]), eb, ea,
      "; %d fallback" % fb if fb else ""))
PY
)
  IFS='|' read -r params removed blocks note <<< "$info"
  printf '%-18s %10s %7s %8s %9s %10s  %s\n' "$m" "$params" "$removed" "$blocks" "$n" "$p" "$note"
done
echo "outputs in $out"
