// One round service for every path to a trained round (ARCHITECTURE.md, "A dataset's path to a
// trained round"): the pairs a round trains on (trainedPairs.ts) → the export for the backend
// (roundExport.ts) → the trainer launched as a detached job, followed, cancelled and finished
// (roundJob.ts) → the held-out evaluation (roundEvaluate.ts) → the registry (registry.ts). The
// palette's round commands and `itool round` are front doors over it; `itool loop` uses the same
// local export, result record and evaluation. No VS Code: progress, secrets, settings and
// cancellation come in as parameters and callbacks.
import { Dataset } from '../dataset/dataset';
import { readRegistry, runningRound } from './registry';
import { exportRound, projectModelOf, roundArtefacts, RoundError, roundPolicy, type RoundBackend, type RoundExport, type TrainerSettings, ROUND_BACKENDS } from './roundExport';
import { launchRound } from './roundJob';
import { leftOutText, trainedPairs, type TrainedPairs } from './trainedPairs';
import type { JobRecord, RoundRecord } from './types';

export * from './roundExport';
export * from './roundJob';
export * from './roundEvaluate';
export { explorePairs, leftOutText, PAIR_STATE_FILTERS, pickReviewed, statesOf, trainedPairs, type PairCounts, type PairStateFilter, type TrainedPairs, type TrainedPairsOptions } from './trainedPairs';

export interface StartRoundOptions {
  backend: RoundBackend;
  /** Default: the round of the search the pairs came from, else 1. */
  round?: number;
  settings: TrainerSettings;
  /** OpenAI jobs: the fine-tuning API key. */
  apiKey?: string;
}

export interface StartedRound {
  trained: TrainedPairs;
  exported: RoundExport;
  job: JobRecord;
  policy: RoundRecord['policy'];
  /** The settings the round ran with (the local model and call rendering filled in). */
  settings: TrainerSettings;
  /** The job the round had before, which this one replaces (with its result and evaluation). */
  previous?: JobRecord;
}

/**
 * Start a round on a dataset whose panel may be closed: its reviewed pairs (the newest search and
 * the review journal), exported for `backend` and launched as a detached job, all recorded in the
 * registry. Refuses, with what to do, while another round of the dataset is training and when no
 * pair is accepted. Follow the job with followRound, then finishRound.
 */
export async function startRound(datasetPath: string, o: StartRoundOptions): Promise<StartedRound> {
  if (!ROUND_BACKENDS.includes(o.backend)) throw new RoundError(`unknown trainer backend ${JSON.stringify(o.backend)} (${ROUND_BACKENDS.join(', ')})`);
  const reg = await readRegistry(datasetPath);
  const busy = runningRound(reg);
  if (busy?.job) throw new RoundError(`round ${busy.round} of ${datasetPath} is still training (${busy.job.backend}): follow it or cancel it first`);
  const ds = await Dataset.open(datasetPath);
  try {
    const trained = await trainedPairs(ds);
    if (trained.pairs.length === 0) {
      const left = leftOutText(trained.leftOut);
      const why = trained.counts.total === 0 ? (trained.explore ? 'the search found no pairs' : 'no search results beside the dataset (explore it first)') : `${left || 'none taken'}`;
      throw new RoundError(`no accepted pairs to train on in ${datasetPath} (${why}): accept pairs in review first`);
    }
    const round = o.round ?? trained.explore?.header.round ?? 1;
    const previous = reg.rounds.find((r) => r.round === round)?.job;
    const policy = roundPolicy(trained.explore?.header);
    const { calls, ...artefacts } = await roundArtefacts(ds, trained.explore);
    // The local trainer continues the model the search ran with when none is named and the project made it.
    const modelDir = o.settings.local?.modelDir ?? (o.backend === 'local' ? projectModelOf(trained.explore?.header.model) : undefined);
    const settings: TrainerSettings = { ...o.settings, calls: o.settings.calls ?? calls, local: { ...o.settings.local, modelDir } };
    const exported = await exportRound(datasetPath, trained, { backend: o.backend, round, policy, settings, artefacts });
    const job = await launchRound(datasetPath, exported, { settings, policy, apiKey: o.apiKey });
    return { trained, exported, job, policy, settings, ...(previous ? { previous } : {}) };
  } finally {
    await ds.close();
  }
}
