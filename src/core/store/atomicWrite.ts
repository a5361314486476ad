// Crash-safe file replacement: write a uniquely named temp file in the target's directory (rename
// is only atomic within one file system), fsync it, rename it over the target, then fsync the
// directory so the rename itself survives a power cut. Readers see either the old file or the
// new one, never a half-written one. On any error the temp file is removed and the target is
// left exactly as it was.
//
// A process killed mid-write (SIGKILL, a crash, Ctrl+C during a long write) cannot remove its temp
// file, so temp files carry the writer's pid — `.NAME.PID.RANDOM.tmp` — and every write first
// removes the temp files of NAME whose process is gone (removeStaleTemps). A live process's temp
// files are never touched.
import { randomBytes } from 'node:crypto';
import { open, readdir, realpath, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export type AtomicData = string | Uint8Array | Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>;

export interface AtomicWriteOptions {
  /** File mode for a new file (default 0o644); an existing target's mode is always kept. */
  mode?: number;
  signal?: AbortSignal;
}

/** Streamed chunks are gathered into writes of about this size: one syscall per small record is slow. */
const BATCH = 1 << 20;

/** `.NAME.PID.RANDOM.tmp`: the temp file name pattern (RANDOM is 12 hex digits). */
const TEMP = /^\.(.+)\.(\d+)\.[0-9a-f]{12}\.tmp$/;

/** A fresh temp file path beside `target` (same directory, so the rename stays on one file system). */
export function tempPath(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/** The pid a temp file name carries, when it is one of ours for `target`'s name. */
export function tempOwner(name: string, targetName?: string): number | undefined {
  const m = TEMP.exec(name);
  if (!m || (targetName !== undefined && m[1] !== targetName)) return undefined;
  return Number(m[2]);
}

/** Whether a process with this pid exists (EPERM: it does, owned by someone else). */
export function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove the temp files that writers of `target` left behind when they died (their pid is not a
 * running process). Best effort: returns how many were removed; a directory that cannot be read
 * removes none. (A pid reused by a new process keeps its dead owner's file until that one ends.)
 */
export async function removeStaleTemps(target: string): Promise<number> {
  const dir = dirname(target);
  const name = basename(target);
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const e of entries) {
    const pid = tempOwner(e, name);
    if (pid === undefined || pidAlive(pid)) continue;
    try {
      await unlink(join(dir, e));
      removed++;
    } catch {
      // gone already (another run cleaned it), or not ours to remove
    }
  }
  return removed;
}

/** The file a write to `path` replaces: through a symlink to the file it points at. */
export async function writeTarget(path: string): Promise<string> {
  return realpath(path).catch(() => path);
}

/** The mode a new version of `target` gets: the existing file's, else `mode` (default 0o644). */
export async function targetMode(target: string, mode = 0o644): Promise<number> {
  try {
    return (await stat(target)).mode & 0o7777;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return mode;
  }
}

/**
 * Write `data` to a new temp file beside `target`, fsynced and closed; resolves with its path. On
 * any error the temp file is removed.
 */
export async function writeTemp(target: string, data: AtomicData, mode: number, signal?: AbortSignal): Promise<string> {
  const tmp = tempPath(target);
  let fh: FileHandle | undefined;
  try {
    fh = await open(tmp, 'wx', mode); // 'wx': never clobber anything, even a colliding temp name
    await fh.chmod(mode); // open()'s mode is masked by the umask; the target's mode must survive exactly
    await writeAll(fh, data, signal);
    await fh.sync();
    await fh.close();
    fh = undefined;
    return tmp;
  } catch (err) {
    await fh?.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

export async function writeFileAtomic(path: string, data: AtomicData, opts: AtomicWriteOptions = {}): Promise<void> {
  opts.signal?.throwIfAborted();
  // Write through a symlink to the file it points at, instead of replacing the link with a file.
  const target = await writeTarget(path);
  const mode = await targetMode(target, opts.mode);
  await removeStaleTemps(target);
  const tmp = await writeTemp(target, data, mode, opts.signal);
  try {
    opts.signal?.throwIfAborted();
    await rename(tmp, target);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await syncDir(dirname(target));
}

async function writeAll(fh: FileHandle, data: AtomicData, signal: AbortSignal | undefined): Promise<void> {
  if (typeof data === 'string' || data instanceof Uint8Array) {
    await writeBuf(fh, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    return;
  }
  let pending: Buffer[] = [];
  let size = 0;
  const flush = async () => {
    if (size === 0) return;
    await writeBuf(fh, pending.length === 1 ? pending[0] : Buffer.concat(pending, size));
    pending = [];
    size = 0;
  };
  for await (const chunk of data as AsyncIterable<string | Uint8Array>) {
    signal?.throwIfAborted();
    // Copy binary chunks: a producer may reuse its buffer once it has yielded it.
    const b = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk);
    pending.push(b);
    size += b.length;
    if (size >= BATCH) await flush();
  }
  await flush();
}

async function writeBuf(fh: FileHandle, buf: Uint8Array): Promise<void> {
  // FileHandle.write may write less than asked (e.g. on a full pipe or some network file systems).
  for (let off = 0; off < buf.length; ) {
    const { bytesWritten } = await fh.write(buf, off, buf.length - off);
    off += bytesWritten;
  }
}

/**
 * fsync the directory so the rename is durable. Best effort: some platforms (Windows) cannot open
 * a directory, and once the rename is done an error here must not report the write as failed.
 */
export async function syncDir(dir: string): Promise<void> {
  let dh: FileHandle | undefined;
  try {
    dh = await open(dir, 'r');
    await dh.sync();
  } catch {
    // durability of the rename is then up to the file system
  } finally {
    await dh?.close().catch(() => undefined);
  }
}
