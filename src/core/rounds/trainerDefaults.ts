// The local trainer's defaults (scripts/train/): what itool_train.py uses for a key its config
// leaves out. The Python files own them (sft.py, preference.py, grpo.py `DEFAULTS`, preference.py
// `BETA`); this is their mirror for the TypeScript side, which writes its settings into the
// configs from here, so the loop, the local backend and a config written by hand train alike.
// test/unit/trainerDefaults.test.ts reads the Python literals and fails when the two disagree.
// null is Python's None (not set: the trainer decides, e.g. every step for max_steps).

export const TRAINER_DEFAULTS = {
  sft: {
    epochs: 1,
    max_steps: null,
    batch_size: 2,
    batch_tokens: 2048,
    grad_accum: 2,
    learning_rate: 1e-3,
    warmup_ratio: 0.05,
    weight_decay: 0.01,
    max_grad_norm: 1.0,
    logging_steps: 1,
    seed: 0,
    threads: null,
    export: true,
    prompt_loss: false,
  },
  pref: {
    loss: 'simpo',
    // null: PREF_BETA of the loss.
    beta: null,
    gamma: 0.5,
    sft_weight: 0.0,
    epochs: 2,
    max_steps: null,
    batch_size: 1,
    batch_tokens: 4096,
    grad_accum: 4,
    learning_rate: 1e-5,
    warmup_ratio: 0.1,
    weight_decay: 0.0,
    max_grad_norm: 1.0,
    logging_steps: 1,
    seed: 0,
    threads: null,
    export: true,
  },
  grpo: {
    loss_type: 'dapo',
    beta: 0.0,
    epochs: 1,
    max_steps: null,
    batch_size: 2,
    batch_tokens: 4096,
    grad_accum: 4,
    learning_rate: 1e-5,
    warmup_ratio: 0.1,
    weight_decay: 0.0,
    max_grad_norm: 1.0,
    logging_steps: 1,
    seed: 0,
    threads: null,
    export: true,
  },
} as const;

/** β per preference loss when the config sets none (preference.py BETA: SimPO's published 2.5, DPO's 0.1). */
export const PREF_BETA = { simpo: 2.5, dpo: 0.1 } as const;
