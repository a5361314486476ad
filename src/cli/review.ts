// `itool review DATASET [--pairs PAIRS.jsonl] [--state S] [--json]`: what the review journal beside
// a dataset (DATASET.itool/review/review.jsonl) holds, read the way the extension reads it (undone
// actions included: the editor journals an undo as restore entries, reviewSession.ts).
//   with --pairs (the JSON Lines `itool explore -o` writes): one line per pair — its id, review
//     state, sample, gap, kind and the fragment diff (rejected → chosen), a rejection's reason and
//     comment, manual pairs made from corrected annotations after them;
//   without: the decision counts (skipped ones too), each decision with --state or --json (with a
//     rejection's reason and comment), and the live annotations (sample, span, kind, correction, note).
// --state keeps the pairs (or decisions) in that state; --json prints one JSON object per line.
// With --accept ID… / --reject ID… (and --pairs): records those decisions in the journal, the way
// the editor does (ReviewJournal: one appended line per decision, fsynced), accepted ones first;
// each is printed ("accepted ID", or its JSON entry) only once it is on disk, so a decision
// reported before a crash is never lost. Ids are checked against the pairs first: one that is not
// a pair of PAIRS fails the run before anything is written.
// Exit code: 0 when the journal was read (or the decisions recorded), 1 when the pairs file cannot
// be read, 2 for a bad --state, or ids that are not pairs of PAIRS.
import { existsSync } from 'node:fs';
import { clipText } from '../core/chars';
import { readFile } from 'node:fs/promises';
import { Dataset } from '../core/dataset/dataset';
import type { Sample } from '../core/dataset/sample';
import type { PreferencePair } from '../core/search/types';
import { REJECT_REASON_LABEL } from '../core/pairs/reasons';
import { pairId, REVIEW_ITEM_STATES, type Annotation, type DecisionState, type PairDecision, type ReviewItemState, type ReviewState } from '../core/pairs/reviewEntries';
import { readReview, ReviewJournal, reviewPath } from '../core/pairs/reviewJournal';
import { decisionUnchanged, reviewCounts, reviewQueue, type ReviewItem } from '../core/pairs/reviewQueue';
import { UsageError } from './args';
import { defineCommand } from './command';

export interface ReviewCommandArgs {
  dataset: string;
  /** Keep only pairs (decisions) in this state. */
  state?: ReviewItemState;
  json?: boolean;
  /** PreferencePair JSON Lines (`itool explore -o`). */
  pairsFile?: string;
  /** Pair ids to accept / reject (needs pairsFile): decisions appended to the journal. */
  accept?: string[];
  reject?: string[];
}

export interface ReviewIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

const STATES: readonly ReviewItemState[] = REVIEW_ITEM_STATES;

/** A JSON-quoted string cut to about `n` characters (on a character boundary: no half emoji printed). */
const clip = (s: string, n = 40): string => {
  const j = JSON.stringify(s);
  return j.length <= n ? j : `${clipText(j, n - 1)}"`;
};

/** "reason: …, comment: …" of a rejection, or ''. */
const why = (d: Pick<PairDecision, 'reason' | 'comment'>): string =>
  [d.reason !== undefined ? `reason: ${REJECT_REASON_LABEL[d.reason]}` : '', d.comment !== undefined ? `comment: ${clip(d.comment, 80)}` : ''].filter(Boolean).join(', ');

/** The pairs of a JSON Lines file; lines that are not pairs are reported and skipped. */
async function readPairs(path: string, io: ReviewIo): Promise<PreferencePair[]> {
  const text = await readFile(path, 'utf8');
  const out: PreferencePair[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      io.stderr.write(`itool: note: ${path}:${i + 1}: not JSON, skipped\n`);
      return;
    }
    const p = v as Partial<PreferencePair>;
    if (typeof p?.sampleId !== 'string' || typeof p.prefix !== 'string' || typeof p.chosen?.text !== 'string' || typeof p.rejected?.text !== 'string') {
      io.stderr.write(`itool: note: ${path}:${i + 1}: not a preference pair, skipped\n`);
      return;
    }
    out.push(p as PreferencePair);
  });
  return out;
}

