// The start-round form's model, without VS Code and without Node (the dashboard's protocol carries
// these shapes as they are): which objectives each backend can train, what the form's fields hold
// (text as typed), and the one validation of it. The extension validates every change the page
// reports and again on Start, so the page never decides on its own what is valid. The defaults
// themselves come from roundExport.ts (trainingDefaults), next to the export that uses them.
import type { RoundTraining, TrainerBackendId, TrainingObjective } from './types';

export const TRAINING_OBJECTIVES: readonly TrainingObjective[] = ['simpo', 'sigmoid', 'orpo', 'ipo'];

export const OBJECTIVE_LABELS: Readonly<Record<TrainingObjective, string>> = {
  simpo: 'SimPO',
  sigmoid: 'DPO (sigmoid)',
  orpo: 'ORPO',
  ipo: 'IPO',
};

/**
 * What each trainer can run: LLaMA-Factory (pref_loss) and TRL (CPO/DPO/ORPO trainers) all four;
 * OpenAI's fine-tuning has DPO only; the project's own trainer SimPO and DPO (preference.py).
 */
export const BACKEND_OBJECTIVES: Readonly<Record<TrainerBackendId, readonly TrainingObjective[]>> = {
  llamafactory: TRAINING_OBJECTIVES,
  trl: TRAINING_OBJECTIVES,
  openai: ['sigmoid'],
  local: ['simpo', 'sigmoid'],
};

/** The backend's objective for a preferred one (the setting): that one when it can train it, else its first. */
export function objectiveFor(backend: TrainerBackendId, preferred: TrainingObjective | undefined): TrainingObjective {
  const allowed = BACKEND_OBJECTIVES[backend];
  return preferred && allowed.includes(preferred) ? preferred : allowed[0];
}

export type TrainingField = 'backend' | 'objective' | 'beta' | 'gamma' | 'learningRate' | 'epochs';
export const TRAINING_FIELDS: readonly TrainingField[] = ['backend', 'objective', 'beta', 'gamma', 'learningRate', 'epochs'];

/** The form as the page holds it: every field as text, as typed. */
export type TrainingFormValues = Record<TrainingField, string>;
/** A message per field that is wrong; no key = fine. */
export type TrainingFormErrors = Partial<Record<TrainingField, string>>;

/** The numbers a backend and objective start from, and which of them the trainer takes at all. */
export interface TrainingDefaults {
  beta: number;
  /** null: the objective has no γ (only SimPO has one). */
  gamma: number | null;
  /** null: the trainer picks its own (OpenAI's service). */
  learningRate: number | null;
  epochs: number;
  /** Where these numbers come from, said beside the fields. */
  source: string;
}

export interface TrainingBackendChoice {
  id: TrainerBackendId;
  label: string;
  detail: string;
  /** Why this backend cannot start now (no base model, no key, no model to continue), or absent. */
  problem?: string;
}

/** What the page needs to show the form. */
export interface TrainingFormInit {
  round: number;
  datasetName: string;
  /** Pairs the round trains on, and those left out as still pending. */
  pairs: { accepted: number; manual: number; pending: number };
  /** itool.trainer.baseModel, or absent. */
  baseModel?: string;
  backends: TrainingBackendChoice[];
  objectives: { id: TrainingObjective; label: string }[];
  allowed: Record<TrainerBackendId, TrainingObjective[]>;
  /** Per backend, per objective it allows. */
  defaults: Record<TrainerBackendId, Partial<Record<TrainingObjective, TrainingDefaults>>>;
  /** The values the form opens with (the defaults, or what was typed before the page was hidden). */
  values: TrainingFormValues;
}

/** A number as the form writes it: 1e-6 rather than 0.000001. */
export function formatNumber(v: number): string {
  return v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential() : String(v);
}

