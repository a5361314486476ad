// A dataset session's calibration: PPL, tier and selection per sample, the tier
// cut-offs and a histogram, from the calibration journal beside the dataset (the newest one for
// this file, or the one a run just produced) and the selection made from it. Results are per sample
// (a record with several answers has one per answer, dataset/answers.ts); a list row, one per
// record, shows its most deficient answer.
import type { Dataset } from '../dataset/dataset';
import { refusalOf, type CalibrationEntry, type CalibrationHeader, type CalibrationResult, type CalibrationSkip } from '../calibrate/calibrate';
import { newestJournal } from '../dataset/metadata';
import { selectDeficient, tierCuts, tierOf, type Tier, type TierCuts } from '../calibrate/select';
import type { CalibrationSummary, RowCalibration, RowSkip } from './views';
import { answerField, sampleKey } from '../dataset/sample';


/** Where a selected sample is, as the search takes it. */
export interface SampleTarget {
  index: number;
  answer?: number;
  id: string;
}

const BINS = 24;

/** The histogram's log-spaced bins: bin k holds PPL in [exp(lo + k·width), exp(lo + (k+1)·width)). */
interface Binning {
  lo: number;
  width: number;
}

export class SessionCalibration {
  private byKey = new Map<string, CalibrationEntry>();
  /** A record's results, one per answer scored. */
  private byIndex = new Map<number, CalibrationEntry[]>();
  /** A record's skipped answers in the calibration shown. */
  private skippedByIndex = new Map<number, CalibrationSkip[]>();
  /** What the latest run skipped when it was refused (its results are not shown, its reasons are). */
  private refusedSkips = new Map<number, CalibrationSkip[]>();
  private binning: Binning | undefined;
  /**
   * Why no selection may be built from the calibration shown: the run was refused (CalibrationRefused),
   * or the journal read back skipped more than calibration allows. Undefined when it may.
   */
  refusal: string | undefined;
  /** Selected samples by sampleKey. */
  private selected = new Set<string>();
  private cuts: TierCuts | undefined;
  /** The calibration shown, as read or as just computed. */
  result: CalibrationResult | undefined;

  get header(): CalibrationHeader | undefined {
    return this.result?.header;
  }

  constructor(private readonly dataset: Dataset) {}

  get loaded(): boolean {
    return this.header !== undefined;
  }

  show(result: CalibrationResult, thresholds?: { easyBelow: number; hardFrom: number }): void {
    this.result = result;
    this.byKey = new Map(result.entries.map((e) => [sampleKey(e), e]));
    this.byIndex = new Map();
    for (const e of result.entries) this.byIndex.set(e.index, [...(this.byIndex.get(e.index) ?? []), e]);
    this.skippedByIndex = byRecord(result.skipped);
    this.refusedSkips.clear();
    this.cuts = result.entries.length ? tierCuts(result.entries, thresholds) : undefined;
    this.binning = binning(result.entries.flatMap((e) => (e.ppl === null ? [] : [e.ppl])));
    this.selected.clear();
    // The run's own rule (calibrate.ts): unreadable records are the dataset's problem, not the run's.
    const why = refusalOf(result);
    this.refusal = why ? `the calibration shown was refused: ${why}` : undefined;
  }

  /** A run ended with CalibrationRefused: no selection until a calibration is accepted; its skips stay visible. */
  refuse(message: string, skipped: readonly CalibrationSkip[]): void {
    this.refusal = message;
    this.refusedSkips = byRecord(skipped);
  }

  /**
   * The calibration journal's entry for a record's own sample (its last answer: the one the panel's
   * Scored-as view renders), if the calibration shown scored it.
   */
  entry(index: number): CalibrationEntry | undefined {
    const all = this.byIndex.get(index);
    return all?.reduce((a, b) => ((b.answer ?? -1) > (a.answer ?? -1) ? b : a));
  }