/** The samples the queue needs (corrected annotations become pairs; edits are judged again), read only when there are some. */
async function neededSamples(datasetPath: string, indices: Set<number>, io: ReviewIo): Promise<Map<number, Sample>> {
  const samples = new Map<number, Sample>();
  if (indices.size === 0) return samples;
  if (!existsSync(datasetPath)) {
    io.stderr.write(`itool: note: ${datasetPath} not found: manual pairs are not listed and edits are not re-checked\n`);
    return samples;
  }
  let ds: Dataset;
  try {
    ds = await Dataset.open(datasetPath);
  } catch (err) {
    io.stderr.write(`itool: note: cannot read ${datasetPath} (${(err as Error).message}): manual pairs are not listed and edits are not re-checked\n`);
    return samples;
  }
  try {
    for (const i of [...indices].sort((a, b) => a - b)) {
      if (i < 0 || i >= ds.count) continue;
      const r = await ds.sample(i);
      if (r.ok) samples.set(i, r.sample);
    }
  } finally {
    await ds.close();
  }
  return samples;
}

function pairLine(it: ReviewItem): string {
  const p = it.pair;
  const where = `${p.sampleId} #${p.index + 1} r${p.round}`;
  const kind = p.key !== undefined ? `${p.kind} ${p.key}` : p.kind;
  const tags = [it.manual ? 'manual' : '', it.unchecked ? 'unchecked' : '', it.chosenFails ? 'chosen-fails' : ''].filter(Boolean).join(',');
  return [it.id, it.state.padEnd(8), where, `gap ${p.gap.toFixed(3)}`, kind, `${clip(p.rejected.fragment)} → ${clip(p.chosen.fragment)}`, tags, why(it)].filter(Boolean).join('  ');
}

function annotationLine(a: Annotation): string {
  const where = `${a.sampleId} #${a.index + 1}${a.round !== undefined ? ` r${a.round}` : ''} (${a.source})`;
  const parts = [a.id, where, `${a.start}-${a.end} ${clip(a.text.slice(a.start, a.end))}`, a.kind];
  if (a.correction !== undefined) parts.push(`→ ${clip(a.correction)}`);
  if (a.note !== undefined) parts.push(`note: ${clip(a.note, 80)}`);
  if (a.file !== undefined) parts.push(`in ${a.file}`);
  return parts.join('  ');
}

function reportDamage(state: ReviewState, path: string, io: ReviewIo): void {
  for (const d of state.damaged) io.stderr.write(`itool: note: ${path}${d.line !== undefined ? `:${d.line}` : ` entry ${d.entry}`}: ${d.reason} (skipped)\n`);
}

