// The one place the core starts a worker thread: a module of its own (its bundle beside dist/'s
// bundles when built, its TypeScript source when the core runs under tsx), or plain JavaScript
// evaluated as it is (the record index's kernel).
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

export type WorkerEntry =
  /**
   * A module of its own: `bundle`, the file scripts/build.mjs writes beside the bundles in dist/;
   * `source`, its TypeScript file relative to src/core.
   */
  | { bundle: string; source: string }
  /** Self-contained JavaScript, the same under tsx and in a bundle. */
  | { code: string };

export function startWorker(entry: WorkerEntry, workerData: unknown): Worker {
  if ('code' in entry) return new Worker(entry.code, { eval: true, workerData });
  // Built, this module lies in one of dist/'s bundles, beside the worker's own.
  if (!__filename.endsWith('.ts')) return new Worker(join(__dirname, entry.bundle), { workerData });
  // From TypeScript source (tests under tsx): Node 20 workers do not inherit tsx's loader, so a
  // two-line bootstrap registers tsx's require hook and loads the source.
  return new Worker(`require('tsx/cjs'); require(${JSON.stringify(join(__dirname, entry.source))});`, { eval: true, workerData });
}
