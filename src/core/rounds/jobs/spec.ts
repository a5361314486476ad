// What the detached job runner (runner.ts) and the side that starts and watches it (local.ts) agree
// on: the spec the runner reads, the files it writes in the job folder, and process helpers. Kept
// apart from runner.ts because importing that file starts a runner.
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The job folder's fixed file names. */
export const JOB_FILES = {
  spec: 'spec.json',
  /** Written once, atomically, when the trainer has ended: its presence means "final". */
  status: 'status.json',
  /** The runner's and the trainer's pids, written when the trainer has started. */
  runner: 'runner.json',
  /** The trainer's stdout and stderr (and the runner's own notes, prefixed `[itool runner]`). */
  log: 'train.log',
} as const;

export interface RunnerSpec {
  version: 1;
  /** A program path or a name looked up on PATH; run with `args` as an argument array, never a shell. */
  program: string;
  args: string[];
  /** Added to the runner's environment for the trainer. */
  env: Record<string, string>;
  cwd: string;
  logPath: string;
  statusPath: string;
  runnerInfoPath: string;
  /** After SIGTERM, how long the trainer's group gets to exit before SIGKILL. */
  graceMs: number;
}

export interface RunnerStatus {
  status: 'succeeded' | 'failed' | 'cancelled';
  exitCode: number | null;
  signal: string | null;
  endedAt: string;
  /** When failed: the last non-empty lines of the log (the trainer's own error), or why it never started. */
  error?: string;
}

export interface RunnerInfo {
  runnerPid: number;
  /** The trainer's pid, which is also its process group id (torchrun and its workers are in it). */
  trainerPid: number;
  startedAt: string;
}

export function jobFile(jobDir: string, name: keyof typeof JOB_FILES): string {
  return join(jobDir, JOB_FILES[name]);
}

export async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Whether a process we started still runs. EPERM means the pid now belongs to another user's
 * process: our runner, which runs as us, is gone and its pid was reused. A zombie counts as gone:
 * once its parent (an old editor window) has died, a container's init may never reap it.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (process.platform !== 'linux') return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc to ask: the signal test said it exists
  }
}

/**
 * Whether the job's runner still runs. A pid alone can be reused once the runner is gone (after a
 * reboot, or days later); where /proc shows command lines, the process must also be the one
 * started with this job's spec, so a stranger is neither waited on forever nor signalled.
 */
export function runnerAlive(pid: number, jobDir: string): boolean {
  if (!isAlive(pid)) return false;
  if (process.platform !== 'linux') return true;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(jobFile(jobDir, 'spec'));
  } catch {
    return isAlive(pid); // it exited while we looked, or there is no /proc to ask
  }
}

/**
 * Signal a whole process group (the trainer and what it started: torchrun's workers, accelerate's
 * processes). Windows has no process groups; there only the process itself is signalled.
 * Returns false when nothing was there to signal.
 */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(process.platform === 'win32' ? pid : -pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** How many non-empty lines of the log make up a failed job's error. */
export const ERROR_LINES = 20;

/**
 * A Python exception line: `ValueError: …`, `torch.OutOfMemoryError: …`, `[rank0]: KeyError: 'x'`.
 * Launchers wrap a worker's failure in their own exception (torchrun's ChildFailedError with a
 * 20-line summary, accelerate's CalledProcessError), which can push the real one out of the tail.
 */
const EXCEPTION = /^(?:\[rank\d+\]:\s*)?(?:[A-Za-z_][\w]*\.)*[A-Za-z_]\w*(?:Error|Exception|Interrupt)(?::|$)/;
const WRAPPER = /ChildFailedError|CalledProcessError/;

/**
 * The last `n` non-empty lines of a log, as a terminal would show them. When the only exceptions
 * in them are a launcher's wrappers, the last real exception line from before is put first, so
 * the trainer's own error is always in the excerpt.
 */
export function logTail(path: string, n = ERROR_LINES): string {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    const len = Math.min(size, 256 * 1024);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, size - len);
    const lines = buf
      .toString('utf8')
      .split('\n')
      // A progress bar redraws its line with \r: keep what was drawn last. Drop colour codes.
      .map((l) => (l.split('\r').filter((s) => s.trim()).pop() ?? '').replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').trimEnd()) // eslint-disable-line no-control-regex
      .filter((l) => l.trim() && !l.startsWith('[itool runner]'));
    const tail = lines.slice(-n);
    const real = (l: string): boolean => EXCEPTION.test(l.trim()) && !WRAPPER.test(l);
    if (!tail.some(real)) {
      const cause = lines.slice(0, -n).reverse().find(real);
      if (cause) return [cause, '…', ...tail].join('\n');
    }
    return tail.join('\n');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
