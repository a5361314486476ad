// LLaMA-Factory's progress file, OUTPUT_DIR/trainer_log.jsonl (FORMATS.md): rank 0 appends one
// JSON object per logging step, e.g.
//   {"current_steps": 10, "total_steps": 100, "loss": 0.6931, "lr": 4.5e-06, "epoch": 0.1,
//    "percentage": 10.0, "elapsed_time": "0:00:12", "remaining_time": "0:01:48"}
// Keys with no value are left out, newer versions add keys (throughput, total_tokens, vram), and
// Python's json.dumps writes a diverged loss as a bare `NaN`. Our TRL launch script's callback
// writes the same format, so one reader serves both. The file grows while we read it: a poll may
// see a half-written last line, which waits for the next poll.
import { open, type FileHandle } from 'node:fs/promises';
import { LossLogParser, type LossLog } from '../lossCurve';
import type { JobProgress } from '../types';

/** One parsed line, or undefined when it is not a progress object (blank, garbage, not JSON). */
export function parseTrainerLogLine(line: string): JobProgress | undefined {
  const text = line.trim();
  if (!text.startsWith('{')) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    // Python writes NaN/Infinity as bare words, which JSON.parse refuses: read them as no value.
    try {
      raw = JSON.parse(text.replace(/:\s*(-?Infinity|NaN)\b/g, ': null'));
    } catch {
      return undefined;
    }
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const o = raw as Record<string, unknown>;
  const num = (k: string): number | undefined => (typeof o[k] === 'number' && Number.isFinite(o[k]) ? (o[k] as number) : undefined);
  const str = (k: string): string | undefined => (typeof o[k] === 'string' && o[k] ? (o[k] as string) : undefined);
  const currentSteps = num('current_steps');
  const totalSteps = num('total_steps');
  // A line without any step or percentage (some other JSON object) is not progress.
  if (currentSteps === undefined && totalSteps === undefined && num('percentage') === undefined) return undefined;
  // percentage 0 may be left out like any empty value; derive it from the steps when we can.
  let percentage = num('percentage') ?? (currentSteps !== undefined && totalSteps ? (currentSteps / totalSteps) * 100 : 0);
  percentage = Math.min(100, Math.max(0, percentage));
  const p: JobProgress = { percentage };
  if (currentSteps !== undefined) p.currentSteps = currentSteps;
  if (totalSteps !== undefined) p.totalSteps = totalSteps;
  const loss = num('loss');
  if (loss !== undefined) p.loss = loss;
  const remaining = str('remaining_time');
  if (remaining) p.remainingTime = remaining;
  const elapsed = str('elapsed_time');
  if (elapsed) p.elapsedTime = elapsed;
  // The values JobProgress has no field for go into the status line the dashboard shows.
  const extra = ([
    ['epoch', num('epoch')],
    ['eval_loss', num('eval_loss')],
    ['reward', num('reward')],
    ['accuracy', num('accuracy')],
    ['lr', num('lr')],
  ] as [string, number | undefined][]).filter((e): e is [string, number] => e[1] !== undefined);
  const fmt = (v: number): string => (v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential(2) : String(+v.toPrecision(4)));
  if (extra.length) p.message = extra.map(([k, v]) => `${k} ${fmt(v)}`).join(', ');
  return p;
}

/** A poll reads at most this much; the rest waits for the next poll (a trainer log is small). */
const MAX_READ = 4 << 20;

/**
 * Follows a trainer_log.jsonl as it grows, reading only the bytes added since the last poll. It
 * never advances past an incomplete last line. A file that shrank (the trainer deleted the old log
 * and started a new one: LLaMA-Factory does with overwrite_output_dir) is read again from its start.
 */
export class TrainerLogTail {
  private last: JobProgress | undefined;

  /** `offset`: where to start, e.g. the size the file had before this job started (older runs' lines). */
  constructor(
    readonly path: string,
    private offset = 0,
  ) {}

  /** Bytes consumed so far (the end of the last complete line read). */
  get position(): number {
    return this.offset;
  }

  /** The newest progress read so far. */
  get latest(): JobProgress | undefined {
    return this.last;
  }

