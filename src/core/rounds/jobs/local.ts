// Local training jobs (LLaMA-Factory, TRL through accelerate, any local program): started through
// the detached runner (runner.ts) so they outlive the window, and followed from the files the
// runner and the trainer leave in the job folder. Everything needed to follow a job again after a
// reload is in its JobRecord, which the round registry persists.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { sleep } from '../../async';
import { writeFileAtomic } from '../../store/atomicWrite';
import type { JobProgress, JobRecord } from '../types';
import { jobFile, logTail, readJson, runnerAlive, signalGroup, type RunnerInfo, type RunnerSpec, type RunnerStatus } from './spec';
import { TrainerLogTail } from './trainerLog';

export { llamaFactoryCommand, trlCommand, type LlamaFactorySettings, type TrlSettings, type TrainerCommand } from './commands';
export type { RunnerInfo } from './spec';

export interface StartLocalJobOptions {
  backend: 'llamafactory' | 'trl' | 'local';
  /** The folder the job owns: spec.json, status.json, runner.json and train.log go here. */
  jobDir: string;
  /** From a command builder (llamaFactoryCommand, trlCommand): a program, never a shell line. */
  program: string;
  args: string[];
  env?: Record<string, string>;
  /** The trainer's working directory (default: jobDir). */
  cwd?: string;
  outputDir: string;
  trainerLogPath: string;
  /**
   * How to start the runner; the spec path is appended. Bundled: [process.execPath, '/abs/dist/jobRunner.js']
   * (inside VS Code, whose execPath is Electron, also pass runnerEnv { ELECTRON_RUN_AS_NODE: '1' });
   * under tsx: [process.execPath, '-e', "require('/abs/tsx/cjs'); require('/abs/runner.ts')"].
   */
  runnerCommand: string[];
  /** Added to the runner's own environment only (the runner removes ELECTRON_RUN_AS_NODE for the trainer). */
  runnerEnv?: Record<string, string>;
  /** How long the trainer gets to exit after a cancel before it is killed (default 10 s). */
  graceMs?: number;
}

const DEFAULT_GRACE_MS = 10_000;

/** Write the spec, start the runner detached, and return the job's record (status running). */
export async function startLocalJob(opts: StartLocalJobOptions): Promise<JobRecord> {
  if (!opts.program?.trim()) throw new Error('no trainer program given');
  if (!Array.isArray(opts.args) || opts.args.some((a) => typeof a !== 'string')) throw new Error('the trainer arguments must be an array of strings');
  if (!opts.runnerCommand?.length || !opts.runnerCommand[0]) throw new Error('no runner command given');
  const jobDir = resolve(opts.jobDir);
  await mkdir(jobDir, { recursive: true });
  // A folder reused for a new start must not report the previous run's ending.
  await rm(jobFile(jobDir, 'status'), { force: true });
  await rm(jobFile(jobDir, 'runner'), { force: true });
  const trainerLogPath = resolve(opts.trainerLogPath);
  const trainerLogOffset = await stat(trainerLogPath).then((s) => s.size, () => 0);
  const spec: RunnerSpec = {
    version: 1,
    program: opts.program,
    args: opts.args,
    env: opts.env ?? {},
    cwd: resolve(opts.cwd ?? jobDir),
    logPath: jobFile(jobDir, 'log'),
    statusPath: jobFile(jobDir, 'status'),
    runnerInfoPath: jobFile(jobDir, 'runner'),
    graceMs: opts.graceMs ?? DEFAULT_GRACE_MS,
  };
  const specPath = jobFile(jobDir, 'spec');
  await writeFileAtomic(specPath, `${JSON.stringify(spec, null, 2)}\n`);

  // The runner's own stdout/stderr go to the job's log too: if it cannot even start (a bad bundle
  // path), the reason is where the user will look rather than lost.
  const logFd = openSync(spec.logPath, 'a');
  let pid: number;
  try {
    pid = await new Promise<number>((ok, fail) => {
      const child = spawn(opts.runnerCommand[0], [...opts.runnerCommand.slice(1), specPath], {
        cwd: jobDir,
        env: { ...process.env, ...opts.runnerEnv },
        // detached: a new session and process group, so closing the window does not end the job.
        detached: true,
        stdio: ['ignore', logFd, logFd],
        shell: false,
        windowsHide: true,
      });
      child.once('error', (err) => fail(new Error(`could not start the job runner ${opts.runnerCommand[0]}: ${err.message}`)));
      child.once('spawn', () => {
        child.unref();
        ok(child.pid as number);
      });
    });
  } finally {
    closeSync(logFd);
  }
  return {
    backend: opts.backend,
    jobDir,
    startedAt: new Date().toISOString(),
    command: [opts.program, ...opts.args],
    pid,
    logPath: spec.logPath,
    trainerLogPath,
    trainerLogOffset,
    outputDir: resolve(opts.outputDir),
    status: 'running',
  };
}

/** The runner's and trainer's pids, once the trainer has started. */
export function readRunnerInfo(jobDir: string): Promise<RunnerInfo | undefined> {
  return readJson<RunnerInfo>(jobFile(jobDir, 'runner'));
}

/**
 * Where a local job stands now. `tail` carries the trainer-log position between polls (watchJob
 * keeps one); without it the whole log since the job's start is read for the latest progress.
 */
