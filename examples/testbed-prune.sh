#!/usr/bin/env bash
# testbed-prune: what each pruning method does to the shared testbed's `base` at 60% sparsity (and
# 2:4), measured as held-out prose NLL with surgeon eval. Calibration (wanda, ecoflap) uses the
# second half of eval/prose.bin; the NLL is measured on the first half only, so no calibration byte
# is scored. Nothing here is tuned to the testbed; the model is tiny (1.2M parameters).
#
# Usage: examples/testbed-prune.sh [OUT_DIR]   (needs ./surgeon built and ../shared)
set -euo pipefail
. "$(dirname "$0")/testbed-common.sh"
calib=(--data "$out/calib-prose.bin" --samples 64 --seq-len 128)

prune() { # name args...
  local name=$1; shift
  "$surgeon" prune "$tb/base" -o "$out/$name" --force -q --report "$out/$name.json" "$@" > /dev/null
}

prune magnitude-row --method magnitude --ratio 0.6 --group row
prune magnitude-matrix --method magnitude --ratio 0.6 --group matrix
prune wanda-row --ratio 0.6 --method wanda "${calib[@]}"
prune wanda-matrix --ratio 0.6 --method wanda --group matrix "${calib[@]}"
prune ecoflap --ratio 0.6 --method ecoflap "${calib[@]}"
prune magnitude-2of4 --method magnitude --nm 2:4
prune wanda-2of4 --nm 2:4 --method wanda "${calib[@]}"

printf '%-18s %9s %9s %10s %s\n' model sparsity NLL perplexity note
read -r n p < <(nll "$tb/base")
printf '%-18s %9s %9s %10s\n' dense 0 "$n" "$p"
for m in magnitude-row magnitude-matrix wanda-row wanda-matrix ecoflap magnitude-2of4 wanda-2of4; do
  read -r n p < <(nll "$out/$m")
  note=$(python3 - "$out/$m.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
s = r["summary"]["sparsity"]
extra = []
if "nm_verified" in r:
    extra.append("2:4 verified" if r["nm_verified"] else "2:4 NOT verified")
if r.get("method") == "ecoflap":
    extra.append("blocks " + " ".join("%.3f" % x["sparsity"] for x in r["blocks"]))
print("%.4f|%s" % (s, "; ".join(extra)))
PY
)
  printf '%-18s %9s %9s %10s %s\n' "$m" "${note%%|*}" "$n" "$p" "${note#*|}"
done
echo "outputs in $out"
