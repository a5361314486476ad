// Every `itool.*` setting the extension reads, with the JSON type package.json contributes it
// under and the TypeScript type a read gives. No defaults here: they live only in package.json's
// `contributes.configuration` (settings.ts reads them from there), so a default cannot differ
// between the manifest the Settings editor shows and the code. Free of `vscode` so that
// test/unit/settingsContract.test.ts can hold it against the manifest and the sources.
import { CALL_RENDERINGS, type CallRenderingSetting } from '../core/model/callRendering';
import { EXECUTION_PROVIDERS, POLICY_BACKENDS, type ExecutionProvider, type PolicyBackend } from '../core/model/policyFactory';
import { EXPORT_TARGETS, PREF_LOSSES, type ExportTarget, type PrefLoss } from '../core/pairs/export/types';

/** A type as package.json writes it: one JSON type, or a type that may also be null. */
export type JsonType = 'string' | 'integer' | 'number' | 'boolean' | readonly ['integer', 'null'] | readonly ['object', 'null'];

/** One setting: its manifest type (and enum); `value` only carries the read's TypeScript type. */
export interface SettingSpec<T> {
  readonly type: JsonType;
  readonly enum?: readonly string[];
  readonly value?: T;
}

const text: SettingSpec<string> = { type: 'string' };
const oneOf = <T extends string>(values: readonly T[]): SettingSpec<T> => ({ type: 'string', enum: values });
const integer: SettingSpec<number> = { type: 'integer' };
const fraction: SettingSpec<number> = { type: 'number' };
const flag: SettingSpec<boolean> = { type: 'boolean' };
const integerOrNull: SettingSpec<number | null> = { type: ['integer', 'null'] };

/** The trainers a round can run on: the three export targets and the project's own. */
export type TrainerBackend = ExportTarget | 'local';
export const TRAINER_BACKENDS: readonly TrainerBackend[] = [...EXPORT_TARGETS, 'local'];

/** Perplexity cut-offs as the user writes them (either may be missing: then the run's tertiles). */
export interface TierThresholdsSetting {
  easyBelow?: number;
  hardFrom?: number;
}

export const SETTINGS = {
  'itool.policy.backend': oneOf<PolicyBackend>(POLICY_BACKENDS),
  'itool.policy.onnx.modelDir': text,
  'itool.policy.onnx.executionProvider': oneOf<ExecutionProvider>(EXECUTION_PROVIDERS),
  'itool.policy.endpoint.baseURL': text,
  'itool.policy.endpoint.model': text,
  'itool.policy.endpoint.chatTemplate': text,
  'itool.policy.maxInFlight': integer,
  'itool.calibration.round': integer,
  'itool.calibration.batch': integer,
  'itool.calibration.ratio': fraction,
  'itool.calibration.tierThresholds': { type: ['object', 'null'] } as SettingSpec<TierThresholdsSetting | null>,
  'itool.calibrate.callRendering': oneOf<CallRenderingSetting>(CALL_RENDERINGS),
  'itool.search.numActions': integer,
  'itool.search.temperature': fraction,
  'itool.search.maxNewTokens': integer,
  'itool.search.depth': integer,
  'itool.search.iterations': integer,
  'itool.search.maxSimulationSteps': integer,
  'itool.search.explorationWeight': fraction,
  'itool.search.seed': integer,
  'itool.search.concurrency': integer,
  'itool.trainer.backend': oneOf<TrainerBackend>(TRAINER_BACKENDS),
  'itool.trainer.baseModel': text,
  'itool.trainer.template': text,
  'itool.trainer.prefLoss': oneOf<PrefLoss>(PREF_LOSSES),
  'itool.trainer.llamafactory.command': text,
  'itool.trainer.llamafactory.forceTorchrun': flag,
  'itool.trainer.llamafactory.nnodes': integerOrNull,
  'itool.trainer.llamafactory.nodeRank': integerOrNull,
  'itool.trainer.llamafactory.nprocPerNode': integerOrNull,
  'itool.trainer.llamafactory.masterAddr': text,
  'itool.trainer.llamafactory.masterPort': integerOrNull,
  'itool.trainer.trl.accelerateCommand': text,
  'itool.trainer.trl.numProcesses': integerOrNull,
  'itool.trainer.trl.configFile': text,
  'itool.trainer.openai.baseURL': text,
  'itool.trainer.local.python': text,
  'itool.loop.exploreMax': integer,
  'itool.loop.evalLimit': integer,
  'itool.loop.iterations': integer,
  'itool.loop.numActions': integer,
  'itool.loop.maxNewTokens': integer,
  'itool.loop.temperature': fraction,
} as const;

export type SettingKey = keyof typeof SETTINGS;
export type SettingValue<K extends SettingKey> = (typeof SETTINGS)[K] extends SettingSpec<infer T> ? T : never;

/** Reads a setting: settings.ts's `setting` in the extension, a plain table in the unit tests. */
export type SettingGetter = <K extends SettingKey>(key: K) => SettingValue<K>;

/** Whether `v` has the type the manifest declares for `key` (and is one of its enum values). */
export function fitsSetting(key: SettingKey, v: unknown): boolean {
  const spec: SettingSpec<unknown> = SETTINGS[key];
  if (spec.enum) return typeof v === 'string' && spec.enum.includes(v);
  const types: readonly string[] = typeof spec.type === 'string' ? [spec.type] : spec.type;
  return types.some((t) => (t === 'null' ? v === null : t === 'integer' ? Number.isInteger(v) : t === 'object' ? typeof v === 'object' && v !== null && !Array.isArray(v) : typeof v === t));
}
