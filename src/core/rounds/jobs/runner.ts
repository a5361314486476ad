// The detached job runner: a tiny supervisor between the editor and a training run. The editor
// starts it detached (its own session and process group), so the run survives a window reload or
// an editor crash; the runner starts the trainer, waits, and records how it ended in status.json,
// which is how a later window learns the outcome. Bundled to dist/jobRunner.js; the only argument
// is the path of the job's spec.json (the last argv entry, so `node -e "…" SPEC` works too).
//
// The trainer is spawned from an argument array (never a shell), with the spec's env added to the
// runner's, its stdout and stderr appended straight to the job's log file (so output is kept even
// if the runner itself dies), and in a process group of its own, so one signal reaches torchrun or
// accelerate and every worker they started.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { writeFileAtomic } from '../../store/atomicWrite';
import { logTail, signalGroup, type RunnerInfo, type RunnerSpec, type RunnerStatus } from './spec';

async function main(specPath: string): Promise<void> {
  const spec = JSON.parse(readFileSync(specPath, 'utf8')) as RunnerSpec;
  const logFd = openSync(spec.logPath, 'a');
  const note = (msg: string): void => {
    writeSync(logFd, `[itool runner] ${new Date().toISOString()} ${msg}\n`);
  };
  const finish = async (st: Omit<RunnerStatus, 'endedAt'>): Promise<void> => {
    const status: RunnerStatus = { ...st, endedAt: new Date().toISOString() };
    await writeFileAtomic(spec.statusPath, `${JSON.stringify(status, null, 2)}\n`);
    note(`recorded ${status.status}${status.exitCode !== null ? ` (exit code ${status.exitCode})` : ''}${status.signal ? ` (signal ${status.signal})` : ''}`);
    closeSync(logFd);
  };

  // Set once the trainer has started (0 until then); the signal handlers read it.
  let trainerPid = 0;
  let cancelled = false;
  let killTimer: NodeJS.Timeout | undefined;
  const terminate = (): void => {
    if (!trainerPid || killTimer) return;
    signalGroup(trainerPid, 'SIGTERM');
    killTimer = setTimeout(() => {
      note(`the trainer did not stop within ${spec.graceMs} ms of SIGTERM: SIGKILL`);
      signalGroup(trainerPid, 'SIGKILL');
    }, spec.graceMs);
  };
  const onCancel = (sig: NodeJS.Signals): void => {
    if (cancelled) return;
    cancelled = true;
    note(`${sig} received: cancelling the trainer`);
    terminate(); // a no-op until the trainer has a pid; then it runs right after the spawn
  };
  process.on('SIGTERM', onCancel);
  process.on('SIGINT', onCancel);
  // No terminal is attached to a detached session, but a hang-up must never end the job.
  process.on('SIGHUP', () => undefined);

  // The editor's own Electron-as-Node switch must not leak into the trainer's environment.
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  Object.assign(env, spec.env);
  note(`starting ${JSON.stringify([spec.program, ...spec.args])} in ${spec.cwd}`);
  const started = await new Promise<ChildProcess | Error>((resolve) => {
    const c = spawn(spec.program, spec.args, { cwd: spec.cwd, env, stdio: ['ignore', logFd, logFd], detached: true, shell: false, windowsHide: true });
    c.once('spawn', () => resolve(c));
    c.once('error', (err) => resolve(err));
  });
  if (started instanceof Error) {
    // ENOENT for a program that is not installed, EACCES for one that is not executable, …
    await finish({ status: 'failed', exitCode: null, signal: null, error: `could not start ${spec.program}: ${started.message}` });
    return;
  }
  const child = started;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  trainerPid = child.pid as number;
  const info: RunnerInfo = { runnerPid: process.pid, trainerPid, startedAt: new Date().toISOString() };
  await writeFileAtomic(spec.runnerInfoPath, `${JSON.stringify(info)}\n`);
  if (cancelled) terminate();

  const { code, signal } = await exited;
  if (killTimer) clearTimeout(killTimer);
  // The group leader is gone; workers it left behind (a torchrun worker still holding a GPU) go too.
  signalGroup(trainerPid, 'SIGKILL');
  if (cancelled) {
    await finish({ status: 'cancelled', exitCode: code, signal });
  } else if (code === 0) {
    await finish({ status: 'succeeded', exitCode: 0, signal: null });
  } else {
    const how = signal ? `the trainer was killed by ${signal}` : `the trainer exited with code ${code}`;
    await finish({ status: 'failed', exitCode: code, signal, error: logTail(spec.logPath) || `${how} without printing anything` });
  }
}

const specPath = process.argv[process.argv.length - 1];
main(specPath).then(
  () => process.exit(0),
  (err: unknown) => {
    // stdout/stderr are the job's log (see local.ts), so this lands where the user will look, and
    // (unlike the runner's `[itool runner]` notes) in the excerpt a failed job's error quotes.
    console.error(`itool job runner error: ${(err as Error)?.stack ?? String(err)}`);
    process.exit(70);
  },
);
