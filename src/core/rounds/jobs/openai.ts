// OpenAI preference fine-tuning (FORMATS.md): upload the DPO JSONL, create a `dpo` job, follow it
// with jobs.retrieve and jobs.listEvents. Supported, not built around (OpenAI is winding the
// platform down for new users). The API key is the client's; no message we produce contains it,
// even when a server echoes it back in an error.
import { createReadStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type OpenAI from 'openai';
import { writeFileAtomic } from '../../store/atomicWrite';
import type { JobProgress, JobRecord, JobStatus } from '../types';

type FineTuningJob = OpenAI.FineTuning.Jobs.FineTuningJob;
type FineTuningJobEvent = OpenAI.FineTuning.Jobs.FineTuningJobEvent;

export interface StartOpenAIJobOptions {
  client: OpenAI;
  /** The local DPO JSONL (input / preferred_output / non_preferred_output per line). */
  trainingFile: string;
  model: string;
  /** DPO beta; the service picks one when unset. */
  beta?: number;
  /** n_epochs; the service picks it when unset. */
  epochs?: number;
  /** Up to 64 characters the service adds to the fine-tuned model's name. */
  suffix?: string;
  jobDir: string;
}

/** The DPO hyperparameters given (none: the service picks them all). */
function hyperparameters(o: Pick<StartOpenAIJobOptions, 'beta' | 'epochs'>): { hyperparameters?: { beta?: number; n_epochs?: number } } {
  const h = { ...(o.beta !== undefined ? { beta: o.beta } : {}), ...(o.epochs !== undefined ? { n_epochs: o.epochs } : {}) };
  return Object.keys(h).length ? { hyperparameters: h } : {};
}

/** Upload the training file, create the job, and return its record (status from the service). */
export async function startOpenAIJob(opts: StartOpenAIJobOptions): Promise<JobRecord> {
  const { client } = opts;
  const trainingFile = resolve(opts.trainingFile);
  await stat(trainingFile).catch(() => {
    throw new Error(`the training file ${trainingFile} does not exist`);
  });
  const jobDir = resolve(opts.jobDir);
  await mkdir(jobDir, { recursive: true });
  // Streamed, not read into memory: preference files of many thousand pairs are large.
  const file = await guard(client, `uploading ${trainingFile}`, () => client.files.create({ file: createReadStream(trainingFile), purpose: 'fine-tune' }));
  const job = await guard(client, 'creating the fine-tuning job', () =>
    client.fineTuning.jobs.create({
      model: opts.model,
      training_file: file.id,
      ...(opts.suffix ? { suffix: opts.suffix } : {}),
      method: { type: 'dpo', dpo: hyperparameters(opts) },
    }),
  );
  // Beside the record: which upload and which job, for anyone looking at the folder later.
  await writeFileAtomic(
    join(jobDir, 'openai-job.json'),
    `${JSON.stringify({ jobId: job.id, fileId: file.id, trainingFile, model: opts.model, baseURL: client.baseURL }, null, 2)}\n`,
  );
  const rec: JobRecord = {
    backend: 'openai',
    jobDir,
    startedAt: new Date().toISOString(),
    remoteJobId: job.id,
    baseURL: client.baseURL,
    status: 'running',
  };
  return apply(client, rec, job, []);
}

/** Where the remote job stands now: its status, and progress from its newest events. */
export async function pollOpenAIJob(client: OpenAI, rec: JobRecord): Promise<JobRecord> {
  if (rec.status !== 'running') return rec;
  const id = remoteId(rec);
  const job = await guard(client, `reading fine-tuning job ${id}`, () => client.fineTuning.jobs.retrieve(id));
  const page = await guard(client, `reading the events of fine-tuning job ${id}`, () => client.fineTuning.jobs.listEvents(id, { limit: 50 }));
  return apply(client, rec, job, page.data);
}

/** Ask the service to cancel; a job that has already ended keeps its ending. */
export async function cancelOpenAIJob(client: OpenAI, rec: JobRecord): Promise<JobRecord> {
  if (rec.status !== 'running') return rec;
  const id = remoteId(rec);
  try {
    const job = await client.fineTuning.jobs.cancel(id);
    return apply(client, rec, job, []);
  } catch (err) {
    // The service refuses to cancel a job that just finished: report how it did finish.
    const now = await pollOpenAIJob(client, rec).catch(() => undefined);
    if (now && now.status !== 'running') return now;
    throw new Error(`OpenAI: cancelling fine-tuning job ${id} failed: ${redact(client, messageOf(err))}`);
  }
}

function remoteId(rec: JobRecord): string {
  if (rec.backend !== 'openai' || !rec.remoteJobId) throw new Error(`job in ${rec.jobDir} is not an OpenAI fine-tuning job`);
  return rec.remoteJobId;
}

const STATUS: Record<FineTuningJob['status'], JobStatus> = {
  validating_files: 'running',
  queued: 'running',
  running: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'cancelled',
};

/** The record after the service reported `job` and (newest first) `events`. */
function apply(client: OpenAI, rec: JobRecord, job: FineTuningJob, events: FineTuningJobEvent[]): JobRecord {
  const status = STATUS[job.status] ?? 'running';
  const next: JobRecord = { ...rec, status };
  const progress = progressOf(job, events, rec.lastProgress);
  if (progress) next.lastProgress = progress;
  if (status !== 'running') next.endedAt = new Date((job.finished_at ?? Date.now() / 1000) * 1000).toISOString();
  if (status === 'succeeded' && job.fine_tuned_model) next.resultModel = job.fine_tuned_model;
  if (status === 'failed') {
    next.error = redact(client, job.error?.message ? `${job.error.message}${job.error.code ? ` (${job.error.code})` : ''}` : 'the fine-tuning job failed; the service gave no reason');
  }
  return next;
}

function progressOf(job: FineTuningJob, events: FineTuningJobEvent[], prev: JobProgress | undefined): JobProgress | undefined {
  const p: JobProgress = { percentage: job.status === 'succeeded' ? 100 : (prev?.percentage ?? 0) };
  // Metrics events carry {step, total_steps, train_loss}; the newest one gives the position.
  const metrics = events.map((e) => e.data as Record<string, unknown> | undefined).find((d) => typeof d?.step === 'number');
  if (metrics) {
    const step = metrics.step as number;
    const total = typeof metrics.total_steps === 'number' ? metrics.total_steps : undefined;
    p.currentSteps = step;
    if (total) {
      p.totalSteps = total;
      if (job.status !== 'succeeded') p.percentage = Math.min(100, (step / total) * 100);
    }
    if (typeof metrics.train_loss === 'number') p.loss = metrics.train_loss;
  } else if (prev) {
    Object.assign(p, { ...prev, percentage: p.percentage });
  }
  const now = Date.now() / 1000;
  p.elapsedTime = hms((job.finished_at ?? now) - job.created_at);
  if (job.status !== 'succeeded' && job.estimated_finish) p.remainingTime = hms(job.estimated_finish - now);
  const newest = events[0]?.message;
  const tokens = job.trained_tokens ? `${job.trained_tokens} tokens trained` : '';
  p.message = [newest ?? job.status.replace(/_/g, ' '), tokens].filter(Boolean).join(' · ') || undefined;
  return p;
}

/** Seconds as the trainers print them: H:MM:SS. */
function hms(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 3600)}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/** Run one API call; its error comes back as ours, naming what we were doing, without the key. */
async function guard<T>(client: OpenAI, doing: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw new Error(`OpenAI: ${doing} failed: ${redact(client, messageOf(err))}`);
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The key never leaves in a message, even when a server echoes it back. */
function redact(client: OpenAI, text: string): string {
  const key = client.apiKey;
  if (!key || key.length < 6) return text;
  return text.split(key).join('[redacted]');
}
