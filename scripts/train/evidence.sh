#!/usr/bin/env bash
# The README's evidence table (issue 16), from the committed demo model: three rounds of iTool
# against (a) continued SFT with the same optimizer steps, (b) whole-response pairs, (c) random
# selection and (d) GRPO with the checker's reward at the search's number of policy samples, every
# variant scored on the same held-out samples, then the paired report (Wilson intervals, exact
# McNemar, paired bootstrap). Run from the repository root after `npm run build`; nothing here runs
# in `npm test`. Stage times are in the report; on the project's 2-core machine about an hour a seed.
#
#   scripts/train/evidence.sh [WORKDIR] [SEED…]      (default /tmp/itool-evidence, seed 1)
#
# Data (itool synth, seed 3, the demo model's split by function):
#   train     1,000 new requests over the train functions, real names (what a round calibrates,
#             selects and searches; none was in the model's training data: --skip past it all)
#   seen      400 held-out requests over the train functions (the split where the premise holds:
#             the model is mostly right and its wrong answers are mostly wrong at one fragment)
#   heldout   200 requests over unseen functions (demo/datasets/synth/heldout), reported for the
#             start and each variant's last round
set -euo pipefail
W=${1:-/tmp/itool-evidence}
shift || true
SEEDS=${*:-1}
PY=${PYTHON:-/usr/bin/python3}
itool() { node dist/cli.js "$@"; }
mkdir -p "$W"

[ -f "$W/data/manifest.json" ] || itool synth -o "$W/data" --profile tiny --seed 3 --skip 300000 --train 1000 --held-out 200 --seen 400 --rename-share 0
DIRS=()
for SEED in $SEEDS; do
  itool loop --train "$W/data/train/BFCL_v4_synth_train.json" --held-out "$W/data/seen/BFCL_v4_synth_seen.json" \
    -w "$W/seed$SEED" --python "$PY" --base-model demo/models/itool-tiny --variants itool,sft,whole,random,grpo \
    --rounds 3 --seed "$SEED" | tee "$W/seed$SEED.log"
  DIRS+=("$W/seed$SEED")
  # The unseen-function split for the start and each variant's last round (accuracy only).
  node -e 'const r = require(process.argv[1]).result; const last = {}; for (const x of r.rounds) last[x.variant] = x.model; console.log(["start " + r.warmup.model, ...Object.entries(last).map(([v, m]) => v + " " + m)].join("\n"))' "$W/seed$SEED/loop-results.json" |
    while read -r NAME MODEL; do
      itool loop --train "$W/data/heldout/BFCL_v4_synth_heldout.json" --held-out "$W/data/heldout/BFCL_v4_synth_heldout.json" \
        -w "$W/seed$SEED/unseen-$NAME" --python "$PY" --base-model "$MODEL" --rounds 0 > "$W/seed$SEED/unseen-$NAME.log"
      echo "unseen functions, seed $SEED, $NAME: $(grep -m1 'held-out accuracy' "$W/seed$SEED/unseen-$NAME.log" | sed 's/.*accuracy //')"
    done | tee "$W/seed$SEED/unseen.txt"
done
itool loop-report "${DIRS[@]}" | tee "$W/report.md"