  /** A record's most deficient scored answer (highest PPL): what its list row shows. */
  private worst(index: number): CalibrationEntry | undefined {
    return this.byIndex.get(index)?.reduce((a, b) => ((b.ppl ?? -Infinity) > (a.ppl ?? -Infinity) ? b : a));
  }

  /** Why the latest calibration (a refused run, else the one shown) skipped a record (its first skipped answer), if it did. */
  skip(index: number): CalibrationSkip | undefined {
    return this.skips(index)?.[0];
  }

  /** Every answer of a record the latest calibration (a refused run, else the one shown) skipped. */
  private skips(index: number): CalibrationSkip[] | undefined {
    return this.latestSkips.get(index);
  }

  private get latestSkips(): Map<number, CalibrationSkip[]> {
    return this.refusedSkips.size ? this.refusedSkips : this.skippedByIndex;
  }

  /** Mark the deficient samples (top `ratio` by PPL per group); returns the selection. */
  select(ratio: number): ReturnType<typeof selectDeficient> {
    const sel = selectDeficient([...this.byKey.values()], ratio);
    this.selected = new Set(sel.selected.map(sampleKey));
    return sel;
  }

  /** The selected samples, highest PPL first, as the search takes them. */
  selectedTargets(): SampleTarget[] {
    return [...this.selected]
      .flatMap((k) => this.byKey.get(k) ?? [])
      .sort((a, b) => (b.ppl ?? 0) - (a.ppl ?? 0))
      .map((e) => ({ index: e.index, ...answerField(e.answer), id: e.id }));
  }

  markSelected(samples: Iterable<{ index: number; answer?: number }>): void {
    this.selected = new Set([...samples].map(sampleKey));
  }

  get tierCuts(): TierCuts | undefined {
    return this.cuts;
  }

  /** The newest calibration journal beside the dataset that matches this version of the file. */
  async loadLatest(): Promise<CalibrationResult | undefined> {
    const found = await newestJournal<CalibrationHeader, CalibrationEntry | CalibrationSkip>(this.dataset, 'calibration');
    if (!found) return undefined;
    const results = found.entries.filter((e): e is CalibrationEntry => e.type === 'result');
    const scored = new Set(results.map(sampleKey));
    // A sample skipped and scored later (a rerun) counts as scored; the latest skip of the others counts.
    const skipped = new Map<string, CalibrationSkip>();
    for (const e of found.entries) if (e.type === 'skip' && !scored.has(sampleKey(e))) skipped.set(sampleKey(e), e);
    return { path: found.path, header: found.header, entries: results, skipped: [...skipped.values()], noReference: 0, resumed: 0 };
  }

  /**
   * What a record's list row shows: its most deficient answer's PPL, tier and selection, and the
   * answers the latest calibration skipped, with why (a row with nothing scored shows the skip).
   */
  row(index: number): RowCalibration | undefined {
    const skips = this.skips(index);
    const skipped = skips && { skipped: skips.map((s): RowSkip => ({ ...(s.id !== undefined && { id: s.id }), ...(s.kind !== undefined && { kind: s.kind }), reason: s.reason })) };
    const e = this.worst(index);
    if (!e || !this.cuts) return skipped && { ppl: null, selected: false, ...skipped };
    const selected = (this.byIndex.get(index) ?? []).some((x) => this.selected.has(sampleKey(x)));
    return { ppl: e.ppl, tier: tierOf(e.ppl, this.cuts), selected, ...skipped };
  }

  matches(index: number, filter: string): boolean {
    if (filter === 'skipped') return this.skips(index) !== undefined;
    const r = this.row(index);
    if (!r) return false;
    if (filter === 'selected') return r.selected;
    return filter === `tier:${r.tier}`;
  }

  static isCalibrationFilter(f: string): boolean {
    return f === 'selected' || f === 'skipped' || f.startsWith('tier:');
  }

  /** Records with a scored answer, in file order (every record a calibration filter can match but `skipped`). */
  indices(): number[] {
    return [...this.byIndex.keys()].sort((a, b) => a - b);
  }