/** The form's values for a backend and objective: the defaults, written as the form writes numbers. */
export function formValues(backend: TrainerBackendId, objective: TrainingObjective, d: TrainingDefaults): TrainingFormValues {
  return {
    backend,
    objective,
    beta: formatNumber(d.beta),
    gamma: d.gamma === null ? '' : formatNumber(d.gamma),
    learningRate: d.learningRate === null ? '' : formatNumber(d.learningRate),
    epochs: String(d.epochs),
  };
}

/** A decimal or scientific number, nothing else (Number() would take '', '0x10' and 'Infinity'). */
const NUMBER_RE = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function parse(text: string): number | undefined {
  const t = text.trim();
  return NUMBER_RE.test(t) ? Number(t) : undefined;
}

export interface TrainingCheck {
  errors: TrainingFormErrors;
  /** The settings, when nothing is wrong. */
  training?: RoundTraining;
  backend?: TrainerBackendId;
}

/**
 * Check the form. β > 0; γ ≥ 0 (SimPO only); 0 < learning rate < 1 (where the trainer takes one);
 * epochs a whole number ≥ 1; the objective one the backend trains. Each message says what is wrong
 * and what would do. `defaults` says which fields the chosen backend and objective take at all.
 */
export function checkTraining(v: TrainingFormValues, defaults: TrainingFormInit['defaults']): TrainingCheck {
  const errors: TrainingFormErrors = {};
  const backend = v.backend as TrainerBackendId;
  if (!(backend in BACKEND_OBJECTIVES)) return { errors: { backend: `unknown trainer backend ${JSON.stringify(v.backend)}` } };
  const objective = v.objective as TrainingObjective;
  const d = defaults[backend]?.[objective];
  if (!BACKEND_OBJECTIVES[backend].includes(objective) || !d) {
    return { errors: { objective: `${OBJECTIVE_LABELS[objective] ?? JSON.stringify(v.objective)} is not an objective ${backend} trains (it trains ${BACKEND_OBJECTIVES[backend].map((o) => OBJECTIVE_LABELS[o]).join(', ')})` } };
  }
  const beta = parse(v.beta);
  if (beta === undefined || !(beta > 0) || !Number.isFinite(beta)) errors.beta = `β must be a number greater than 0 (${OBJECTIVE_LABELS[objective]}'s default is ${formatNumber(d.beta)})`;
  let gamma: number | undefined;
  if (d.gamma !== null) {
    gamma = parse(v.gamma);
    if (gamma === undefined || !(gamma >= 0) || !Number.isFinite(gamma)) errors.gamma = `γ must be a number of 0 or more (the default is ${formatNumber(d.gamma)})`;
  }
  let learningRate: number | undefined;
  if (d.learningRate !== null) {
    learningRate = parse(v.learningRate);
    if (learningRate === undefined || !(learningRate > 0 && learningRate < 1)) errors.learningRate = `the learning rate must be a number between 0 and 1, both excluded, e.g. ${formatNumber(d.learningRate)}`;
  }
  const epochs = parse(v.epochs);
  if (epochs === undefined || !Number.isInteger(epochs) || epochs < 1) errors.epochs = 'epochs must be a whole number, 1 or more';
  if (Object.keys(errors).length) return { errors, backend };
  const training: RoundTraining = { objective, beta: beta!, ...(gamma !== undefined ? { gamma } : {}), ...(learningRate !== undefined ? { learningRate } : {}), epochs: epochs! };
  return { errors, training, backend };
}

/** "SimPO · β 2.5 · γ 0.5 · lr 1e-6 · 2 epochs": a round's settings in one line. */
export function trainingText(t: RoundTraining): string {
  return [
    OBJECTIVE_LABELS[t.objective] ?? String(t.objective),
    `β ${formatNumber(t.beta)}`,
    t.gamma !== undefined ? `γ ${formatNumber(t.gamma)}` : '',
    t.learningRate !== undefined ? `lr ${formatNumber(t.learningRate)}` : '',
    `${t.epochs} epoch${t.epochs === 1 ? '' : 's'}`,
  ]
    .filter(Boolean)
    .join(' · ');
}
