// Where `itool check` and the reward service find the sample of an output: one dataset, or a
// folder of BFCL question files where each id goes to the file of its category
// (`live_multiple_3-1-0` → BFCL_v4_live_multiple.json), as BFCL's own evaluation reads them.
// Each file is read and parsed once (a plain BFCL question file whole: bfclQuestions.ts); the
// samples asked for are kept from that pass, so judging never reads a file again.
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { TurnsMode } from '../dataset/answers';
import { Dataset } from '../dataset/dataset';
import type { FormatId, PossibleAnswer, Sample } from '../dataset/sample';
import { settleRecordedCommit } from '../store/commit';
import { readBfclQuestions } from './bfclQuestions';
import { readBfclQuestionsCached } from './questionCache';
import type { BfclCategory } from './check/index';
import { PredictionJudge, sampleIds } from './datasetCheck';

export interface SourceOptions {
  /** A dataset file, or a folder of BFCL question files (BFCL_v4_<category>.json). */
  path: string;
  /** Read the file as BFCL whatever detection says (`--questions`); a folder always is. */
  bfcl?: boolean;
  format?: FormatId;
  turns?: TurnsMode;
  /** BFCL possible answers replacing the ones beside the questions: a file, or a folder of them. */
  answers?: string;
  /** BFCL category for every sample instead of the one read from each id. */
  category?: BfclCategory;
  /** A folder where what judging needs of plain BFCL question files is kept between runs (questionCache.ts). */
  cache?: string;
}

export interface CheckSources {
  /** The dataset file, or the question folder. */
  dataset: string;
  folder: boolean;
  format: FormatId;
  /** Records in the files read. */
  records: number;
  /** The judge of an id, or why the id has none (a folder without its category's file). */
  route(id: string): PredictionJudge | string;
  close(): Promise<void>;
}

/** `{id, ground_truth}` per line (or one JSON array of them). Throws when the file holds none. */
export function loadAnswerFile(path: string): Map<string, PossibleAnswer[]> {
  const text = readFileSync(path, 'utf8');
  const trimmed = text.trimStart();
  let records: unknown[] = [];
  if (trimmed.startsWith('[')) {
    try {
      records = JSON.parse(trimmed) as unknown[];
    } catch {
      records = [];
    }
  }
  if (!Array.isArray(records) || records.length === 0) {
    records = text.split('\n').flatMap((l) => {
      try {
        return l.trim() ? [JSON.parse(l) as unknown] : [];
      } catch {
        return [];
      }
    });
  }
  const map = new Map<string, PossibleAnswer[]>();
  for (const r of records) {
    const rec = r as { id?: unknown; ground_truth?: unknown };
    if (rec && typeof rec.id === 'string' && Array.isArray(rec.ground_truth)) map.set(rec.id, rec.ground_truth as PossibleAnswer[]);
  }
  if (map.size === 0) throw new Error(`${path}: no BFCL possible answers ({"id", "ground_truth"} per line) in it`);
  return map;
}

export const isDir = (p: string): boolean => statSync(p).isDirectory();

/** BFCL question files in a folder by their category stem (`BFCL_v4_live_simple.json` → live_simple). */
export function bfclQuestionFiles(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of readdirSync(dir).sort()) {
    const m = /^BFCL_v\d+_(.+)\.json$/.exec(name);
    if (!m) continue;
    const had = files.get(m[1]);
    if (had) throw new Error(`${dir} holds both ${basename(had)} and ${name} for the category ${m[1]}: keep one BFCL version per folder`);
    files.set(m[1], join(dir, name));
  }
  if (files.size === 0) throw new Error(`${dir} holds no BFCL question files (BFCL_v4_<category>.json)`);
  return files;
}

/**
 * The question file an id belongs to: the longest category stem the id starts with, followed by
 * `_` (`live_parallel_multiple_0-0-0` is live_parallel_multiple, not live_parallel;
 * `multi_turn_base_0#2` is multi_turn_base).
 */
function stemRouter(stems: Iterable<string>): (id: string) => string | undefined {
  const sorted = [...stems].sort((a, b) => b.length - a.length);
  const memo = new Map<string, string | undefined>();
  return (id) => {
    // Everything up to the id's last `_` holds any `stem_` it starts with, and ids of one
    // category share it: each such prefix is routed once.
    const cut = id.lastIndexOf('_');
    const prefix = cut > 0 ? id.slice(0, cut + 1) : id;
    if (memo.has(prefix)) return memo.get(prefix);
    const stem = sorted.find((s) => prefix.startsWith(`${s}_`));
    memo.set(prefix, stem);
    return stem;
  };
}

interface Source {
  format: FormatId;
  /** Records in the file. */
  count: number;
  judge: PredictionJudge;
  close(): Promise<void>;
}

/**
 * Open `path` and keep the samples `keep` accepts, in the one pass that maps ids. A plain BFCL
 * question file is read whole, for judging only (bfclQuestions.ts); any other file is opened as a
 * Dataset (which the former opens too, should a sample ever have to be read again).
 */
