// A round's first step, for every front door (the palette, `itool round start`): the pairs a
// round trains on (trainedPairs.ts), written for the chosen trainer into the round's folder
// (DATASET.itool/rounds/round-N/export-BACKEND), and the round recorded in the registry with what
// it used. Settings come in as parameters: the extension reads them from VS Code, the CLI from
// its flags. Nothing here asks anyone anything.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadCalibration } from '../calibrate/calibrate';
import type { CallRenderingSetting } from '../model/callRendering';
import { selectionPath } from '../calibrate/selectionFile';
import type { Dataset } from '../dataset/dataset';
import { exportPairs, type ExportPair, type PrefLoss, type SkippedRecord } from '../pairs/export/index';
import { AUTHORS_SIMPO, DEFAULT_BETA } from '../pairs/export/options';
import type { ExploreHeader } from '../search/explore';
import type { LlamaFactorySettings, TrlSettings } from './jobs/commands';
import { exportLocal, LOCAL_PREF_DEFAULTS } from './localExport';
import { localTrainerOutputs, type LocalTrainerSettings } from './localTrainer';
import { pplSummary, recordRound, roundDir } from './registry';
import type { PairCounts } from './trainedPairs';
import { BACKEND_OBJECTIVES, objectiveFor, type TrainingDefaults } from './trainingForm';
import { PREF_BETA } from './trainerDefaults';
import type { RoundRecord, RoundTraining, TrainerBackendId, TrainingObjective } from './types';

/** A trainer a round runs on: the three export targets, or the project's own trainer for the small models it made. */
export type RoundBackend = TrainerBackendId;
export const ROUND_BACKENDS: readonly RoundBackend[] = ['llamafactory', 'trl', 'openai', 'local'];

/** A round cannot start as asked: the message says what to do. */
export class RoundError extends Error {
  override name = 'RoundError';
}

/** What the trainers need, as the caller reads it (VS Code settings, CLI flags). */
export interface TrainerSettings {
  /** model_name_or_path for LLaMA-Factory and TRL; the model to fine-tune for OpenAI. */
  baseModel?: string;
  /** LLaMA-Factory's chat template; undefined: guessed from baseModel (the export warns when nothing names it). */
  template?: string;
  prefLoss?: PrefLoss;
  /**
   * The objective and numbers to train with (the start form's); what is left out is the backend's
   * default for the objective (trainingDefaults). `objective` wins over prefLoss.
   */
  training?: Partial<RoundTraining>;
  /** How calls are written: as calibration rendered them (default auto). */
  calls?: CallRenderingSetting;
  /**
   * The project's own trainer: the model it continues (a folder with model.pt), its Python, and
   * the root holding scripts/train/ (needed to launch, not to export).
   */
  local?: Partial<LocalTrainerSettings> & { modelDir?: string };
  llamafactory?: LlamaFactorySettings;
  trl?: TrlSettings;
  openai?: { baseURL?: string };
  /**
   * How the detached job runner starts; the spec path is appended (jobs/local.ts). The bundle's
   * dist/jobRunner.js under Node (inside VS Code with env ELECTRON_RUN_AS_NODE=1).
   */
  runner?: { command: string[]; env?: Record<string, string> };
}

/** The pairs a round trains on, with the queue's counts (TrainedPairs, or a panel's accepted()). */
export interface RoundPairs {
  pairs: readonly ExportPair[];
  counts: PairCounts;
  /** Hand-made pairs among them. */
  manual: number;
}

/** What a round used before training: recorded with it for the dashboard. */
export type RoundArtefacts = Pick<RoundRecord, 'calibration' | 'ppl' | 'selection' | 'explore'>;

export interface RoundExport {
  backend: RoundBackend;
  round: number;
  /** DATASET.itool/rounds/round-N. */
  roundDir: string;
  /** Where the trainer writes its model. */
  outputDir: string;
  /** The export's folder and its files, data first. */
  dir: string;
  files: string[];
  records: number;
  /** Pairs the trainer's format cannot say, with the reason. */
  skipped: SkippedRecord[];
  /** Things that make training wrong unless acted on (no chat template named): show them. */
  warnings: string[];
  notes: string[];
  /** The objective and numbers written into the trainer's config (also recorded with the round). */
  training: RoundTraining;
}

