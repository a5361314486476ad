// A round's training job, for every front door: launched on its export as a detached job (the
// local trainers through the job runner, so a job outlives the window or the shell that started
// it; OpenAI as a remote fine-tuning job), followed with progress written to the registry now and
// then, cancelled, and finished (the trained policy recorded as the round's result). Trainer
// programs come only from the caller's settings and run as argument arrays, never a shell line.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { trlCommand, type TrlTrainer } from './jobs/commands';
import { cancelLocalJob, cancelOpenAIJob, llamaFactoryCommand, pollLocalJob, pollOpenAIJob, startLocalJob, startOpenAIJob, watchJob } from './jobs/index';
import { localTrainerCommand, localTrainerOutputs } from './localTrainer';
import type { PrefLoss } from '../pairs/export/index';
import { patchRound, recordRound } from './registry';
import { RoundError, type RoundExport, type TrainerSettings } from './roundExport';
import type { JobProgress, JobRecord, RoundRecord } from './types';

/** How often a followed job's progress is written to the registry (the caller's progress callback sees every change). */
export const RECORD_EVERY_MS = 3000;

/** The fine-tuning API client for OpenAI jobs. The key is the caller's (SecretStorage, an environment variable): never logged. */
export function openAIClient(apiKey: string | undefined, baseURL?: string): OpenAI {
  return new OpenAI({ apiKey: apiKey ?? '', baseURL, maxRetries: 2 });
}

/** The TRL trainer the export's launch script runs for a preference loss (SimPO is CPOTrainer). */
export function trlTrainerFor(loss: PrefLoss | undefined): TrlTrainer {
  return loss === undefined || loss === 'simpo' ? 'cpo' : loss === 'orpo' ? 'orpo' : 'dpo';
}

export interface LaunchOptions {
  settings: TrainerSettings;
  /** The round's starting policy, for the registry record. */
  policy: RoundRecord['policy'];
  /** OpenAI jobs: the fine-tuning API key. */
  apiKey?: string;
}

/**
 * Start the trainer on the round's export; the job is recorded in the registry and returned
 * (status running). A round trained again loses its earlier result and evaluation: they were of
 * the policy the new job replaces (its baseline, the starting policy's, stays).
 */
export async function launchRound(datasetPath: string, exp: RoundExport, o: LaunchOptions): Promise<JobRecord> {
  const job = await launch(exp, o);
  await recordRound(datasetPath, exp.round, o.policy, { job, result: undefined, evaluation: undefined });
  return job;
}

async function launch(exp: RoundExport, o: LaunchOptions): Promise<JobRecord> {
  const s = o.settings;
  const file = (test: (f: string) => boolean, what: string): string => {
    const f = exp.files.find(test);
    if (!f) throw new RoundError(`the ${exp.backend} export in ${exp.dir} has no ${what}`);
    return f;
  };
  const jobDir = join(exp.roundDir, `job-${exp.backend}`);
  if (exp.backend === 'openai') {
    if (!s.baseModel) throw new RoundError('an OpenAI fine-tuning job needs the model to fine-tune (the base model)');
    if (!o.apiKey) throw new RoundError('an OpenAI fine-tuning job needs the fine-tuning API key');
    const jsonl = file((f) => f.endsWith('.jsonl'), 'training file');
    // The β and epochs the export's job file names (OpenAI trains DPO only; it picks the learning rate).
    return startOpenAIJob({ client: openAIClient(o.apiKey, s.openai?.baseURL), trainingFile: jsonl, model: s.baseModel, jobDir, beta: exp.training.beta, epochs: exp.training.epochs });
  }
  if (!s.runner?.command.length) throw new RoundError('no job runner to start the trainer with (dist/jobRunner.js beside the bundle)');
  const runner = { runnerCommand: s.runner.command, runnerEnv: s.runner.env };
  const common = { jobDir, cwd: exp.dir, outputDir: exp.outputDir, ...runner };
  if (exp.backend === 'local') {
    const root = s.local?.root;
    if (!root) throw new RoundError('the local trainer needs the folder holding scripts/train/ (the extension\'s or the package\'s)');
    const config = file((f) => f.endsWith('pref.json'), 'trainer config');
    const cmd = localTrainerCommand('pref', config, { ...s.local, root });
    return startLocalJob({ backend: 'local', ...cmd, ...common, trainerLogPath: localTrainerOutputs(exp.outputDir).trainerLogPath });
  }
  if (exp.backend === 'llamafactory') {
    const yaml = file((f) => /\.ya?ml$/.test(f), 'training YAML');
    const cmd = llamaFactoryCommand(s.llamafactory ?? { command: 'llamafactory-cli' }, yaml);
    return startLocalJob({ backend: 'llamafactory', ...cmd, ...common, trainerLogPath: join(exp.outputDir, 'trainer_log.jsonl') });
  }
  const script = file((f) => f.endsWith('.py'), 'launch script');
  const config = file((f) => /\.ya?ml$/.test(f), 'training config');
  const cmd = trlCommand(s.trl ?? { accelerate: 'accelerate' }, script, config, trlTrainerFor(exp.training.objective));
  return startLocalJob({ backend: 'trl', ...cmd, ...common, trainerLogPath: join(exp.outputDir, 'trainer_log.jsonl') });
}