  /** The progress lines added since the last call, in file order (a missing file reads as none). */
  async read(): Promise<JobProgress[]> {
    let fh: FileHandle;
    try {
      fh = await open(this.path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: JobProgress[] = [];
    try {
      const { size } = await fh.stat();
      if (size < this.offset) this.offset = 0;
      while (this.offset < size) {
        const len = Math.min(size - this.offset, MAX_READ);
        const buf = Buffer.alloc(len);
        const { bytesRead } = await fh.read(buf, 0, len, this.offset);
        // Only whole lines: cut after the last newline (a byte that never occurs inside a UTF-8
        // sequence, so no character is split either).
        const end = buf.subarray(0, bytesRead).lastIndexOf(0x0a);
        if (end < 0) break;
        for (const line of buf.subarray(0, end).toString('utf8').split('\n')) {
          const p = parseTrainerLogLine(line);
          if (p) out.push(p);
        }
        this.offset += end + 1;
        if (bytesRead < len) break;
      }
    } finally {
      await fh.close();
    }
    if (out.length) this.last = out[out.length - 1];
    return out;
  }
}

/** Most bytes one read takes in (a long run's log is read over a few polls rather than all at once). */
const MAX_CURVE_READ = 16 << 20;

/**
 * A trainer log read for its loss curve as it grows: each read() parses only the whole lines added
 * since the last (lossCurve.ts LossLogParser names the malformed ones with their line numbers). A
 * file that shrank (a new run replaced the log) is read again from its start. With `final` (the job
 * has ended) a last line without its newline is read too; while the job runs it may be half written.
 */
export class LossLogReader {
  private parser: LossLogParser | undefined;
  private position = 0;
  private line = 1;
  private tailRead = false;
  private seen: { size: number; mtimeMs: number } | undefined;

  /** `offset`: where this job's lines start (JobRecord.trainerLogOffset: an earlier run's lines come before). */
  constructor(
    readonly path: string,
    readonly offset = 0,
  ) {}

  /** The log as read so far, and whether this call read anything new; undefined while there is no file. */
  async read(final = false): Promise<{ log: LossLog; changed: boolean } | undefined> {
    let fh: FileHandle;
    try {
      fh = await open(this.path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    let changed = false;
    try {
      const st = await fh.stat();
      if (this.parser && this.seen && st.size === this.seen.size && st.mtimeMs === this.seen.mtimeMs && (this.tailRead || !final)) return { log: this.parser.log, changed: false };
      if (!this.parser || st.size < this.position || (this.tailRead && st.size !== this.seen?.size)) {
        // First read, or the log was replaced: count the lines before this job's offset, for the line numbers.
        const start = st.size >= this.offset ? this.offset : 0;
        this.line = 1 + (start ? await countLines(fh, start) : 0);
        this.parser = new LossLogParser(this.line);
        this.position = start;
        this.tailRead = false;
        changed = true;
      }
      while (this.position < st.size) {
        const len = Math.min(st.size - this.position, MAX_CURVE_READ);
        const buf = Buffer.alloc(len);
        const { bytesRead } = await fh.read(buf, 0, len, this.position);
        const end = buf.subarray(0, bytesRead).lastIndexOf(0x0a);
        if (end < 0) {
          // A last line without its newline: whole once the job has ended (read, and read again should it grow).
          if (final && bytesRead === st.size - this.position) {
            this.parser.add(buf.subarray(0, bytesRead).toString('utf8'));
            this.tailRead = true;
            changed = true;
          }
          break;
        }
        for (const l of buf.subarray(0, end).toString('utf8').split('\n')) this.parser.add(l);
        this.position += end + 1;
        changed = true;
        if (bytesRead < len) break;
      }
      this.seen = { size: st.size, mtimeMs: st.mtimeMs };
    } finally {
      await fh.close();
    }
    return { log: this.parser.log, changed };
  }
}

/** Newlines in the file's first `end` bytes. */
async function countLines(fh: FileHandle, end: number): Promise<number> {
  let n = 0;
  const buf = Buffer.alloc(Math.min(end, 1 << 20));
  for (let at = 0; at < end; ) {
    const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, end - at), at);
    if (bytesRead === 0) break;
    for (let i = 0; i < bytesRead; i++) if (buf[i] === 0x0a) n++;
    at += bytesRead;
  }
  return n;
}
