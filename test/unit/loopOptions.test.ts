// The closed loop from the command palette and from `itool loop` is one loop: for the same inputs
// (the palette's picks and `itool.loop.*` settings, the CLI's flags) both build the same
// LoopOptions, and with nothing set both run LOOP_DEFAULTS, whose search temperature is the one
// the README's evidence was measured at. The manual search's settings do not reach the loop.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { LOOP_USAGE, loopOptionsFromArgs, type LoopCommandArgs } from '../../src/cli/loop';
import { defaultPython } from '../../src/core/rounds/localTrainer';
import { LOOP_DEFAULTS, type LoopOptions } from '../../src/core/rounds/loopOptions';
import { paletteLoopOptions } from '../../src/extension/loopSettings';
import type { SettingGetter, SettingKey } from '../../src/extension/settingsTable';

const ROOT = resolve(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, { default?: unknown }> }[] } };
const defaults: Record<string, unknown> = Object.fromEntries(pkg.contributes.configuration.flatMap((g) => Object.entries(g.properties).map(([k, p]) => [k, p.default])));

/** The settings as VS Code gives them: the user's values over package.json's defaults. */
const settings = (user: Partial<Record<SettingKey, unknown>> = {}): SettingGetter => ((key: SettingKey) => (key in user ? user[key] : defaults[key])) as SettingGetter;

const TRAIN = resolve('/data/train.json');
const HELD_OUT = resolve('/data/heldout.json');
const log = (): void => {};

/** The CLI's options for the palette's work folder (the palette keeps it beside the dataset). */
function cli(a: Partial<LoopCommandArgs>): LoopOptions {
  const o = loopOptionsFromArgs({ train: TRAIN, heldOut: HELD_OUT, workDir: join(`${TRAIN}.itool`, 'loop'), root: ROOT, ...a }, log);
  assert.ok(typeof o !== 'string', String(o));
  return o;
}

describe('loop options: palette and itool loop', () => {
  it('with nothing set, both run LOOP_DEFAULTS', () => {
    const palette = paletteLoopOptions({ train: TRAIN, heldOut: HELD_OUT, variants: LOOP_DEFAULTS.variants, rounds: LOOP_DEFAULTS.rounds }, settings(), { root: ROOT, log });
    const fromCli = cli({});
    assert.deepStrictEqual(palette, fromCli);
    assert.equal(palette.trainer.python, defaultPython(), 'the Python on PATH unless one is named');
    for (const k of ['rounds', 'seed', 'ratio', 'exploreMax', 'minGap', 'accept', 'executionProvider'] as const) assert.equal(palette[k], LOOP_DEFAULTS[k], k);
    assert.deepEqual(palette.search, LOOP_DEFAULTS.search);
    assert.deepEqual(palette.pref, LOOP_DEFAULTS.pref);
    assert.deepEqual(palette.warmup, LOOP_DEFAULTS.warmup);
    assert.equal(palette.evalLimit, undefined, 'every held-out sample');
  });

  it('the same inputs give the same options', () => {
    const palette = paletteLoopOptions(
      { train: TRAIN, heldOut: HELD_OUT, variants: ['itool', 'sft', 'grpo'], rounds: 2, baseModel: resolve('/models/tiny') },
      settings({
        'itool.trainer.local.python': ' /usr/bin/python3 ',
        'itool.loop.exploreMax': 5,
        'itool.loop.evalLimit': 7,
        'itool.loop.iterations': 2,
        'itool.loop.numActions': 2,
        'itool.loop.maxNewTokens': 24,
        'itool.loop.temperature': 1.2,
      }),
      { root: ROOT, log },
    );
    const fromCli = cli({ python: '/usr/bin/python3', variants: 'itool,sft,grpo', rounds: 2, baseModel: '/models/tiny', exploreMax: 5, evalLimit: 7, iterations: 2, numActions: 2, maxNewTokens: 24, temperature: 1.2 });
    assert.deepStrictEqual(palette, fromCli);
    assert.deepEqual(palette.search, { ...LOOP_DEFAULTS.search, iterations: 2, numActions: 2, maxNewTokens: 24, temperature: 1.2 });
  });

  it("the manual search's settings and the selection share do not reach the palette's loop", () => {
    const pick = { train: TRAIN, heldOut: HELD_OUT, variants: ['itool'] as const, rounds: 1 };
    const plain = paletteLoopOptions(pick, settings(), { root: ROOT, log });
    const searchSet = paletteLoopOptions(
      pick,
      settings({ 'itool.search.temperature': 1.5, 'itool.search.iterations': 9, 'itool.search.numActions': 9, 'itool.search.maxNewTokens': 9, 'itool.search.depth': 9, 'itool.calibration.ratio': 0.9 }),
      { root: ROOT, log },
    );
    assert.deepStrictEqual(searchSet, plain);
  });

  it('the search temperature is the one the evidence was measured at, and the usage says so', () => {
    assert.equal(LOOP_DEFAULTS.search.temperature, 0.7);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    assert.match(readme, /search temperature 0\.7/, 'README, run E: "at the new default (… search temperature 0.7)"');
    assert.match(LOOP_USAGE, new RegExp(`--temperature ${LOOP_DEFAULTS.search.temperature}\\]`));
    assert.match(LOOP_USAGE, new RegExp(`--explore-max ${LOOP_DEFAULTS.exploreMax}\\]`));
  });

  it('the CLI refuses what the loop cannot run, before anything happens', () => {
    const bad = (a: Partial<LoopCommandArgs>) => loopOptionsFromArgs({ train: TRAIN, heldOut: HELD_OUT, workDir: '/w', root: ROOT, ...a }, log);
    assert.match(String(bad({ variants: 'itool,nope' })), /unknown variant\(s\) nope/);
    assert.match(String(bad({ accept: 'all' })), /--accept must be/);
    assert.match(String(bad({ pairScope: 'token' })), /--pair-scope must be/);
    assert.match(String(bad({ executionProvider: 'tpu' })), /--ep must be cpu or cuda/);
  });
});
