// The project's own trainer (scripts/train/itool_train.py: PyTorch on the CPU) as a program and an
// argument array, its config files, and where its outputs go. A run is either a job (startLocalJob
// with backend 'local', program/args/env from localTrainerCommand, trainerLogPath from
// localTrainerOutputs: the progress bar reads the LLaMA-Factory format the script writes) or a
// short synchronous call (runLocalTrainer: init, export, score, generate).
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { TrainerCommand } from './jobs/commands';

export type LocalTrainerStep = 'init' | 'sft' | 'pref' | 'grpo' | 'export' | 'score' | 'generate' | 'pack';
const STEPS: readonly LocalTrainerStep[] = ['init', 'sft', 'pref', 'grpo', 'export', 'score', 'generate', 'pack'];

/** The entry point, relative to the extension's (or the repository's) root. */
export const LOCAL_TRAINER_SCRIPT = join('scripts', 'train', 'itool_train.py');

/** The architecture of a new model (scripts/train/itool_tiny.py DEFAULT_MODEL is the default). */
export interface TinyModelSpec {
  layers?: number;
  hidden?: number;
  heads?: number;
  kv_heads?: number;
  ffn?: number;
  max_pos?: number;
  positions?: 'rope' | 'learned';
  rope_theta?: number;
  tie_embeddings?: boolean;
}

interface Common {
  seed?: number;
  /** torch.set_num_threads (default: OMP_NUM_THREADS, which localTrainerCommand sets, else 2). */
  threads?: number;
}

export interface InitConfig extends Common {
  /** tokenizer.json + tokenizer_config.json (trainingData.ts writeTokenizerFolder). */
  tokenizer_dir: string;
  output_dir: string;
  model?: TinyModelSpec;
}

interface Optimisation extends Common {
  model_dir: string;
  output_dir: string;
  epochs?: number;
  /** Caps the run's optimizer steps. */
  max_steps?: number;
  /** Most rows (pairs for pref) and most padded tokens per micro-batch. */
  batch_size?: number;
  batch_tokens?: number;
  grad_accum?: number;
  learning_rate?: number;
  warmup_ratio?: number;
  weight_decay?: number;
  max_grad_norm?: number;
  logging_steps?: number;
  /** Write onnx/model.onnx into output_dir at the end (default true): the folder is then an OnnxPolicy model. */
  export?: boolean;
}

export interface SftConfig extends Optimisation {
  train_file?: string;
  /** The warm-up curriculum, trained in this order (trainingData.ts writeCurriculumFiles). */
  stages?: { name: string; file: string }[];
  /** Train on the prompt tokens too (sft.py prompt_loss). */
  prompt_loss?: boolean;
}

export interface PrefConfig extends Optimisation {
  pref_file: string;
  /** Default 'simpo' (beta 2.5, gamma 0.5, as published); 'dpo' has beta 0.1 and a frozen reference. */
  loss?: 'simpo' | 'dpo';
  beta?: number;
  gamma?: number;
  /** Weight of the chosen side's NLL (LLaMA-Factory's pref_ftx); default 0. */
  sft_weight?: number;
  /** DPO's reference model (default model_dir). */
  ref_model_dir?: string;
}

export interface GrpoConfig extends Optimisation {
  /** Completions with their group-relative advantages (rounds/grpo.ts writeGrpoFile). */
  grpo_file: string;
  /**
   * 'dapo' (default, TRL's): the step's loss is the sum over all its completion tokens divided by
   * their number; 'grpo': each completion's mean over its tokens, averaged over the completions.
   */
  loss_type?: 'dapo' | 'grpo';
  /** KL weight against the frozen reference (k3 estimator); default 0, TRL's default (no reference model). */
  beta?: number;
  /** The KL reference (default model_dir). */
  ref_model_dir?: string;
}

export interface ExportConfig extends Common {
  model_dir: string;
  /** Default model_dir. */
  output_dir?: string;
  kv_cache?: boolean;
  opset?: number;
}

export interface ScoreConfig extends Common {
  model_dir: string;
  /** SFT-shaped JSONL (ids, start). */
  input: string;
}

export interface GenerateConfig extends Common {
  model_dir: string;
  /** JSONL of {ids}: prompt token ids. */
  input: string;
  max_tokens?: number;
  use_cache?: boolean;
}

export interface LocalTrainerConfigs {
  init: InitConfig;
  sft: SftConfig;
  pref: PrefConfig;
  grpo: GrpoConfig;
  export: ExportConfig;
  score: ScoreConfig;
  generate: GenerateConfig;
  /** A trained folder as a small shippable copy: float16 weights, no training logs (the demo model). */
  pack: { model_dir: string; output_dir: string };
}

