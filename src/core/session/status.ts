// Where a dataset stands in the method, read from what the runs left beside it (DATASET.itool/)
// without opening or indexing the dataset itself: the newest calibration and its selection, the
// newest search and its pairs, the review decisions, the rounds and a running job. For the
// workbench's overview of every dataset in a workspace, where opening each would cost seconds.
import { stat } from 'node:fs/promises';
import { newestJournalOf, type DatasetStamp } from '../dataset/metadata';
import { readReview } from '../pairs/reviewJournal';
import { readRegistry, runningRound } from '../rounds/registry';

export interface DatasetStatus {
  path: string;
  calibration?: { model: string; round: number; scored: number; skipped: number; stale: boolean };
  search?: { model: string; round: number; samples: number; pairs: number; stale: boolean };
  /** Decisions in the review journal: pending is the search's pairs not yet decided. */
  review?: { pending: number; accepted: number; rejected: number; edited: number; skipped: number };
  rounds: number;
  running?: { round: number; backend: string; percentage?: number };
  /** Rounds with a held-out evaluation: the newest one's accuracy. */
  accuracy?: { round: number; accuracy: number };
  /** Files beside the dataset that could not be read, each with why: said, never shown as "nothing yet". */
  problems?: string[];
}

interface Header extends DatasetStamp {
  type: 'header';
  model: string;
  modelLabel: string;
  round: number;
}

/** What the runs left beside `datasetPath` (the newest journals, any version of the file: one of another version is marked stale). */
export async function datasetStatus(datasetPath: string): Promise<DatasetStatus> {
  const file = await stat(datasetPath).catch(() => undefined);
  const stale = (h: Header) => !file || h.datasetSize !== file.size || h.datasetMtimeMs !== file.mtimeMs;
  const status: DatasetStatus = { path: datasetPath, rounds: 0 };
  const cal = await newestJournalOf<Header, { type: 'result' | 'skip' }>(datasetPath, 'calibration');
  if (cal) {
    const scored = cal.entries.filter((e) => e.type === 'result').length;
    const skipped = cal.entries.filter((e) => e.type === 'skip').length;
    status.calibration = { model: cal.header.modelLabel, round: cal.header.round, scored, skipped, stale: stale(cal.header) };
  }
  const search = await newestJournalOf<Header, { type: 'result'; pairs: { id?: string }[] } | { type: 'skip' }>(datasetPath, 'explore');
  let pairs = 0;
  if (search) {
    const results = search.entries.filter((e): e is { type: 'result'; pairs: { id?: string }[] } => e.type === 'result');
    pairs = results.reduce((n, e) => n + e.pairs.length, 0);
    status.search = { model: search.header.modelLabel, round: search.header.round, samples: results.length, pairs, stale: stale(search.header) };
  }
  const problems: string[] = [];
  const unreadable = (what: string) => (err: unknown) => void problems.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
  const review = await readReview(datasetPath).catch(unreadable('the review journal'));
  if (review && (review.decisions.size || pairs)) {
    const counts = { pending: 0, accepted: 0, rejected: 0, edited: 0, skipped: 0 };
    for (const d of review.decisions.values()) if (d.state in counts) counts[d.state as keyof typeof counts]++;
    // Decisions may name pairs of an older search: pending counts this search's undecided pairs.
    counts.pending = Math.max(0, pairs - (counts.accepted + counts.rejected + counts.edited + counts.skipped));
    status.review = counts;
  }
  const reg = await readRegistry(datasetPath).catch(unreadable('the round registry'));
  if (reg) {
    status.rounds = reg.rounds.length;
    const run = runningRound(reg);
    if (run?.job) status.running = { round: run.round, backend: run.job.backend, percentage: run.job.lastProgress?.percentage };
    const evaluated = reg.rounds.filter((r) => r.evaluation).at(-1);
    if (evaluated?.evaluation) status.accuracy = { round: evaluated.round, accuracy: evaluated.evaluation.accuracy };
  }
  if (problems.length) status.problems = problems;
  return status;
}

export const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** One line that says where a dataset stands, and its next step (the command that takes it). */
export function stageOf(s: DatasetStatus): { summary: string; next?: { command: string; title: string } } {
  const parts: string[] = [];
  if (s.calibration) parts.push(s.calibration.stale ? 'calibrated (an older version of the file)' : `calibrated (${s.calibration.scored})`);
  if (s.search) parts.push(`${s.search.pairs} pair${s.search.pairs === 1 ? '' : 's'} from ${s.search.samples} sample${s.search.samples === 1 ? '' : 's'}`);
  if (s.review?.pending) parts.push(`${s.review.pending} pending review`);
  if (s.rounds) parts.push(`${s.rounds} round${s.rounds === 1 ? '' : 's'}`);
  if (s.running) parts.push(`round ${s.running.round} training`);
  if (s.accuracy) parts.push(`held-out ${pct(s.accuracy.accuracy)}`);
  if (s.problems?.length) parts.push(`${s.problems.length} file${s.problems.length === 1 ? '' : 's'} unreadable`);
  const summary = parts.join(' · ') || 'not calibrated yet';
  if (!s.calibration || s.calibration.stale) return { summary, next: { command: 'itool.calibrateDataset', title: 'Calibrate' } };
  if (!s.search || s.search.stale) return { summary, next: { command: 'itool.exploreDeficient', title: 'Explore' } };
  if (s.review?.pending) return { summary, next: { command: 'itool.reviewPairs', title: 'Review' } };
  if (!s.rounds) return { summary, next: { command: 'itool.startRound', title: 'Start a round' } };
  return { summary, next: { command: 'itool.showRoundDashboard', title: 'Show rounds' } };
}