export interface ExportRoundOptions {
  backend: RoundBackend;
  round: number;
  /** The policy the round started from (its calibration and search ran with it). */
  policy: RoundRecord['policy'];
  settings: TrainerSettings;
  artefacts?: RoundArtefacts;
}

// The two lists of objectives are one: a PrefLoss the registry's type does not know fails to compile.
const _sameObjectives: [PrefLoss, TrainingObjective] extends [TrainingObjective, PrefLoss] ? true : never = true;
void _sameObjectives;

/**
 * The numbers a backend trains an objective with when none are given: the export's (options.ts:
 * the SimPO authors' β 2.5, γ 0.5, lr 1e-6, 2 epochs; β 0.1 for the other losses) for LLaMA-Factory
 * and TRL; OpenAI's DPO with the export's β and epochs (the service picks its learning rate); the
 * project's own trainer's (trainerDefaults.ts, LOCAL_PREF_DEFAULTS: lr 1e-5 for its small models).
 */
export function trainingDefaults(backend: RoundBackend, objective: TrainingObjective): TrainingDefaults {
  const gamma = (g: number) => (objective === 'simpo' ? g : null);
  if (backend === 'local') {
    const beta = PREF_BETA[objective === 'simpo' ? 'simpo' : 'dpo'];
    return { beta, gamma: gamma(LOCAL_PREF_DEFAULTS.gamma), learningRate: LOCAL_PREF_DEFAULTS.learning_rate, epochs: LOCAL_PREF_DEFAULTS.epochs, source: 'the project’s trainer (scripts/train/preference.py)' };
  }
  const source = objective === 'simpo' ? 'the SimPO authors’ run (METHOD.md)' : 'the usual DPO-family β, the authors’ rate and epochs';
  if (backend === 'openai') return { beta: DEFAULT_BETA.sigmoid, gamma: null, learningRate: null, epochs: AUTHORS_SIMPO.epochs, source: 'DPO’s usual β; OpenAI picks the learning rate' };
  return { beta: DEFAULT_BETA[objective], gamma: gamma(AUTHORS_SIMPO.simpoGamma), learningRate: AUTHORS_SIMPO.learningRate, epochs: AUTHORS_SIMPO.epochs, source };
}

/** Every backend's defaults for every objective it trains (the start form's table). */
export function allTrainingDefaults(): Record<RoundBackend, Partial<Record<TrainingObjective, TrainingDefaults>>> {
  return Object.fromEntries(ROUND_BACKENDS.map((b) => [b, Object.fromEntries(BACKEND_OBJECTIVES[b].map((o) => [o, trainingDefaults(b, o)]))])) as Record<RoundBackend, Partial<Record<TrainingObjective, TrainingDefaults>>>;
}

/**
 * The settings a round trains with: the given ones over the backend's defaults for the objective
 * (the given one, else prefLoss, else SimPO, moved to one the backend trains). Only the fields the
 * trainer takes: gamma for SimPO, no learning rate for OpenAI.
 */
export function resolveTraining(backend: RoundBackend, s: Pick<TrainerSettings, 'training' | 'prefLoss'>): RoundTraining {
  const objective = objectiveFor(backend, s.training?.objective ?? s.prefLoss);
  if (s.training?.objective && s.training.objective !== objective) throw new RoundError(`${backend} does not train ${s.training.objective} (it trains ${BACKEND_OBJECTIVES[backend].join(', ')})`);
  const d = trainingDefaults(backend, objective);
  const t = s.training ?? {};
  return {
    objective,
    beta: t.beta ?? d.beta,
    ...(d.gamma !== null ? { gamma: t.gamma ?? d.gamma } : {}),
    ...(d.learningRate !== null ? { learningRate: t.learningRate ?? d.learningRate } : {}),
    epochs: t.epochs ?? d.epochs,
  };
}

/** The policy a round started from: the search's model, else a stand-in name. */
export function roundPolicy(header: Pick<ExploreHeader, 'model' | 'modelLabel'> | undefined): RoundRecord['policy'] {
  return header ? { id: header.model, label: header.modelLabel } : { id: 'unknown', label: 'the configured policy' };
}