export async function pollLocalJob(rec: JobRecord, tail?: TrainerLogTail): Promise<JobRecord> {
  if (rec.status !== 'running') return rec;
  const next: JobRecord = { ...rec };
  if (rec.trainerLogPath) {
    const t = tail ?? new TrainerLogTail(rec.trainerLogPath, rec.trainerLogOffset ?? 0);
    await t.read();
    if (t.latest) next.lastProgress = t.latest;
  }
  const statusPath = jobFile(rec.jobDir, 'status');
  let status = await readJson<RunnerStatus>(statusPath);
  if (!status) {
    if (rec.pid !== undefined && runnerAlive(rec.pid, rec.jobDir)) return next;
    // The runner may have written its status and exited between our two looks.
    status = await readJson<RunnerStatus>(statusPath);
  }
  if (!status) {
    const lines = rec.logPath ? logTail(rec.logPath) : '';
    return {
      ...next,
      status: 'failed',
      endedAt: new Date().toISOString(),
      error: `the job runner stopped without recording an exit (killed?) — see ${rec.logPath ?? rec.jobDir}${lines ? `\n${lines}` : ''}`,
    };
  }
  const done: JobRecord = { ...next, status: status.status, endedAt: status.endedAt };
  if (status.status === 'failed') {
    const how = status.signal ? `killed by ${status.signal}` : `exit code ${status.exitCode}`;
    done.error = status.error ? `${status.error}\n(${how}; full log: ${rec.logPath})` : `the trainer failed (${how}); see ${rec.logPath}`;
  }
  if (status.status === 'succeeded' && rec.outputDir) done.resultModel = rec.outputDir;
  return done;
}

export interface CancelOptions {
  /** How long to wait for the runner to record the cancel before killing everything (default grace + 5 s). */
  timeoutMs?: number;
  pollMs?: number;
}

/**
 * Cancel a local job: SIGTERM the runner, which forwards it to the trainer's process group and
 * SIGKILLs the group after its grace period. Resolves once the runner has recorded the cancel; if
 * it does not in time (the runner is stuck or gone), both groups are killed here and the cancel
 * is recorded in the runner's place.
 */
export async function cancelLocalJob(rec: JobRecord, opts: CancelOptions = {}): Promise<JobRecord> {
  const current = await pollLocalJob(rec);
  if (current.status !== 'running' || rec.pid === undefined) return current;
  const spec = await readJson<RunnerSpec>(jobFile(rec.jobDir, 'spec'));
  const timeoutMs = opts.timeoutMs ?? (spec?.graceMs ?? DEFAULT_GRACE_MS) + 5_000;
  const pollMs = opts.pollMs ?? 100;
  const alive = (): boolean => runnerAlive(rec.pid as number, rec.jobDir);
  if (alive()) process.kill(rec.pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && alive()) {
    if (await readJson<RunnerStatus>(jobFile(rec.jobDir, 'status'))) break;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  if (!(await readJson<RunnerStatus>(jobFile(rec.jobDir, 'status')))) {
    const info = await readRunnerInfo(rec.jobDir);
    if (info) signalGroup(info.trainerPid, 'SIGKILL');
    if (alive()) signalGroup(rec.pid, 'SIGKILL');
    const status: RunnerStatus = { status: 'cancelled', exitCode: null, signal: 'SIGKILL', endedAt: new Date().toISOString() };
    await writeFileAtomic(jobFile(rec.jobDir, 'status'), `${JSON.stringify(status, null, 2)}\n`);
  }
  return pollLocalJob(rec);
}

export interface WatchOptions {
  /** Between polls (default 500 ms). */
  intervalMs?: number;
  /** How to poll; required for remote jobs, e.g. `(r) => pollOpenAIJob(client, r)`. Default: pollLocalJob. */
  poll?: (rec: JobRecord) => Promise<JobRecord>;
  /** Poll errors in a row tolerated before watchJob rejects (default 5: a network blip is not the end). */
  maxErrors?: number;
}

/**
 * Follow a job until it is no longer running, calling onProgress when its progress changes.
 * Needs only the JobRecord, so it works the same for a job this process started and for one
 * re-attached after a reload. Aborting `signal` stops watching (rejecting with its reason); the
 * job itself goes on.
 */
export async function watchJob(
  rec: JobRecord,
  onProgress: (progress: JobProgress, rec: JobRecord) => void,
  signal?: AbortSignal,
  opts: WatchOptions = {},
): Promise<JobRecord> {
  if (rec.backend === 'openai' && !opts.poll) throw new Error('watching a remote job needs opts.poll, e.g. (r) => pollOpenAIJob(client, r)');
  const tail = rec.trainerLogPath ? new TrainerLogTail(rec.trainerLogPath, rec.trainerLogOffset ?? 0) : undefined;
  const poll = opts.poll ?? ((r: JobRecord) => pollLocalJob(r, tail));
  const intervalMs = opts.intervalMs ?? 500;
  const maxErrors = opts.maxErrors ?? 5;
  let current = rec;
  let shown = rec.lastProgress ? JSON.stringify(rec.lastProgress) : '';
  let errors = 0;
  for (;;) {
    signal?.throwIfAborted();
    try {
      current = await poll(current);
      errors = 0;
    } catch (err) {
      if (++errors >= maxErrors) throw err;
    }
    if (current.lastProgress) {
      const key = JSON.stringify(current.lastProgress);
      if (key !== shown) {
        shown = key;
        onProgress(current.lastProgress, current);
      }
    }
    if (current.status !== 'running') return current;
    await sleep(intervalMs, signal);
  }
}
