// LLaMA-Factory's progress file, OUTPUT_DIR/trainer_log.jsonl (FORMATS.md): rank 0 appends one
// JSON object per logging step, e.g.
//   {"current_steps": 10, "total_steps": 100, "loss": 0.6931, "lr": 4.5e-06, "epoch": 0.1,
//    "percentage": 10.0, "elapsed_time": "0:00:12", "remaining_time": "0:01:48"}
// Keys with no value are left out, newer versions add keys (throughput, total_tokens, vram), and
// Python's json.dumps writes a diverged loss as a bare `NaN`. Our TRL launch script's callback
// writes the same format, so one reader serves both. The file grows while we read it: a poll may
// see a half-written last line, which waits for the next poll.
import { open, type FileHandle } from 'node:fs/promises';
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