/**
 * The folder of a model the project made (one with model.pt, which the local trainer continues)
 * that a policy id names (OnnxPolicy ids are `onnx:DIR#HASH`), or undefined.
 */
export function projectModelOf(policyId: string | undefined): string | undefined {
  const dir = /^onnx:(.+)#[0-9a-f]+$/.exec(policyId ?? '')?.[1];
  return dir && existsSync(localTrainerOutputs(dir).weightsPath) ? dir : undefined;
}

/**
 * The calibration (and its perplexities), selection and search a round used, read from beside the
 * dataset for the search's model and round; what is not there is left out.
 */
export async function roundArtefacts(ds: Dataset, explore: { path: string; header: ExploreHeader } | undefined): Promise<RoundArtefacts & { calls?: CallRenderingSetting }> {
  if (!explore) return {};
  const { model, round } = explore.header;
  const out: RoundArtefacts & { calls?: CallRenderingSetting } = { explore: explore.path };
  const cal = await loadCalibration(ds, model, round);
  if (cal) Object.assign(out, { calibration: cal.path, ppl: pplSummary(cal), ...(cal.header.calls ? { calls: cal.header.calls } : {}) });
  const selection = selectionPath(ds.path, model, round);
  if (existsSync(selection)) out.selection = selection;
  return out;
}

/** Write the round's pairs for its backend and record the round (pairs, export, artefacts) in the registry. */
export async function exportRound(datasetPath: string, trained: RoundPairs, o: ExportRoundOptions): Promise<RoundExport> {
  if (trained.pairs.length === 0) {
    const c = trained.counts;
    throw new RoundError(`no accepted pairs to train on (${c.pending} pending, ${c.rejected} rejected${c.skipped ? `, ${c.skipped} skipped` : ''} of ${c.total}): accept pairs in review first`);
  }
  const dir = roundDir(datasetPath, o.round);
  const outputDir = join(dir, `output-${o.backend}`);
  const s = o.settings;
  const training = resolveTraining(o.backend, s);
  let exp: Omit<RoundExport, 'backend' | 'round' | 'roundDir' | 'outputDir' | 'training'>;
  if (o.backend === 'local') {
    // The project's own trainer continues the policy model itself (a folder it made, with model.pt).
    const modelDir = s.local?.modelDir;
    if (!modelDir) throw new RoundError('the local trainer continues a model the project made (the demo model, an itool loop model): name its folder');
    const pref = { ...LOCAL_PREF_DEFAULTS, loss: training.objective === 'simpo' ? ('simpo' as const) : ('dpo' as const), beta: training.beta, gamma: training.gamma ?? LOCAL_PREF_DEFAULTS.gamma, learning_rate: training.learningRate ?? LOCAL_PREF_DEFAULTS.learning_rate, epochs: training.epochs };
    const local = await exportLocal(trained.pairs, modelDir, join(dir, 'export-local'), outputDir, { pref });
    exp = { dir: local.dir, files: [local.pairsFile, local.configFile], records: local.records, skipped: local.skipped, warnings: [], notes: [] };
  } else {
    const numbers = { prefLoss: training.objective, beta: training.beta, simpoGamma: training.gamma, learningRate: training.learningRate, epochs: training.epochs };
    const r = await exportPairs(trained.pairs, { target: o.backend, outDir: join(dir, `export-${o.backend}`), name: `itool_round${o.round}`, baseModel: s.baseModel, template: s.template, calls: s.calls, outputDir, ...numbers });
    exp = { dir: r.dir, files: r.files, records: r.records, skipped: r.skipped, warnings: r.warnings, notes: r.notes };
  }
  if (exp.records === 0) throw new RoundError(`none of the ${trained.pairs.length} pair(s) could be written for ${o.backend}: ${exp.skipped.slice(0, 3).map((k) => `${k.sampleId}: ${k.reason}`).join('; ')}`);
  const c = trained.counts;
  await recordRound(datasetPath, o.round, o.policy, {
    ...o.artefacts,
    pairs: { found: c.total, accepted: c.accepted + c.edited, manual: trained.manual },
    export: { target: o.backend, dir: exp.dir, files: exp.files, at: new Date().toISOString(), training },
  });
  return { backend: o.backend, round: o.round, roundDir: dir, outputDir, training, ...exp };
}
