// A dataset session's judged model outputs: loads a predictions file, checks every row with the
// core checker (the same code `itool check` runs), and answers per-sample questions for the list
// (row verdicts, filters) and the detail view (outputs with their errors).
import type { Dataset } from '../dataset/dataset';
import { checkPredictions } from '../toolcall/datasetCheck';
import { readPredictions } from '../toolcall/predictions';
import type { CheckSummary, Filter, JudgedOutput, RowVerdict } from './views';

export class SessionVerdicts {
  private judged = new Map<number, JudgedOutput[]>();
  summary: CheckSummary | undefined;

  constructor(private readonly dataset: Dataset) {}

  get loaded(): boolean {
    return this.summary !== undefined;
  }

  /** Check `file` against the dataset; replaces what was loaded before only when it succeeds. */
  async load(file: string, opts: { signal?: AbortSignal; onProgress?: (done: number, total: number) => void } = {}): Promise<CheckSummary> {
    const { rows, problems } = await readPredictions(file);
    const { results, totals } = await checkPredictions(this.dataset, rows, opts);
    const judged = new Map<number, JudgedOutput[]>();
    for (const r of results) {
      if (r.index === undefined || !r.verdict) continue;
      const list = judged.get(r.index) ?? [];
      list.push({ output: r.row.output, verdict: r.verdict, line: r.row.line });
      judged.set(r.index, list);
    }
    this.judged = judged;
    this.summary = { file, rows: totals.rows, checked: totals.checked, valid: totals.valid, unmatched: totals.unmatched, problems: problems.length, byKind: totals.byKind };
    return this.summary;
  }

  outputs(index: number): JudgedOutput[] | undefined {
    return this.judged.get(index);
  }

  rowVerdict(index: number): RowVerdict | undefined {
    const outs = this.judged.get(index);
    if (!outs) return undefined;
    return { valid: outs.every((o) => o.verdict.valid), kinds: [...new Set(outs.flatMap((o) => o.verdict.errors.map((e) => e.kind)))], outputs: outs.length };
  }

  /** Whether the filter is about verdicts (answered from memory, no file scan needed). */
  static isVerdictFilter(f: Filter): boolean {
    return f === 'valid' || f === 'invalid' || f.startsWith('kind:');
  }

  matches(index: number, f: Filter): boolean {
    const v = this.rowVerdict(index);
    if (!v) return false;
    if (f === 'valid') return v.valid;
    if (f === 'invalid') return !v.valid;
    return v.kinds.includes(f.slice(5) as RowVerdict['kinds'][number]);
  }

  /** Record indices with a verdict, in file order. */
  indices(): number[] {
    return [...this.judged.keys()].sort((a, b) => a - b);
  }
}