async function openSource(path: string, opts: SourceOptions, format: FormatId | undefined, answers: Map<string, PossibleAnswer[]> | undefined, keep: (id: string) => boolean): Promise<Source> {
  await settleRecordedCommit(path);
  const judgeOpts = { answers, category: opts.category };
  const turns = opts.turns ?? 'each';
  // Answers given apart may name functions the cache left out: read the file itself then.
  const plain = format !== 'bfcl' ? undefined : opts.cache && !answers ? readBfclQuestionsCached(path, turns, keep, opts.cache) : readBfclQuestions(path, turns, keep);
  if (plain) {
    let opened: Promise<Dataset> | undefined;
    const dataset = () => (opened ??= Dataset.open(path, { format, turns: opts.turns }));
    const source = { path, sample: async (i: number, answer?: number) => (await dataset()).sample(i, answer) };
    const close = async () => {
      await opened?.then((d) => d.close(), () => undefined);
    };
    return { format: 'bfcl', count: plain.count, judge: new PredictionJudge(source, plain.ids, judgeOpts, plain.samples), close };
  }
  const ds = await Dataset.open(path, { format, turns: opts.turns });
  try {
    const loaded = new Map<string, Sample>();
    const ids = await sampleIds(ds, { keep, samples: loaded });
    return { format: ds.format.id, count: ds.count, judge: new PredictionJudge(ds, ids, judgeOpts, loaded), close: () => ds.close() };
  } catch (err) {
    await ds.close();
    throw err;
  }
}

/** Same file, whichever way it is named (a missing one is only equal to itself). */
function sameFile(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return resolve(a) === resolve(b);
  }
}

/**
 * Open what `opts.path` names for judging the outputs of `ids` (every sample when `ids` is
 * 'all': the reward service). A folder opens only the files of the categories the ids name.
 * Throws when a file cannot be read or is not a dataset.
 */
export async function openCheckSources(opts: SourceOptions, ids: Iterable<string> | 'all'): Promise<CheckSources> {
  const path = opts.path;
  const wanted = ids === 'all' ? undefined : new Set(ids);
  const keep = wanted ? (id: string) => wanted.has(id) : () => true;
  if (!isDir(path)) {
    let answersFile = opts.answers;
    if (answersFile && isDir(answersFile)) {
      answersFile = join(answersFile, basename(path));
      if (!existsSync(answersFile)) throw new Error(`no answer file for ${basename(path)} in ${opts.answers}`);
    }
    const answers = answersFile ? loadAnswerFile(answersFile) : undefined;
    const src = await openSource(path, opts, opts.bfcl ? 'bfcl' : opts.format, answers, keep);
    return { dataset: path, folder: false, format: src.format, records: src.count, route: () => src.judge, close: () => src.close() };
  }

  if (opts.answers && !isDir(opts.answers)) throw new Error(`${path} is a folder of questions, so the answers must be one too (its possible_answer/ folder), not the file ${opts.answers}`);
  const files = bfclQuestionFiles(path);
  const route = stemRouter(files.keys());
  const needed = new Set<string>();
  if (wanted) {
    for (const id of wanted) {
      const stem = route(id);
      if (stem !== undefined) needed.add(stem);
    }
  } else for (const stem of files.keys()) needed.add(stem);
  // Answers the files find beside them (possible_answer/ beside or one folder up) are read with
  // them, multi-turn ones included; an answers folder elsewhere replaces them (single-turn only).
  const beside = [join(path, 'possible_answer'), join(path, '..', 'possible_answer')];
  const given = opts.answers && !beside.some((b) => sameFile(b, opts.answers!)) ? opts.answers : undefined;
  // All at once: while one file waits for a read, another is parsed, so the thread never idles
  // on I/O (opened one after the other, a BFCL folder spent a twentieth of its run waiting).
  const stems = [...needed].sort();
  const settled = await Promise.allSettled(
    stems.map(async (stem) => {
      const file = files.get(stem)!;
      const answerPath = given && join(given, basename(file));
      const answers = answerPath ? (existsSync(answerPath) ? loadAnswerFile(answerPath) : new Map<string, PossibleAnswer[]>()) : undefined;
      return openSource(file, opts, 'bfcl', answers, keep);
    }),
  );
  const opened = new Map<string, Source>();
  settled.forEach((r, k) => {
    if (r.status === 'fulfilled') opened.set(stems[k], r.value);
  });
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all([...opened.values()].map((s) => s.close()));
    throw failed.reason;
  }
  const categories = [...files.keys()].sort();
  // Outputs come several to an id: each id is routed once (a bounded memo: the reward service
  // routes whatever ids its clients send).
  const routed = new Map<string, PredictionJudge | string>();
  return {
    dataset: path,
    folder: true,
    format: 'bfcl',
    records: [...opened.values()].reduce((n, s) => n + s.count, 0),
    route(id) {
      let judge = routed.get(id);
      if (judge === undefined) {
        const stem = route(id);
        judge = stem === undefined ? `no BFCL question file in ${path} for id ${JSON.stringify(id)} (its categories: ${categories.join(', ')})` : opened.get(stem)!.judge;
        if (routed.size >= 1 << 16) routed.clear();
        routed.set(id, judge);
      }
      return judge;
    },
    close: async () => {
      await Promise.all([...opened.values()].map((s) => s.close()));
    },
  };
}