export async function reviewCommand(args: ReviewCommandArgs, io: ReviewIo): Promise<number> {
  if (args.state !== undefined && !STATES.includes(args.state)) {
    io.stderr.write(`itool: --state must be one of ${STATES.join(', ')}, got ${JSON.stringify(args.state)}\n`);
    return 2;
  }
  const path = reviewPath(args.dataset);
  if (args.accept !== undefined || args.reject !== undefined) return recordDecisions(args, path, io);
  const state = await readReview(args.dataset);
  reportDamage(state, path, io);
  const out = (line: string): void => void io.stdout.write(`${line}\n`);

  if (args.pairsFile === undefined) {
    const counts = { accepted: 0, edited: 0, rejected: 0, skipped: 0, pending: 0 };
    for (const d of state.decisions.values()) counts[d.state]++;
    const decisions = [...state.decisions].filter(([, d]) => args.state === undefined || d.state === args.state);
    if (args.json) {
      out(JSON.stringify({ type: 'counts', journal: path, ...counts, annotations: state.annotations.length }));
      for (const [pairId, d] of decisions) out(JSON.stringify({ type: 'decision', pairId, ...d }));
      for (const a of state.annotations) out(JSON.stringify(a));
      return 0;
    }
    out(`journal      ${path}`);
    out(`decisions    ${counts.accepted} accepted, ${counts.edited} edited, ${counts.rejected} rejected, ${counts.skipped} skipped, ${counts.pending} back to pending`);
    if (args.state !== undefined) for (const [pairId, d] of decisions) out(`  ${[pairId, d.state, d.at, why(d)].filter(Boolean).join('  ')}`);
    out(`annotations  ${state.annotations.length}${state.annotations.some((a) => a.correction !== undefined) ? ` (${state.annotations.filter((a) => a.correction !== undefined).length} with a correction)` : ''}`);
    for (const a of state.annotations) out(`  ${annotationLine(a)}`);
    return 0;
  }

  let pairs: PreferencePair[];
  try {
    pairs = await readPairs(args.pairsFile, io);
  } catch (err) {
    io.stderr.write(`itool: cannot read ${args.pairsFile}: ${(err as Error).message}\n`);
    return 1;
  }
  const items = await queueOf(args.dataset, pairs, state, io);
  const shown = items.filter((it) => args.state === undefined || it.state === args.state);
  if (args.json) {
    for (const it of shown) {
      const extra = { ...(it.unchecked ? { unchecked: true } : {}), ...(it.reason !== undefined ? { reason: it.reason } : {}), ...(it.comment !== undefined ? { comment: it.comment } : {}), ...(it.chosenFails ? { chosenFails: it.chosenFails } : {}) };
      out(JSON.stringify({ id: it.id, state: it.state, manual: it.manual, ...extra, pair: it.pair }));
    }
    return 0;
  }
  for (const it of shown) out(pairLine(it));
  const n = reviewCounts(items);
  out(`${n.total} pairs: ${n.pending} pending, ${n.accepted} accepted, ${n.edited} edited, ${n.rejected} rejected, ${n.skipped} skipped${args.state !== undefined ? ` (${shown.length} shown)` : ''}`);
  return 0;
}

/** The review queue of `pairs` under `state`, with the samples it needs read from the dataset. */
async function queueOf(dataset: string, pairs: readonly PreferencePair[], state: ReviewState, io: ReviewIo): Promise<ReviewItem[]> {
  const need = new Set<number>(state.annotations.filter((a) => a.correction !== undefined).map((a) => a.index));
  for (const p of pairs) {
    if (state.decisions.get(pairId(p))?.state === 'edited') need.add(p.index);
  }
  return reviewQueue(pairs, state, await neededSamples(dataset, need, io));
}

/** `--accept ID… --reject ID…`: every id checked first, then one fsynced decision each, reported once durable. */
async function recordDecisions(args: ReviewCommandArgs, path: string, io: ReviewIo): Promise<number> {
  const err = (line: string): void => void io.stderr.write(`itool: review: ${line}\n`);
  if (args.pairsFile === undefined) {
    err('--accept and --reject need --pairs PAIRS.jsonl (the ids are checked against its pairs)');
    return 2;
  }
  const accept = [...new Set(args.accept ?? [])];
  const reject = [...new Set(args.reject ?? [])];
  const both = accept.filter((id) => reject.includes(id));
  if (both.length) {
    err(`${both.length} id(s) both accepted and rejected: ${both.slice(0, 5).join(', ')}${both.length > 5 ? ', …' : ''}`);
    return 2;
  }
  let pairs: PreferencePair[];
  try {
    pairs = await readPairs(args.pairsFile, io);
  } catch (e) {
    io.stderr.write(`itool: cannot read ${args.pairsFile}: ${(e as Error).message}\n`);
    return 1;
  }
  const state = await readReview(args.dataset);
  reportDamage(state, path, io);
  const items = new Map((await queueOf(args.dataset, pairs, state, io)).map((it) => [it.id, it]));
  const todo: [string, DecisionState][] = [...accept.map((id): [string, DecisionState] => [id, 'accepted']), ...reject.map((id): [string, DecisionState] => [id, 'rejected'])];
  const unknown = todo.map(([id]) => id).filter((id) => !items.has(id));
  if (unknown.length) {
    err(`${unknown.length} id(s) are not pairs of ${args.pairsFile}: ${unknown.slice(0, 5).map((id) => JSON.stringify(id)).join(', ')}${unknown.length > 5 ? ', …' : ''}; nothing recorded`);
    return 2;
  }
  const n = { accepted: 0, rejected: 0, unchanged: 0 };
  const journal = await ReviewJournal.open(args.dataset);
  try {
    for (const [id, st] of todo) {
      if (decisionUnchanged(items.get(id)!, st)) {
        n.unchanged++;
        continue;
      }
      // decide() resolves once the line is appended and fsynced: only then is it reported.
      const entry = await journal.decide(id, st);
      n[st === 'accepted' ? 'accepted' : 'rejected']++;
      io.stdout.write(args.json ? `${JSON.stringify(entry)}\n` : `${st} ${id}\n`);
    }
  } finally {
    await journal.close();
  }
  const written = n.accepted + n.rejected;
  if (args.json) io.stdout.write(`${JSON.stringify({ type: 'summary', journal: path, decisions: todo.length, written, ...n })}\n`);
  else io.stdout.write(`${todo.length} decisions: ${written} written (${n.accepted} accepted, ${n.rejected} rejected), ${n.unchanged} unchanged; journal ${path}\n`);
  return 0;
}

