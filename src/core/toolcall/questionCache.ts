// What judging needs of a plain BFCL question file, kept between runs. `itool check` and the
// reward service are run again and again on the same question folder (each checkpoint, each batch
// of completions), and reading it is most of a run: BFCL's ten Python categories are 8 MB of JSON,
// almost all of it function descriptions judging never reads. The first run reads each file as
// bfclQuestions.ts does and writes beside it, in the user's cache folder, what a verdict depends
// on: the ids, each sample's possible answers, and the schema of each function those answers name
// (descriptions left out). Later runs read that (a fifth of the size) while the file is unchanged.
//
// Unchanged means the same file (device, inode), size, modification and change times to the
// nanosecond, for the question file and for its possible_answer file (or still none), read by the
// same build of this code (the bundle's own size and time are in the key), with the same turns
// mode. A file written in the last two seconds is not cached: a file system with coarse times
// could change it again within the same tick. A cache entry that cannot be read, is torn, or
// does not match is ignored and written again; a cache that cannot be written is only slower.
// Answers given apart from the questions (`--answers` elsewhere) may name other functions, so
// that case never uses the cache (checkSources.ts).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeFileSync, type BigIntStats } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { TurnsMode } from '../dataset/answers';
import { bfclAnswersFile } from '../dataset/formats/bfclFiles';
import type { Sample, ToolDef } from '../dataset/sample';
import { readBfclQuestions, type BfclQuestions } from './bfclQuestions';
import type { SampleAt } from './datasetCheck';

/** Bumped when what an entry holds changes shape. */
const FORMAT = 1;
/** A file changed more recently than this is read, not cached. */
const SETTLE_NS = 2_000_000_000n;

/**
 * The cache folder: ITOOL_CACHE_DIR (`off` turns caching off), else $XDG_CACHE_HOME/itool-studio,
 * else ~/.cache/itool-studio. Undefined when off.
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const set = env.ITOOL_CACHE_DIR;
  if (set !== undefined && set !== '') return set === 'off' ? undefined : set;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'itool-studio');
}

const statBig = (path: string): BigIntStats => statSync(path, { bigint: true });

/** Stat fields that change when a file is replaced or written; null for a missing file. */
const identity = (s: BigIntStats | undefined): string | null => (s === undefined ? null : `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`);

/** This build of the reader: the running bundle (or source file) itself. */
let build: string | undefined;
const buildId = (): string => (build ??= `${FORMAT}:${identity(statBig(__filename))}`);

interface Entry {
  key: string;
  count: number;
  /** [id, record index] or [id, record index, answer]. */
  ids: [string, number, number?][];
  samples: Sample[];
}

/** Only what a verdict reads of a sample: see the head of this file. */
function forJudging(s: Sample): Sample {
  const named = new Set<string>();
  for (const a of s.possibleAnswers ?? []) for (const fn of Object.keys(a)) named.add(fn);
  const tools: ToolDef[] = [];
  for (const t of s.tools) if (named.has(t.name)) tools.push(t.parameters === undefined ? { name: t.name } : { name: t.name, parameters: withoutDescriptions(t.parameters) as Record<string, unknown> });
  // The question's text is not judged: turns go (the fast reader writes no reference turn).
  return { ...s, turns: [], referenceIndex: -1, tools };
}

function withoutDescriptions(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutDescriptions);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (k !== 'description') out[k] = withoutDescriptions(x);
  return out;
}

/**
 * readBfclQuestions with the cache in `dir` (see the head of this file): the same ids and count,
 * and samples that judge every output the same way (their turns and descriptions left out).
 */
export function readBfclQuestionsCached(path: string, turns: TurnsMode, keep: (id: string) => boolean, dir: string): BfclQuestions | undefined {
  let key: string;
  let file: string;
  let stat: BigIntStats;
  try {
    const answers = bfclAnswersFile(path);
    stat = statBig(path);
    key = JSON.stringify([buildId(), turns, identity(stat), answers === undefined ? null : realpathSync(answers), identity(answers === undefined ? undefined : statBig(answers))]);
    file = join(dir, 'bfcl-questions', `${createHash('sha256').update(realpathSync(path)).digest('hex').slice(0, 32)}.json`);
  } catch {
    return readBfclQuestions(path, turns, keep); // unreadable: the reader says what is wrong
  }
  const hit = readEntry(file, key);
  if (hit) {
    const ids = new Map<string, SampleAt>();
    for (const [id, index, answer] of hit.ids) ids.set(id, answer === undefined ? { index } : { index, answer });
    const samples = new Map<string, Sample>();
    for (const s of hit.samples) if (keep(s.id)) samples.set(s.id, s);
    return { count: hit.count, ids, samples };
  }
  const read = readBfclQuestions(path, turns, () => true);
  if (!read) return undefined;
  if (settled(stat)) writeEntry(file, { key, count: read.count, ids: [...read.ids].map(([id, at]) => (at.answer === undefined ? [id, at.index] : [id, at.index, at.answer])), samples: [...read.samples.values()].map(forJudging) });
  for (const id of [...read.samples.keys()]) if (!keep(id)) read.samples.delete(id);
  return read;
}

function readEntry(file: string, key: string): Entry | undefined {
  try {
    const e = JSON.parse(readFileSync(file, 'utf8')) as Entry;
    return e.key === key && Array.isArray(e.ids) && Array.isArray(e.samples) && typeof e.count === 'number' ? e : undefined;
  } catch {
    return undefined; // none yet, torn, or not ours: read the file
  }
}

/**
 * Last written more than SETTLE_NS before the stat in the key was taken. A write after that stat
 * sets the modification time to the present, which then differs from the one in the key; only a
 * write within the same tick of a coarse clock as the file's last one could leave every field of
 * the key as it was. (The change time is in the key but not asked to be old: setting a file's
 * times, as `cp -p` does, renews it.)
 */
function settled(s: BigIntStats): boolean {
  return BigInt(Date.now()) * 1_000_000n - s.mtimeNs > SETTLE_NS;
}

/** Written whole or not at all: a temporary file renamed over the entry (a torn one reads as a miss). */
function writeEntry(file: string, entry: Entry): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(tmp, JSON.stringify(entry), { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was written
    }
  }
}

