// The round registry: one JSON file beside the dataset (`DATASET.itool/rounds/rounds.json`) that
// says, for every round, which policy it started from, which calibration, selection and search it
// used, how many pairs were found and accepted, what was exported, the training job, the policy it
// produced and its held-out numbers. Rewritten atomically on every change, and changes are
// serialised per file within a process, so a crash leaves either the old or the new registry.
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { metadataDir } from '../dataset/metadata';
import { writeFileAtomic } from '../store/atomicWrite';
import type { CalibrationResult } from '../calibrate/calibrate';
import type { PplSummary, RoundRecord, RoundRegistry } from './types';

export function registryPath(datasetPath: string): string {
  return join(metadataDir(datasetPath), 'rounds', 'rounds.json');
}

/** Where a round's exports, configs, logs and trainer output live. */
export function roundDir(datasetPath: string, round: number): string {
  return join(metadataDir(datasetPath), 'rounds', `round-${round}`);
}

export class RegistryError extends Error {}

/** A round's perplexities for the dashboard's histogram: every finite PPL the calibration scored, and their median. */
export function pplSummary(cal: CalibrationResult): PplSummary {
  const values = cal.entries.flatMap((e) => (e.ppl !== null && Number.isFinite(e.ppl) ? [e.ppl] : []));
  const sorted = [...values].sort((a, b) => a - b);
  return { calibration: cal.path, scored: values.length, median: sorted.length ? sorted[Math.floor(sorted.length / 2)] : NaN, values };
}

/** The registry of a dataset; an empty one when none was written yet. */
export async function readRegistry(datasetPath: string): Promise<RoundRegistry> {
  const path = registryPath(datasetPath);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, dataset: datasetPath, rounds: [] };
    throw err;
  }
  let reg: RoundRegistry;
  try {
    reg = JSON.parse(text) as RoundRegistry;
  } catch (err) {
    throw new RegistryError(`${path} is not valid JSON (${(err as Error).message}); it was left as it is`);
  }
  if (reg?.version !== 1 || !Array.isArray(reg.rounds)) throw new RegistryError(`${path} is not a round registry (version 1 with a rounds list); it was left as it is`);
  return reg;
}

const queues = new Map<string, Promise<unknown>>();

/**
 * Read-modify-write the registry. Calls for the same dataset run one after another, so two
 * updates (a progress poll and an evaluation finishing) never lose each other's change.
 */
export function updateRegistry<T>(datasetPath: string, fn: (reg: RoundRegistry) => T | Promise<T>): Promise<T> {
  const path = registryPath(datasetPath);
  const run = (queues.get(path) ?? Promise.resolve()).catch(() => undefined).then(async () => {
    const reg = await readRegistry(datasetPath);
    const out = await fn(reg);
    await mkdir(dirname(path), { recursive: true });
    await writeFileAtomic(path, `${JSON.stringify(reg, null, 2)}\n`);
    return out;
  });
  queues.set(path, run);
  return run;
}

/** The record of round `n`, created (with the given policy) when missing. */
export function ensureRound(reg: RoundRegistry, n: number, policy: RoundRecord['policy']): RoundRecord {
  let r = reg.rounds.find((x) => x.round === n);
  if (!r) {
    r = { round: n, policy };
    reg.rounds.push(r);
    reg.rounds.sort((a, b) => a.round - b.round);
  }
  return r;
}

/** Merge fields into round `n` (created with `policy` when missing) and write. */
export function recordRound(datasetPath: string, n: number, policy: RoundRecord['policy'], fields: Partial<RoundRecord>): Promise<RoundRecord> {
  return updateRegistry(datasetPath, (reg) => {
    const r = ensureRound(reg, n, policy);
    Object.assign(r, fields);
    return r;
  });
}

/** The round whose job is still running, if any (there is at most one training job per dataset). */
export function runningRound(reg: RoundRegistry): RoundRecord | undefined {
  return reg.rounds.find((r) => r.job?.status === 'running');
}

/** Merge fields into an existing round `n` (which a started round always has) and write. */
export function patchRound(datasetPath: string, n: number, fields: Partial<RoundRecord>): Promise<RoundRecord> {
  return updateRegistry(datasetPath, (reg) => {
    const r = reg.rounds.find((x) => x.round === n);
    if (!r) throw new RegistryError(`round ${n} is not in ${registryPath(datasetPath)}`);
    Object.assign(r, fields);
    return r;
  });
}
