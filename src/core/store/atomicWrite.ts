// Crash-safe file replacement: write a uniquely named temp file in the target's directory (rename
// is only atomic within one file system), fsync it, rename it over the target, then fsync the
// directory so the rename itself survives a power cut. Readers see either the old file or the
// new one, never a half-written one. On any error the temp file is removed and the target is
// left exactly as it was.
import { randomBytes } from 'node:crypto';
import { open, realpath, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export type AtomicData = string | Uint8Array | Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>;

export interface AtomicWriteOptions {
  /** File mode for a new file (default 0o644); an existing target's mode is always kept. */
  mode?: number;
  signal?: AbortSignal;
}

/** Streamed chunks are gathered into writes of about this size: one syscall per small record is slow. */
const BATCH = 1 << 20;

export async function writeFileAtomic(path: string, data: AtomicData, opts: AtomicWriteOptions = {}): Promise<void> {
  opts.signal?.throwIfAborted();
  // Write through a symlink to the file it points at, instead of replacing the link with a file.
  const target = await realpath(path).catch(() => path);
  let mode = opts.mode ?? 0o644;
  try {
    mode = (await stat(target)).mode & 0o7777;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const dir = dirname(target);
  const tmp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let fh: FileHandle | undefined;
  try {
    fh = await open(tmp, 'wx', mode); // 'wx': never clobber anything, even a colliding temp name
    await fh.chmod(mode); // open()'s mode is masked by the umask; the target's mode must survive exactly
    await writeAll(fh, data, opts.signal);
    await fh.sync();
    await fh.close();
    fh = undefined;
    opts.signal?.throwIfAborted();
    await rename(tmp, target);
  } catch (err) {
    await fh?.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await syncDir(dir);
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
async function syncDir(dir: string): Promise<void> {
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
