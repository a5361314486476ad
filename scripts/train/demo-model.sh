#!/usr/bin/env bash
# How demo/models/itool-tiny was made: the exact steps, in order (times measured on 2 CPU cores
# are in demo/models/itool-tiny/README.md). About an hour; run from the repository root after
# `npm run build`. Nothing here runs in `npm test`. STAGES=N sets the number of step-4 stages.
#
#   scripts/train/demo-model.sh [WORKDIR]      (default /tmp/itool-demo-model)
#
# 1. Corpus: 6,000 train samples with the tiny profile (short prompts; 60% under drilled names)
#    and the 200 held-out samples every evaluation uses, split by function (seed 3).
# 2. Warm-up: a new 1.72M-parameter model (4 layers, hidden 192, 1,024 positions), the
#    easy → medium → hard curriculum from its own calibration, 2 epochs, loss on every token.
# 3. Name drills: fresh train samples of the same split (the default profile's longer prompts,
#    every name drilled), loss on the answer only — first 4,000 of them (1 epoch), then those
#    again with 6,000 more, shuffled (1 epoch). This is where the model learns to copy a
#    function's name from its tool list, which the held-out functions need.
# 4. Requests over the train functions (issue 16): fresh train samples of the tiny profile in
#    stages of 8,000 (30% under drilled names, 70% under real names), loss on the answer only, one
#    epoch each at lr 4e-4, each stage from the last; STAGES of them (default 2).
# 5. Pack: float16 weights + the ONNX export into demo/models/itool-tiny.
set -euo pipefail
W=${1:-/tmp/itool-demo-model}
PY=${PYTHON:-/usr/bin/python3}
itool() { node dist/cli.js "$@"; }
train() { "$PY" scripts/train/itool_train.py "$@"; }
mkdir -p "$W"

itool synth -o "$W/corpus" --profile tiny --seed 3 --train 6000 --held-out 200
itool loop --train "$W/corpus/train/BFCL_v4_synth_train.json" --held-out "$W/corpus/heldout/BFCL_v4_synth_heldout.json" \
  -w "$W/warm" --rounds 0 --python "$PY" --warmup-epochs 2 --warmup-prompt-loss \
  --arch '{"layers":4,"hidden":192,"heads":4,"kv_heads":2,"ffn":512,"max_pos":1024}'

TOK="$W/warm/warmup/model"
itool synth -o "$W/drill1" --seed 3 --skip 6000 --train 4000 --held-out 0 --rename-share 1
itool train-data "$W/drill1/train/BFCL_v4_synth_train.json" --tokenizer "$TOK" -o "$W/drill1/sft.jsonl"
cat > "$W/drill1/sft.json" <<EOF
{"model_dir": "$TOK", "output_dir": "$W/drill1/model", "train_file": "$W/drill1/sft.jsonl", "epochs": 1, "learning_rate": 0.0005, "warmup_ratio": 0.02, "seed": 5, "threads": 2}
EOF
train sft --config "$W/drill1/sft.json"

itool synth -o "$W/drill2" --seed 3 --skip 10000 --train 6000 --held-out 0 --rename-share 1
itool train-data "$W/drill2/train/BFCL_v4_synth_train.json" --tokenizer "$TOK" -o "$W/drill2/new.jsonl"
cat "$W/drill1/sft.jsonl" "$W/drill2/new.jsonl" | shuf --random-source=<(yes) > "$W/drill2/sft.jsonl"
cat > "$W/drill2/sft.json" <<EOF
{"model_dir": "$W/drill1/model", "output_dir": "$W/drill2/model", "train_file": "$W/drill2/sft.jsonl", "epochs": 1, "learning_rate": 0.0005, "warmup_ratio": 0.02, "seed": 6, "threads": 2}
EOF
train sft --config "$W/drill2/sft.json"

# The stages started from the packed drill model (the demo model before issue 16: float16 weights, loaded as float32).
cat > "$W/pack-drill.json" <<EOF
{"model_dir": "$W/drill2/model", "output_dir": "$W/drill2/packed"}
EOF
train pack --config "$W/pack-drill.json"
PREV="$W/drill2/packed"
for k in $(seq 1 "${STAGES:-2}"); do
  S="$W/stage$k"
  itool synth -o "$S/corpus" --profile tiny --seed 3 --skip $((20000 + 8000 * (k - 1))) --train 8000 --held-out 0 --rename-share 0.3
  itool train-data "$S/corpus/train/BFCL_v4_synth_train.json" --tokenizer "$TOK" -o "$S/sft.jsonl"
  cat > "$S/sft.json" <<EOF
{"model_dir": "$PREV", "output_dir": "$S/model", "train_file": "$S/sft.jsonl", "epochs": 1, "learning_rate": 0.0004, "warmup_ratio": 0.02, "seed": $((10 + k)), "threads": 2}
EOF
  OMP_WAIT_POLICY=PASSIVE train sft --config "$S/sft.json"
  PREV="$S/model"
done

cat > "$W/pack.json" <<EOF
{"model_dir": "$PREV", "output_dir": "demo/models/itool-tiny"}
EOF
train pack --config "$W/pack.json"
