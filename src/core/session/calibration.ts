// A dataset session's calibration: PPL, tier and selection per sample, the tier
// cut-offs and a histogram, from the calibration journal beside the dataset (the newest one for
// this file, or the one a run just produced) and the selection made from it. Results are per sample
// (a record with several answers has one per answer, dataset/answers.ts); a list row, one per
// record, shows its most deficient answer.
import type { Dataset } from '../dataset/dataset';
import { refusalOf, type CalibrationEntry, type CalibrationHeader, type CalibrationResult, type CalibrationSkip } from '../calibrate/calibrate';
import { newestJournal } from '../dataset/metadata';
import { selectDeficient, tierCuts, tierOf, type Tier, type TierCuts } from '../calibrate/select';
import type { CalibrationSummary, RowCalibration } from './views';
import { answerField, sampleKey } from '../dataset/sample';


/** Where a selected sample is, as the search takes it. */
export interface SampleTarget {
  index: number;
  answer?: number;
  id: string;
}

const BINS = 24;

export class SessionCalibration {
  private byKey = new Map<string, CalibrationEntry>();
  /** A record's results, one per answer scored. */
  private byIndex = new Map<number, CalibrationEntry[]>();
  private skippedByIndex = new Map<number, CalibrationSkip>();
  /** What the latest run skipped when it was refused (its results are not shown, its reasons are). */
  private refusedSkips = new Map<number, CalibrationSkip>();
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
    // A record with a skipped answer shows that skip (the first one) in its Scored-as view.
    this.skippedByIndex = new Map();
    for (const s of result.skipped) if (!this.skippedByIndex.has(s.index)) this.skippedByIndex.set(s.index, s);
    this.refusedSkips.clear();
    this.cuts = result.entries.length ? tierCuts(result.entries, thresholds) : undefined;
    this.selected.clear();
    // The run's own rule (calibrate.ts): unreadable records are the dataset's problem, not the run's.
    const why = refusalOf(result);
    this.refusal = why ? `the calibration shown was refused: ${why}` : undefined;
  }

  /** A run ended with CalibrationRefused: no selection until a calibration is accepted; its skips stay visible. */
  refuse(message: string, skipped: readonly CalibrationSkip[]): void {
    this.refusal = message;
    this.refusedSkips = new Map();
    for (const s of skipped) if (!this.refusedSkips.has(s.index)) this.refusedSkips.set(s.index, s);
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

  /** Why the latest calibration (a refused run, else the one shown) skipped a record, if it did. */
  skip(index: number): CalibrationSkip | undefined {
    return this.refusedSkips.size ? this.refusedSkips.get(index) : this.skippedByIndex.get(index);
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

  row(index: number): RowCalibration | undefined {
    const e = this.worst(index);
    if (!e || !this.cuts) return undefined;
    const selected = (this.byIndex.get(index) ?? []).some((x) => this.selected.has(sampleKey(x)));
    return { ppl: e.ppl, tier: tierOf(e.ppl, this.cuts), selected };
  }

  matches(index: number, filter: string): boolean {
    const r = this.row(index);
    if (!r) return false;
    if (filter === 'selected') return r.selected;
    return filter === `tier:${r.tier}`;
  }

  static isCalibrationFilter(f: string): boolean {
    return f === 'selected' || f.startsWith('tier:');
  }

  indices(): number[] {
    return [...this.byIndex.keys()].sort((a, b) => a - b);
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
    return {
      model: this.header.modelLabel,
      round: this.header.round,
      scored: ppl.length,
      selected: this.selected.size,
      cuts: this.cuts ? { easyBelow: this.cuts.easyBelow, hardFrom: this.cuts.hardFrom, source: this.cuts.source } : undefined,
      tiers,
      histogram: histogram(ppl, this.cuts),
    };
  }
}

/** Log-spaced bins (perplexities span orders of magnitude), each labelled with its tier. */
function histogram(values: number[], cuts: TierCuts | undefined): CalibrationSummary['histogram'] {
  if (values.length === 0) return [];
  const lo = Math.log(Math.max(1e-9, Math.min(...values)));
  const hi = Math.log(Math.max(...values));
  const width = (hi - lo) / BINS || 1;
  const bins = Array.from({ length: BINS }, (_, k) => ({ from: Math.exp(lo + k * width), to: Math.exp(lo + (k + 1) * width), count: 0, tier: 'medium' as Tier }));
  for (const v of values) bins[Math.min(BINS - 1, Math.max(0, Math.floor((Math.log(v) - lo) / width)))].count++;
  for (const b of bins) b.tier = cuts ? (tierOf(Math.sqrt(b.from * b.to), cuts) ?? 'medium') : 'medium';
  return bins;
}