/** What continues an --accept or --reject list: a pair id (16 hex digits), or a comma list of them. */
const ID_LIST = /^[0-9a-f]{16}(,[0-9a-f]{16})*,?$/;

export const reviewCli = defineCommand({
  name: 'review',
  usage: `  itool review DATASET [--pairs PAIRS.jsonl] [--state pending|accepted|rejected|edited|skipped] [--json]
      The review journal beside DATASET (decisions made in the editor, undos included, fragment
      annotations): with --pairs, every pair's id, review state, sample, gap, fragment diff and a
      rejection's reason and comment; without, the decision counts and the annotations (sample,
      span, kind, correction, note).
  itool review DATASET --pairs PAIRS.jsonl [--accept ID [ID…]] [--reject ID [ID…]] [--json]
      Record decisions in the same journal the editor writes: each pair id (from the listing)
      accepted or rejected (accepted ones first); each decision is on disk (fsynced) before its
      line "accepted ID" / "rejected ID" is printed. Ids not in PAIRS are refused (exit 2,
      nothing written); a pair already in that state is left as it is. --accept and --reject take
      any number of ids, and may be repeated or given as ID,ID.
`,
  options: {
    pairs: { type: 'string' },
    state: { type: 'string' },
    json: { type: 'boolean' },
    accept: { type: 'string', multiple: true },
    reject: { type: 'string', multiple: true },
  },
  // --accept and --reject each take a list of pair ids (`--accept ID ID … --reject ID …`; also
  // repeated, or `--accept=ID,ID`), which parseArgs cannot read: the ids that follow one are folded
  // into it as `--accept=ID,ID`, the form it reads. Anything but an id ends the list.
  prepare(args) {
    const out: string[] = [];
    let list = -1;
    for (const a of args) {
      const m = /^--(accept|reject)(?:=(.*))?$/.exec(a);
      if (m) list = out.push(`--${m[1]}=${m[2] ?? ''}`) - 1;
      else if (list >= 0 && ID_LIST.test(a)) out[list] += `,${a}`;
      else {
        list = -1;
        out.push(a);
      }
    }
    return out;
  },
  run(values, positionals) {
    const ids = (lists: string[] | undefined): string[] => (lists ?? []).flatMap((l) => l.split(',').filter(Boolean));
    const accept = ids(values.accept);
    const reject = ids(values.reject);
    const dataset = positionals[0];
    if (!dataset) throw new UsageError('review: missing DATASET');
    if (positionals.length > 1) throw new UsageError(`review: ${JSON.stringify(positionals[1])} is neither the DATASET (${dataset}) nor a pair id (16 hex digits, after --accept or --reject)`);
    const deciding = accept.length > 0 || reject.length > 0;
    if (!deciding && (values.accept || values.reject)) throw new UsageError('review: --accept and --reject need pair ids');
    if (deciding && values.state !== undefined) throw new UsageError('review: --state lists pairs; it does not go with --accept or --reject');
    return reviewCommand(
      {
        dataset,
        pairsFile: values.pairs,
        state: values.state as ReviewItemState | undefined,
        json: !!values.json,
        ...(deciding ? { accept, reject } : {}),
      },
      { stdout: process.stdout, stderr: process.stderr },
    );
  },
});