/**
 * The Python the local trainer runs when none is named, for the CLI and the extension alike: the
 * one on PATH under its usual name (`python` on Windows, where the python.org installer adds no
 * `python3`). Debian's python3-torch is /usr/bin/python3, which a pyenv `python3` shadows: name it
 * (--python, itool.trainer.local.python) where that is so.
 */
export function defaultPython(platform: NodeJS.Platform = process.platform): string {
  return platform === 'win32' ? 'python' : 'python3';
}

export interface LocalTrainerSettings {
  /** A Python with PyTorch (default defaultPython()). */
  python?: string;
  /** The extension's or the repository's root, where scripts/train/ lies. */
  root: string;
  /** CPU threads (default 2). */
  threads?: number;
}

/** `PYTHON ROOT/scripts/train/itool_train.py STEP --config CONFIG`, as an argument array. */
export function localTrainerCommand(step: LocalTrainerStep, configPath: string, settings: LocalTrainerSettings): TrainerCommand {
  if (!STEPS.includes(step)) throw new Error(`unknown trainer step ${JSON.stringify(step)} (${STEPS.join(', ')})`);
  const program = (settings.python ?? defaultPython()).trim();
  if (!program || program.startsWith('-')) throw new Error(`the Python command ${JSON.stringify(settings.python)} is not a program`);
  const threads = settings.threads ?? 2;
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`threads must be a positive integer, not ${threads}`);
  const config = resolve(configPath);
  return {
    program,
    args: [resolve(settings.root, LOCAL_TRAINER_SCRIPT), step, '--config', config],
    env: {
      // BLAS and OpenMP pools sized like torch's own, so the trainer keeps to its cores.
      OMP_NUM_THREADS: String(threads),
      OPENBLAS_NUM_THREADS: String(threads),
      PYTHONUNBUFFERED: '1',
      PYTHONDONTWRITEBYTECODE: '1',
    },
  };
}

export interface LocalTrainerOutputs {
  outputDir: string;
  /** LLaMA-Factory's progress file: StartLocalJobOptions.trainerLogPath. */
  trainerLogPath: string;
  /** train_results.json: final loss, runtime, tokens/s, per-stage losses. */
  resultsPath: string;
  /** The PyTorch weights the next step starts from (its model_dir is outputDir). */
  weightsPath: string;
  /** With export (the default for sft, pref and grpo): outputDir is a model folder OnnxPolicy.open takes. */
  onnxPath: string;
}

export function localTrainerOutputs(outputDir: string): LocalTrainerOutputs {
  const dir = resolve(outputDir);
  return {
    outputDir: dir,
    trainerLogPath: join(dir, 'trainer_log.jsonl'),
    resultsPath: join(dir, 'train_results.json'),
    weightsPath: join(dir, 'model.pt'),
    onnxPath: join(dir, 'onnx', 'model.onnx'),
  };
}

export async function writeTrainerConfig<S extends LocalTrainerStep>(path: string, _step: S, config: LocalTrainerConfigs[S]): Promise<string> {
  await mkdir(dirname(resolve(path)), { recursive: true });
  await writeFile(path, `${JSON.stringify(config, null, 2)}\n`);
  return resolve(path);
}

/** Whether `python` can import torch (a few seconds: torch is slow to import). */
export function pythonHasTorch(python = defaultPython()): boolean {
  const r = spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 });
  return r.status === 0;
}

export interface LocalTrainerRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The last stdout line parsed (init/sft/pref/grpo/export print a JSON summary). */
  result?: unknown;
}

/** Runs one step to its end (no shell), for the short steps and for tests. Rejects on timeout or abort. */
export function runLocalTrainer(cmd: TrainerCommand, opts: { timeoutMs?: number; signal?: AbortSignal; cwd?: string } = {}): Promise<LocalTrainerRun> {
  return new Promise((ok, fail) => {
    const child = spawn(cmd.program, cmd.args, { cwd: opts.cwd, env: { ...process.env, ...cmd.env }, stdio: ['ignore', 'pipe', 'pipe'], signal: opts.signal });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          child.kill('SIGKILL');
          fail(new Error(`${cmd.args[1] ?? cmd.program} timed out after ${opts.timeoutMs} ms\n${stderr.slice(-2000)}`));
        }, opts.timeoutMs)
      : undefined;
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      fail(e);
    });
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      const last = stdout.trimEnd().split('\n').pop() ?? '';
      let result: unknown;
      try {
        result = last ? JSON.parse(last) : undefined;
      } catch {
        result = undefined;
      }
      ok({ code, stdout, stderr, result });
    });
  });
}
