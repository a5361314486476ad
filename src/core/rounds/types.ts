// The shapes of a project's rounds on disk (METHOD.md, "Pipeline"): what each round used and
// produced, and the training job that turns its accepted pairs into the next policy. Shared by the
// registry, the trainer backends, the CLI, the extension and the round dashboard.
import type { ErrorKind } from '../toolcall/types';

export type TrainerBackendId = 'llamafactory' | 'trl' | 'openai' | 'local';

/** Where a job is in its life. `running` covers queued/validating jobs of a remote service too. */
export type JobStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';

/** What a trainer reports as it goes (LLaMA-Factory's trainer_log.jsonl, or a remote job's status). */
export interface JobProgress {
  /** 0..100. */
  percentage: number;
  currentSteps?: number;
  totalSteps?: number;
  loss?: number;
  /** As the trainer prints it (`H:MM:SS`), or derived from an estimated finish time. */
  remainingTime?: string;
  elapsedTime?: string;
  /** A remote service's latest event message, or the trainer's status line. */
  message?: string;
}

/** A launched job, persisted in the round registry so it can be re-attached after a window reload. */
export interface JobRecord {
  backend: TrainerBackendId;
  /** Folder the job owns: its configs, the runner's status file, its logs, its output. */
  jobDir: string;
  startedAt: string;
  /** Local jobs: the program and its argument array, as spawned (for the log and the note). */
  command?: string[];
  /** Local jobs: the detached runner's pid (its process group leader). */
  pid?: number;
  /** Local jobs: the trainer's stdout+stderr. */
  logPath?: string;
  /** Local jobs: where the trainer appends trainer_log.jsonl lines. */
  trainerLogPath?: string;
  /**
   * Local jobs: the size trainer_log.jsonl already had when the job started (an earlier run's
   * lines, which are not this job's progress); progress is read from there on.
   */
  trainerLogOffset?: number;
  /** Local jobs: the trainer's output directory (adapter / model). */
  outputDir?: string;
  /** Remote jobs (OpenAI fine-tuning): the job id and the server it runs on. */
  remoteJobId?: string;
  baseURL?: string;
  status: JobStatus;
  endedAt?: string;
  /** The trainer's own error (last lines of its log, or the service's error message). */
  error?: string;
  /** What training produced: an output folder, or a fine-tuned model name. */
  resultModel?: string;
  lastProgress?: JobProgress;
}

/** A preference objective: LLaMA-Factory's pref_loss names (sigmoid is DPO); pairs/export/types.ts PrefLoss is the same list. */
export type TrainingObjective = 'simpo' | 'sigmoid' | 'orpo' | 'ipo';

/**
 * The settings a round's export wrote into its trainer's config (the start form's, or the defaults
 * when nothing was asked): recorded with the round so the dashboard and a reader of the registry
 * know how it was trained. gamma only for SimPO; no learningRate where the service picks it (OpenAI).
 */
export interface RoundTraining {
  objective: TrainingObjective;
  beta: number;
  gamma?: number;
  learningRate?: number;
  epochs: number;
}

/** Held-out accuracy of one policy, measured with the checker. */
export interface RoundEvaluation {
  heldOut: string;
  policyLabel: string;
  total: number;
  valid: number;
  /** valid / total. */
  accuracy: number;
  /** How many held-out samples had at least one error of each kind. */
  kinds: Partial<Record<ErrorKind, number>>;
  predictions: string;
  /** Held-out samples the policy could not answer at all (longer than its context), left out of `total`. */
  skipped?: number;
  /** Answers cut off before the policy ended them, by the token limit or the end of the model's context (judged as written, so mostly parse errors). */
  truncated?: number;
  /** How the wrong answers are wrong (evaluate.ts, wrongAnswerShape); absent in older registries. */
  wrong?: { answers: number; oneFragment: number; unparsed: number; errorsPerAnswer: number };
  /**
   * Per-sample outcomes, for paired tests between two policies (stats.ts): one character per
   * held-out sample of the evaluated records, in held-out order (record, then answer within a
   * record): '1' judged valid, '0' judged not valid, '-' not judged (skipped, or no verdict).
   * Its '1's are `valid`, its '1's and '0's `total`. The sample ids in that order are the held-out
   * file's (heldOutKeys in evaluate.ts), fingerprinted in `outcomeIds`. Absent before outcomes
   * were recorded: such an evaluation still shows, without paired tests.
   */
  outcomes?: string;
  /** Fingerprint of the sample ids `outcomes` stands for (count and hash): two evaluations pair sample by sample only when theirs are equal. */
  outcomeIds?: string;
  at: string;
}

/** A histogram of a calibration's perplexities (log-spaced bins shared across rounds by the dashboard). */
export interface PplSummary {
  calibration: string;
  scored: number;
  median: number;
  /** The raw PPLs (finite ones), so the dashboard can bin every round alike. */
  values: number[];
}

export interface RoundRecord {
  round: number;
  /** The policy the round started from (calibration and search ran with it). */
  policy: { id: string; label: string };
  calibration?: string;
  ppl?: PplSummary;
  selection?: string;
  explore?: string;
  pairs?: { found: number; accepted: number; manual: number };
  export?: { target: 'llamafactory' | 'trl' | 'openai' | 'local'; dir: string; files: string[]; at: string; training?: RoundTraining };
  job?: JobRecord;
  /** The policy training produced, once known: becomes the next round's policy. */
  result?: { label: string; modelDir?: string; endpointModel?: string };
  /** Held-out accuracy of the round's starting policy (round 1: the base) and of its result. */
  baseline?: RoundEvaluation;
  evaluation?: RoundEvaluation;
}

/** Another way of spending the same rounds (itool loop's ablations), for the accuracy chart. */
export interface Comparison {
  label: string;
  /**
   * Held-out accuracy (0..1) per policy: round 0 is the shared starting policy. `valid` and
   * `total`, where given, are its counts (the dashboard's interval); without them the dashboard
   * takes the held-out size of the rounds' own evaluations.
   */
  points: { round: number; accuracy: number; valid?: number; total?: number }[];
}

export interface RoundRegistry {
  version: 1;
  dataset: string;
  /** The held-out split every round is evaluated on (a dataset file). */
  heldOut?: string;
  rounds: RoundRecord[];
  comparisons?: Comparison[];
}
