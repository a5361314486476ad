// The loss curves of a dataset's rounds, kept up to date from their trainer logs: each round whose
// job names a trainer_log.jsonl (LLaMA-Factory, TRL, the local trainer; OpenAI jobs have none) gets
// a reader that takes in only what the file gained since the last update, so polling a running
// round every second reads a line or two. The round dashboard polls it; anything else can too.
import { dirname, isAbsolute, resolve } from 'node:path';
import { LossLogReader } from './jobs/trainerLog';
import { lossChart, type LossChart, type LossSource } from './lossCurve';
import { trainingText } from './trainingForm';
import type { RoundRecord, RoundRegistry } from './types';

export class LossFeed {
  private readonly readers = new Map<number, LossLogReader>();
  private chart: LossChart | undefined;

  /** `datasetPath`: relative log paths in a hand-edited registry are taken from the dataset's folder. */
  constructor(private readonly datasetPath: string) {}

  /** The chart as last built. */
  get current(): LossChart | undefined {
    return this.chart;
  }

  /**
   * Read what the rounds' logs gained and rebuild the chart: the chart and whether it changed since
   * the last update. A log that cannot be read (other than not there yet) is left out with its error.
   */
  async update(reg: RoundRegistry): Promise<{ chart: LossChart; changed: boolean; errors: string[] }> {
    const rounds = (Array.isArray(reg?.rounds) ? reg.rounds : []).filter((r): r is RoundRecord & { job: NonNullable<RoundRecord['job']> } => !!r && Number.isInteger(r.round) && !!r.job && typeof r.job.trainerLogPath === 'string' && !!r.job.trainerLogPath);
    let changed = this.chart === undefined;
    const errors: string[] = [];
    const sources: LossSource[] = [];
    const live = new Set<number>();
    for (const r of rounds) {
      if (live.has(r.round)) continue;
      live.add(r.round);
      const path = isAbsolute(r.job.trainerLogPath!) ? r.job.trainerLogPath! : resolve(dirname(this.datasetPath), r.job.trainerLogPath!);
      const offset = typeof r.job.trainerLogOffset === 'number' && r.job.trainerLogOffset > 0 ? r.job.trainerLogOffset : 0;
      let reader = this.readers.get(r.round);
      if (!reader || reader.path !== path || reader.offset !== offset) {
        reader = new LossLogReader(path, offset);
        this.readers.set(r.round, reader);
        changed = true;
      }
      try {
        const got = await reader.read(r.job.status !== 'running');
        if (!got) continue;
        changed ||= got.changed;
        const t = r.export?.training;
        sources.push({ round: r.round, backend: r.job.backend, status: r.job.status, path, log: got.log, ...(t && typeof t === 'object' && typeof t.beta === 'number' ? { training: trainingText(t) } : {}) });
      } catch (err) {
        errors.push(`round ${r.round}: ${path}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    for (const k of [...this.readers.keys()]) {
      if (!live.has(k)) {
        this.readers.delete(k);
        changed = true;
      }
    }
    const chart = lossChart(sources);
    // A round's status or settings can change with no new line (the job ended): compare what is drawn.
    if (!changed && JSON.stringify(chart) !== JSON.stringify(this.chart)) changed = true;
    this.chart = chart;
    return { chart, changed, errors };
  }
}
