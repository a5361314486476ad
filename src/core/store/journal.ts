// An append-only JSON Lines journal: the crash-safe way the project records work as it goes
// (calibration results now; review decisions later). Each entry is one `write` of one complete
// line to a file opened for appending, and `sync()` makes everything written so far durable. A
// crash can therefore only leave a partial LAST line, which reading ignores: earlier entries are
// never damaged, and a rerun resumes from what was read.
import { open, readFile, mkdir, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface JournalRead<T> {
  entries: T[];
  /** A partial final line left by a crash (ignored), or lines that are not JSON (listed, skipped). */
  damaged: { line: number; reason: string }[];
}

/** Read every complete entry; a missing file reads as empty. */
export async function readJournal<T>(path: string): Promise<JournalRead<T>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], damaged: [] };
    throw err;
  }
  const lines = text.split('\n');
  const complete = text.endsWith('\n') ? lines.slice(0, -1) : lines;
  const entries: T[] = [];
  const damaged: JournalRead<T>['damaged'] = [];
  complete.forEach((l, i) => {
    if (!l.trim()) return;
    const last = i === complete.length - 1 && !text.endsWith('\n');
    try {
      entries.push(JSON.parse(l) as T);
    } catch {
      damaged.push({ line: i + 1, reason: last ? 'incomplete last entry (the writer stopped mid-line)' : 'not JSON' });
    }
  });
  return { entries, damaged };
}

export class JournalWriter {
  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
  ) {}

  /**
   * Open for appending. If the file ends in a partial line (a crash mid-write), a newline is
   * written first so the next entry starts on a line of its own.
   */
  static async open(path: string): Promise<JournalWriter> {
    await mkdir(dirname(path), { recursive: true });
    const fh = await open(path, 'a+');
    const { size } = await fh.stat();
    if (size > 0) {
      const last = Buffer.alloc(1);
      await fh.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) await fh.write('\n');
    }
    return new JournalWriter(path, fh);
  }

  /** Append entries, each as one line; several entries go in one write. */
  async append(...entries: unknown[]): Promise<void> {
    if (entries.length === 0) return;
    await this.fh.write(entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
  }

  /** Make everything appended so far durable. */
  async sync(): Promise<void> {
    await this.fh.sync();
  }

  async close(): Promise<void> {
    await this.fh.sync().catch(() => undefined);
    await this.fh.close();
  }
}