export interface FollowOptions {
  /** Every change of progress, with the job as it now stands (keep it: a cancel needs the latest). */
  onProgress?: (progress: JobProgress, job: JobRecord) => void;
  /** Stops following (the promise rejects with the signal's reason); the job itself goes on. */
  signal?: AbortSignal;
  /** OpenAI jobs: the client to poll with (openAIClient). */
  client?: OpenAI;
  /** Between polls (default 500 ms). */
  intervalMs?: number;
  /** How often progress is written to the registry (default RECORD_EVERY_MS). */
  recordEveryMs?: number;
}

/** Follow a round's job until it ends; its progress goes to the registry now and then. Does not finish the round (finishRound). */
export async function followRound(datasetPath: string, round: number, job: JobRecord, o: FollowOptions = {}): Promise<JobRecord> {
  if (job.backend === 'openai' && !o.client) throw new RoundError(`round ${round} is an OpenAI fine-tuning job: following it needs the fine-tuning API key`);
  const client = o.client;
  const every = o.recordEveryMs ?? RECORD_EVERY_MS;
  let recorded = 0;
  return watchJob(
    job,
    (p, r) => {
      o.onProgress?.(p, r);
      if (Date.now() - recorded > every) {
        recorded = Date.now();
        // A progress note only: a failed write is retried by the next one, and the end is written by finishRound.
        void patchRound(datasetPath, round, { job: r }).catch(() => undefined);
      }
    },
    o.signal,
    { ...(client ? { poll: (r: JobRecord) => pollOpenAIJob(client, r) } : {}), ...(o.intervalMs !== undefined ? { intervalMs: o.intervalMs } : {}) },
  );
}

/** Where a job stands now (one poll), without following it. */
export function pollRoundJob(job: JobRecord, client?: OpenAI): Promise<JobRecord> {
  if (job.backend === 'openai') {
    if (!client) throw new RoundError('an OpenAI fine-tuning job is read with the fine-tuning API key');
    return pollOpenAIJob(client, job);
  }
  return pollLocalJob(job);
}

/** What a succeeded job produced, as the round's result (the next round's policy); undefined otherwise. */
export function trainedResult(job: JobRecord, round: number, how: string = job.backend): RoundRecord['result'] | undefined {
  if (job.status !== 'succeeded') return undefined;
  if (job.backend === 'openai') return { label: job.resultModel ?? 'fine-tuned model', endpointModel: job.resultModel };
  return { label: `round ${round} (${how})`, modelDir: job.resultModel && existsSync(job.resultModel) ? job.resultModel : job.outputDir };
}

/** Record how the job ended, and the trained policy when it succeeded. */
export function finishRound(datasetPath: string, round: number, job: JobRecord): Promise<RoundRecord> {
  const result = trainedResult(job, round);
  return patchRound(datasetPath, round, { job, ...(result ? { result } : {}) });
}

/** Cancel a round's job (local: its whole process group; OpenAI: the remote job) and record the cancel. */
export async function cancelRound(datasetPath: string, round: number, job: JobRecord, client?: OpenAI): Promise<JobRecord> {
  if (job.backend === 'openai' && !client) throw new RoundError('cancelling an OpenAI fine-tuning job needs the fine-tuning API key');
  const done = client && job.backend === 'openai' ? await cancelOpenAIJob(client, job) : await cancelLocalJob(job);
  await patchRound(datasetPath, round, { job: done });
  return done;
}

/** "42% · step 21/50 · loss 0.6931 · 0:01:02 left": a job's progress in one line. */
export function progressText(p: JobProgress): string {
  const parts = [`${Math.round(p.percentage)}%`];
  if (p.currentSteps !== undefined && p.totalSteps !== undefined) parts.push(`step ${p.currentSteps}/${p.totalSteps}`);
  if (p.loss !== undefined) parts.push(`loss ${p.loss.toFixed(4)}`);
  if (p.remainingTime) parts.push(`${p.remainingTime} left`);
  else if (p.message) parts.push(p.message);
  return parts.join(' · ');
}
