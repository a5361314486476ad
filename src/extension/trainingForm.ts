// The start-round form, shown at the top of the dataset's round dashboard before a round trains:
// backend, objective, β, γ, learning rate and epochs, filled in with the defaults the export would
// use (roundExport.ts trainingDefaults, over the itool.trainer.* settings), all in view at once,
// checked on every edit by the one validation in the core (trainingForm.ts checkTraining), with
// Start and Cancel. Why a webview form and not a multi-step quick input: the numbers depend on one
// another (the objective sets β's default and whether γ applies; the backend which objectives and
// whether a learning rate exists), which a sequence of single questions hides; and the dashboard
// it sits on is where the round's loss curve then grows, so the settings and the training stay in
// one view. The page only reports what is typed; the host decides what is valid.
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { localTrainerOutputs } from '../core/rounds/localTrainer';
import { allTrainingDefaults, ROUND_BACKENDS, trainingDefaults, type RoundBackend, type TrainerSettings } from '../core/rounds/roundExport';
import { BACKEND_OBJECTIVES, checkTraining, formValues, OBJECTIVE_LABELS, objectiveFor, TRAINING_OBJECTIVES, type TrainingBackendChoice, type TrainingFormInit, type TrainingFormValues } from '../core/rounds/trainingForm';
import type { RoundTraining } from '../core/rounds/types';
import type { ToHost } from '../../webview/dashboard/protocol';
import type { RoundDashboard } from './roundDashboard';

export const BACKEND_INFO: Record<RoundBackend, { label: string; detail: string }> = {
  llamafactory: { label: 'LLaMA-Factory', detail: 'llamafactory-cli train (stage: dpo, LoRA); several GPUs or nodes through its torchrun variables' },
  trl: { label: 'TRL', detail: 'accelerate launch of a small CPOTrainer (SimPO) / DPOTrainer / ORPOTrainer script' },
  openai: { label: 'OpenAI fine-tuning', detail: 'a preference fine-tuning job (method: dpo) on the configured fine-tuning API' },
  local: { label: 'Local (PyTorch on this machine)', detail: 'the project’s own trainer, for the small models it made (the demo model, itool loop); the result is an ONNX model' },
};

/** What the host knows before the form opens: the round, its pairs, the settings, the key. */
export interface FormContext {
  round: number;
  datasetPath: string;
  pairs: TrainingFormInit['pairs'];
  settings: TrainerSettings;
  /** itool.trainer.backend. */
  backend: RoundBackend;
  hasApiKey: boolean;
}

/** Why a backend cannot start with these settings, or undefined. */
export function backendProblem(b: RoundBackend, c: Pick<FormContext, 'settings' | 'hasApiKey'>): string | undefined {
  const s = c.settings;
  if (b === 'local') {
    const dir = s.local?.modelDir;
    if (!dir) return 'the local trainer continues the policy model itself: set itool.policy.onnx.modelDir to a model the project made (the demo model, an itool loop model)';
    if (!existsSync(localTrainerOutputs(dir).weightsPath)) return `${dir} has no model.pt: the local trainer trains the models the project made; use LLaMA-Factory or TRL for others`;
    return undefined;
  }
  if (!s.baseModel) return b === 'openai' ? 'set itool.trainer.baseModel to the OpenAI model to fine-tune' : 'set itool.trainer.baseModel (a local folder or a Hugging Face id): the trainer starts from it';
  if (b === 'openai' && !c.hasApiKey) return "no fine-tuning API key: run 'iTool: Set Fine-Tuning API Key' first";
  return undefined;
}

/** The form filled in: the backend setting, the objective setting (or the backend's first), their defaults. */
export function trainingFormInit(c: FormContext): TrainingFormInit {
  const objective = objectiveFor(c.backend, c.settings.prefLoss);
  const backends: TrainingBackendChoice[] = ROUND_BACKENDS.map((id) => {
    const problem = backendProblem(id, c);
    return { id, ...BACKEND_INFO[id], ...(problem ? { problem } : {}) };
  });
  return {
    round: c.round,
    datasetName: basename(c.datasetPath),
    pairs: c.pairs,
    ...(c.settings.baseModel ? { baseModel: c.settings.baseModel } : {}),
    backends,
    objectives: TRAINING_OBJECTIVES.map((id) => ({ id, label: OBJECTIVE_LABELS[id] })),
    allowed: Object.fromEntries(ROUND_BACKENDS.map((b) => [b, [...BACKEND_OBJECTIVES[b]]])) as TrainingFormInit['allowed'],
    defaults: allTrainingDefaults(),
    values: formValues(c.backend, objective, trainingDefaults(c.backend, objective)),
  };
}

/** The form's side of the dashboard: what the page is shown again after it was hidden, and its messages. */
export interface FormHost {
  init(): TrainingFormInit;
  onMessage(m: Extract<ToHost, { type: 'formChanged' | 'formStart' | 'formCancel' }>): void;
  /** The dashboard closed (or another form replaced this one). */
  closed(): void;
}

/**
 * Show the form on `dash`; `start` exports and launches with the checked settings and returns an
 * error to show in the form, or undefined once the round has started. Resolves true once started,
 * false when cancelled or closed.
 */
export function askTraining(dash: RoundDashboard, init: TrainingFormInit, start: (backend: RoundBackend, training: RoundTraining) => Promise<string | undefined>): Promise<boolean> {
  return new Promise((resolve) => {
    let values: TrainingFormValues = init.values;
    let busy = false;
    let done = false;
    const finish = (started: boolean) => {
      if (done) return;
      done = true;
      dash.setForm(undefined, host);
      resolve(started);
    };
    const check = (v: TrainingFormValues) => {
      const c = checkTraining(v, init.defaults);
      const problem = init.backends.find((b) => b.id === v.backend)?.problem;
      if (problem) c.errors.backend = problem;
      return c;
    };
    const host: FormHost = {
      init: () => ({ ...init, values }),
      onMessage: (m) => {
        if (done) return;
        if (m.type === 'formCancel') {
          if (busy) return;
          void dash.post({ type: 'formState', state: 'closed' });
          finish(false);
          return;
        }
        values = m.values;
        const c = check(values);
        if (m.type === 'formChanged') {
          void dash.post({ type: 'formErrors', errors: c.errors });
          return;
        }
        if (busy) return;
        if (!c.training || !c.backend || Object.keys(c.errors).length) {
          void dash.post({ type: 'formErrors', errors: c.errors, message: 'Fix the marked settings to start.' });
          return;
        }
        busy = true;
        void dash.post({ type: 'formState', state: 'starting' });
        void start(c.backend, c.training).then(
          (error) => {
            busy = false;
            if (error === undefined) {
              void dash.post({ type: 'formState', state: 'closed' });
              finish(true);
            } else void dash.post({ type: 'formErrors', errors: {}, message: error });
          },
          (err: unknown) => {
            busy = false;
            void dash.post({ type: 'formErrors', errors: {}, message: err instanceof Error ? err.message : String(err) });
          },
        );
      },
      closed: () => finish(false),
    };
    dash.setForm(host);
  });
}
