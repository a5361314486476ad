// One crash-safe commit of several files (a BFCL question file and its possible_answer/ file): after
// a crash at any point the files hold either all old versions or all new ones. Files in different
// folders cannot be renamed in one step, so the renames are made under a commit record, a small
// journal beside the first file, `.NAME.commit`:
//
//   1. every new version is written to a temp file beside its target (folders created), fsynced;
//   2. the record — the list of (temp → target) renames and files to remove — is created in one
//      step (written to a temp of its own, fsynced, then hard-linked to its name, which fails if
//      another commit holds it): this is the commit point;
//   3. the renames and removals are made, the folders fsynced, the record removed.
//
// A crash before 2 leaves the old files untouched, plus temp files that the next write of those
// files removes (atomicWrite.ts: they carry the pid of a process that is gone). A crash after 2
// leaves the record; settleCommit, which the next commit of the same file and the CLI's readers
// run first, completes it: a rename whose temp file is gone was made already. Between 2 and 3's
// end the files on disk can be half old, half new — for the time of a few renames, and then only
// while the record that completes them is there.
//
// The record is also the lock of the short rename phase: two commits of the same files do not mix
// their renames. A record of a live process (a commit in progress) is waited for, briefly.
import { link, mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { pidAlive, removeStaleTemps, syncDir, targetMode, tempPath, writeTarget, writeTemp, type AtomicData } from './atomicWrite';

export interface CommitFile {
  path: string;
  /**
   * The new content, or null: the file is removed (a stale companion of the others). A function
   * is called when the file's turn comes, after the files before it are written (content that
   * depends on reading theirs).
   */
  data: AtomicData | null | (() => AtomicData | null);
  /** Mode for a new file (default 0o644); an existing file's mode is kept. */
  mode?: number;
}

/** Where a commit is: `staged:N` (file N's temp written), committed, `applied:N`, done. For tests. */
export type CommitStep = string;

export interface CommitOptions {
  signal?: AbortSignal;
  /** Called after each step, and awaited (tests stop a process there to kill it). */
  onStep?: (step: CommitStep) => unknown;
  /** How long to wait for another live process's commit of the same files (default 10 s). */
  waitMs?: number;
}

interface RecordFile {
  /** Paths relative to the record's folder (the record still applies if the folder is moved). */
  target: string;
  tmp: string | null;
}

interface CommitRecord {
  itoolCommit: 1;
  pid: number;
  files: RecordFile[];
}

/** The commit record of the files whose first is `primary`. */
export function commitRecordPath(primary: string): string {
  return join(dirname(primary), `.${basename(primary)}.commit`);
}

/** Records (and claimed records) this process is working on now: ours, and live. */
const held = new Set<string>();

/** Whether the commit record (or claim) at `path`, made by `pid`, belongs to a running commit. */
const running = (pid: number, path: string): boolean => (pid === process.pid ? held.has(path) : pidAlive(pid));

const errno = (err: unknown): string | undefined => (err as NodeJS.ErrnoException).code;

/**
 * Replace (or remove) every file in `files` as one commit; the record lives beside the first.
 * Resolves once the new versions are durable. On an error before the commit point nothing is
 * changed and the temp files are removed; after it, the record stays for the next run to complete.
 */
export async function commitFiles(files: readonly CommitFile[], opts: CommitOptions = {}): Promise<void> {
  if (files.length === 0) return;
  opts.signal?.throwIfAborted();
  const targets = await Promise.all(files.map((f) => writeTarget(resolve(f.path))));
  if (new Set(targets).size !== targets.length) throw new Error(`commitFiles: a file is named twice (${targets.join(', ')})`);
  const record = commitRecordPath(targets[0]);
  const step = async (s: CommitStep): Promise<void> => {
    if (opts.onStep) await opts.onStep(s);
  };

  // A killed run's leftovers first: its recorded commit is completed, its temp files removed.
  await settleCommit(targets[0], { waitMs: opts.waitMs });
  for (const t of [...targets, record]) await removeStaleTemps(t);

  const staged: { target: string; tmp: string | null }[] = [];
  let committed = false;
  try {
    for (let i = 0; i < files.length; i++) {
      const f = files[i];
      const target = targets[i];
      const data = typeof f.data === 'function' ? f.data() : f.data;
      if (data === null) {
        staged.push({ target, tmp: null });
        continue;
      }
      await mkdir(dirname(target), { recursive: true });
      const mode = await targetMode(target, f.mode);
      staged.push({ target, tmp: await writeTemp(target, data, mode, opts.signal) });
      await step(`staged:${i}`);
    }
    // The temp files' names must be durable before a durable record names them.
    for (const dir of new Set(staged.filter((s) => s.tmp).map((s) => dirname(s.target)))) await syncDir(dir);
    opts.signal?.throwIfAborted();
    const base = dirname(record);
    const body: CommitRecord = { itoolCommit: 1, pid: process.pid, files: staged.map((s) => ({ target: relative(base, s.target), tmp: s.tmp && relative(base, s.tmp) })) };
    await createRecord(record, `${JSON.stringify(body)}\n`, targets[0], opts.waitMs);
    committed = true;
    await syncDir(base);
    await step('committed');
    await apply(staged, (s) => step(`applied:${s}`));
    await unlink(record);
    held.delete(record);
    await syncDir(base);
    await step('done');
  } catch (err) {
    if (!committed) {
      for (const s of staged) if (s.tmp) await unlink(s.tmp).catch(() => undefined);
    } else {
      held.delete(record);
      (err as Error).message += ` (the new files are recorded in ${record}: the next run completes the commit)`;
    }
    throw err;
  }
}

/** Renames (and removals) in record order, then the folders fsynced. A rename whose temp is gone was made. */
async function apply(files: readonly { target: string; tmp: string | null }[], after?: (i: number) => Promise<void>): Promise<void> {
  for (let i = 0; i < files.length; i++) {
    const f = files[i];
    try {
      if (f.tmp) await rename(f.tmp, f.target);
      else await unlink(f.target);
    } catch (err) {
      if (errno(err) !== 'ENOENT') throw err;
    }
    await after?.(i);
  }
  for (const dir of new Set(files.map((f) => dirname(f.target)))) await syncDir(dir);
}

/**
 * Create the record in one step: its whole content under its name or nothing. A record already
 * there is settled first (completed if its process is gone, waited for if it is running).
 */
async function createRecord(record: string, text: string, primary: string, waitMs?: number): Promise<void> {
  const tmp = tempPath(record);
  const fh = await open(tmp, 'wx', 0o644);
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    for (;;) {
      try {
        await link(tmp, record);
        held.add(record);
        return;
      } catch (err) {
        const code = errno(err);
        if (code !== 'EEXIST') {
          if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS' || code === 'EOPNOTSUPP') {
            // No hard links here (some network and FAT file systems): an exclusive create. A record
            // cut short by a crash reads as uncommitted, which it is: no rename was made yet.
            const h = await open(record, 'wx', 0o644);
            held.add(record);
            try {
              await h.writeFile(text);
              await h.sync();
            } finally {
              await h.close();
            }
            return;
          }
          throw err;
        }
        if ((await settleCommit(primary, { waitMs })) === 'busy') throw new Error(`${primary}: another process is committing these files (${record}); try again when it is done`);
      }
    }
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

export type SettleResult = 'none' | 'completed' | 'busy';

/**
 * Complete the recorded commit of the files whose first is `primary` if the process that made it
 * is gone (a crash between the commit point and the end of the renames). 'none': no record (or
 * one that was never committed, removed); 'completed': the files are now the commit's new ones;
 * 'busy': a live process is committing them and did not finish within `waitMs` (default 10 s;
 * 0: do not wait). Readers of such files call it before reading them.
 */
export async function settleCommit(primary: string, opts: { waitMs?: number } = {}): Promise<SettleResult> {
  const target = await writeTarget(resolve(primary));
  const record = commitRecordPath(target);
  const dir = dirname(record);
  const until = Date.now() + (opts.waitMs ?? 10_000);
  let result: SettleResult = 'none';
  for (;;) {
    // The live record, and any a settler claimed and did not finish (it died too).
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return result;
    }
    const prefix = `${basename(record)}.`;
    const candidates = [...(names.includes(basename(record)) ? [record] : []), ...names.filter((n) => n.startsWith(prefix) && n.endsWith('.recover')).map((n) => join(dir, n))];
    let busy = false;
    for (const c of candidates) {
      const r = await settleOne(c, record);
      if (r === 'busy') busy = true;
      else if (r === 'completed') result = 'completed';
    }
    if (!busy) return result;
    if (Date.now() >= until) return 'busy';
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function settleOne(path: string, record: string): Promise<SettleResult> {
  let owner: number | undefined;
  if (path === record) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if (errno(err) === 'ENOENT') return 'none';
      throw err;
    }
    owner = parseRecord(text)?.pid;
    // A record that does not parse is being written by a live process (only without hard links)
    // or was cut short by a crash: its own process decides, or the holder check on our side.
    if (held.has(path) || (owner !== undefined && running(owner, path))) return 'busy';
  } else {
    owner = Number(/\.(\d+)\.recover$/.exec(path)?.[1]);
    if (running(owner, path)) return 'busy';
  }
  // Claim it: of several settlers, exactly one renames it away; the others find it gone.
  const mine = `${record}.${process.pid}.recover`;
  if (path !== mine) {
    try {
      await rename(path, mine);
    } catch (err) {
      if (errno(err) === 'ENOENT') return 'none';
      throw err;
    }
  }
  held.add(mine);
  try {
    const rec = parseRecord(await readFile(mine, 'utf8'));
    const base = dirname(record);
    // A record cut short before it was complete (only without hard links, or by a power cut) was
    // never committed: no rename was made under it.
    if (rec) await apply(rec.files.map((f) => ({ target: resolve(base, f.target), tmp: f.tmp === null ? null : resolve(base, f.tmp) })));
    await unlink(mine);
    await syncDir(base);
    return rec ? 'completed' : 'none';
  } finally {
    held.delete(mine);
  }
}

function parseRecord(text: string): CommitRecord | undefined {
  try {
    const r = JSON.parse(text) as CommitRecord;
    if (r?.itoolCommit !== 1 || !Number.isInteger(r.pid) || !Array.isArray(r.files)) return undefined;
    if (!r.files.every((f) => typeof f?.target === 'string' && (f.tmp === null || typeof f.tmp === 'string'))) return undefined;
    return r;
  } catch {
    return undefined;
  }
}

/**
 * Before reading files written as one commit (a BFCL pair from `itool convert`): if a run was killed
 * in the middle of its renames, complete them, so the questions are read with their own answers.
 * Best effort: a folder this process cannot write is read as it is.
 */
export async function settleRecordedCommit(file: string): Promise<void> {
  try {
    await settleCommit(file, { waitMs: 5000 });
  } catch {
    // read what is there
  }
}
