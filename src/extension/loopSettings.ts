// The closed loop's options as the command palette runs it: what the user picked (dataset, split,
// starting model, variants, rounds) and the `itool.loop.*` settings, put over LOOP_DEFAULTS by the
// same loopOptions `itool loop` uses. Only settings that say they are the loop's reach it: the
// manual search's `itool.search.*` (the published temperature 1.5) and the selection share of
// `itool.calibration.ratio` do not, so the palette runs the loop the README measured and the CLI
// runs. Free of `vscode` so that test/unit/loopOptions.test.ts can compare it with the CLI's.
import { join } from 'node:path';
import { defaultPython } from '../core/rounds/localTrainer';
import { loopOptions, type LoopOptions, type LoopVariant } from '../core/rounds/loopOptions';
import type { SettingGetter } from './settingsTable';

/** What the palette asked the user for. */
export interface LoopPick {
  train: string;
  heldOut: string;
  variants: readonly LoopVariant[];
  rounds: number;
  /** The model folder to start from; absent: a fresh warm-up. */
  baseModel?: string;
}

/** The Python the local trainer runs: itool.trainer.local.python, else the one on PATH. */
export function trainerPython(setting: SettingGetter): string {
  return setting('itool.trainer.local.python').trim() || defaultPython();
}

/** The loop's options for the palette; `root` is where scripts/train/ lies (the extension's folder). */
export function paletteLoopOptions(pick: LoopPick, setting: SettingGetter, run: { root: string; log: (line: string) => void; signal?: AbortSignal }): LoopOptions {
  return loopOptions(
    { train: pick.train, heldOut: pick.heldOut, workDir: join(`${pick.train}.itool`, 'loop'), trainer: { python: trainerPython(setting), root: run.root }, log: run.log, signal: run.signal },
    {
      variants: pick.variants,
      rounds: pick.rounds,
      baseModel: pick.baseModel,
      exploreMax: setting('itool.loop.exploreMax'),
      evalLimit: setting('itool.loop.evalLimit'),
      iterations: setting('itool.loop.iterations'),
      numActions: setting('itool.loop.numActions'),
      maxNewTokens: setting('itool.loop.maxNewTokens'),
      temperature: setting('itool.loop.temperature'),
    },
  );
}
