// Worker thread for Dataset.check(): judges a run of records (strict UTF-8, JSON, and the
// format's shape) off the caller's thread, so a full check of a 1 GB file never stalls the
// extension host. It rebuilds a RecordIndex over just its run from the offsets it is handed.
import { parentPort, workerData } from 'node:worker_threads';
import { RecordIndex, RecordReader, type Container } from './recordIndex';
import { FORMATS } from './formats/index';
import { bfclReader } from './formats/bfclFiles';
import { FormatError, type FormatId } from './sample';

export interface CheckJob {
  path: string;
  size: number;
  mtimeMs: number;
  container: Container;
  format: FormatId;
  /** Index of the run's first record in the whole file. */
  base: number;
  /** eofRecord relative to this run, or -1. */
  eofRecord: number;
  starts: Float64Array;
  lens: Uint32Array;
  lines: Uint32Array;
  /** Records per read. */
  batch: number;
}

export type CheckMessage =
  | { type: 'bad'; items: { index: number; line: number; reason: string }[] }
  | { type: 'progress'; records: number }
  | { type: 'done'; ok: number };

/** Judge the run; `post` gets problems and progress as they come, and `done` last. */
export async function checkRecords(job: CheckJob, post: (m: CheckMessage) => void): Promise<void> {
  const index = new RecordIndex(job.path, job.size, job.mtimeMs, job.container, job.starts, job.lens, job.lines, [], job.eofRecord);
  const reader = new RecordReader(index);
  // BFCL records may need the side files beside the file (class docs, answers) to be read, as
  // Dataset reads them: the same reader, so a full check and the list agree.
  const format = FORMATS[job.format];
  const read = job.format === 'bfcl' ? bfclReader(job.path) : (value: unknown, i: number) => format.read(value, i);
  let ok = 0;
  try {
    for (let from = 0; from < index.count; from += job.batch) {
      const to = Math.min(index.count, from + job.batch);
      const bad: { index: number; line: number; reason: string }[] = [];
      const results = await reader.parseRange(from, to);
      results.forEach((r, k) => {
        const i = job.base + from + k;
        if (!r.ok) return void bad.push({ index: i, line: r.line, reason: r.reason });
        try {
          read(r.value, i);
          ok++;
        } catch (err) {
          if (!(err instanceof FormatError)) throw err;
          bad.push({ index: i, line: r.line, reason: `line ${r.line}: ${err.message}` });
        }
      });
      if (bad.length) post({ type: 'bad', items: bad } satisfies CheckMessage);
      post({ type: 'progress', records: to - from } satisfies CheckMessage);
    }
  } finally {
    await reader.close();
  }
  post({ type: 'done', ok } satisfies CheckMessage);
}

if (parentPort && workerData?.checkJob) {
  const port = parentPort;
  // A rejection surfaces as the worker's 'error' event in the parent.
  void checkRecords(workerData.checkJob as CheckJob, (m) => port.postMessage(m));
}