  /** Records with an answer the latest calibration skipped, in file order. */
  skippedIndices(): number[] {
    return [...this.latestSkips.keys()].sort((a, b) => a - b);
  }

  /**
   * Whether a record's row PPL lies in the histogram's bins from the one starting at `from` to
   * the one ending at `to` (the page brushes whole bins; edges are compared as bin numbers, so a
   * PPL on an edge is in the bin the histogram counted it in).
   */
  inPplRange(index: number, from: number, to: number): boolean {
    const ppl = this.worst(index)?.ppl;
    const b = this.binning;
    if (ppl === null || ppl === undefined || !b) return false;
    const edge = (x: number) => Math.round((Math.log(x) - b.lo) / b.width);
    const k = binOf(ppl, b);
    return k >= edge(from) && k <= edge(to) - 1;
  }

  /** PPL of a record for sorting (unscored records sort last). */
  ppl(index: number): number {
    return this.worst(index)?.ppl ?? -Infinity;
  }

  summary(): CalibrationSummary | undefined {
    if (!this.header) return undefined;
    const ppl = [...this.byKey.values()].flatMap((e) => (e.ppl === null ? [] : [e.ppl]));
    const tiers: Record<Tier, number> = { easy: 0, medium: 0, hard: 0 };
    for (const e of this.byKey.values()) {
      const t = this.cuts ? tierOf(e.ppl, this.cuts) : undefined;
      if (t) tiers[t]++;
    }
    // The lowest PPL selected in each group: the line the histogram draws as the selection's cut-off.
    const selectedFrom: CalibrationSummary['selectedFrom'] = {};
    for (const k of this.selected) {
      const e = this.byKey.get(k);
      if (e?.ppl === null || e?.ppl === undefined) continue;
      selectedFrom[e.group] = Math.min(selectedFrom[e.group] ?? Infinity, e.ppl);
    }
    return {
      model: this.header.modelLabel,
      round: this.header.round,
      scored: ppl.length,
      selected: this.selected.size,
      cuts: this.cuts ? { easyBelow: this.cuts.easyBelow, hardFrom: this.cuts.hardFrom, source: this.cuts.source } : undefined,
      tiers,
      histogram: histogram(ppl, this.binning, this.cuts),
      ...(Object.keys(selectedFrom).length > 0 && { selectedFrom }),
      skipped: this.latestSkips.size,
    };
  }
}

/** A record's skips, by record (a record with several answers may have several). */
function byRecord(skipped: readonly CalibrationSkip[]): Map<number, CalibrationSkip[]> {
  const m = new Map<number, CalibrationSkip[]>();
  for (const s of skipped) m.set(s.index, [...(m.get(s.index) ?? []), s]);
  return m;
}

/** Log-spaced bins over `values` (perplexities span orders of magnitude). */
function binning(values: readonly number[]): Binning | undefined {
  if (values.length === 0) return undefined;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const lo = Math.log(Math.max(1e-9, min));
  return { lo, width: (Math.log(max) - lo) / BINS || 1 };
}

function binOf(v: number, b: Binning): number {
  return Math.min(BINS - 1, Math.max(0, Math.floor((Math.log(v) - b.lo) / b.width)));
}

/** The histogram of `values` over the bins, each bin labelled with its tier. */
function histogram(values: number[], b: Binning | undefined, cuts: TierCuts | undefined): CalibrationSummary['histogram'] {
  if (values.length === 0 || !b) return [];
  const bins = Array.from({ length: BINS }, (_, k) => ({ from: Math.exp(b.lo + k * b.width), to: Math.exp(b.lo + (k + 1) * b.width), count: 0, tier: 'medium' as Tier }));
  for (const v of values) bins[binOf(v, b)].count++;
  for (const bin of bins) bin.tier = cuts ? (tierOf(Math.sqrt(bin.from * bin.to), cuts) ?? 'medium') : 'medium';
  return bins;
}
