// The local trainer's defaults are one table: scripts/train's `DEFAULTS` dicts (and preference.py's
// `BETA`) as the Python files write them, and their TypeScript mirror (trainerDefaults.ts), from
// which the local backend (LOCAL_PREF_DEFAULTS) and the loop (LOOP_DEFAULTS) take theirs. The
// Python literals are read from the files as text: no Python (or PyTorch) is needed to check them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { LOCAL_PREF_DEFAULTS } from '../../src/core/rounds/localExport';
import { LOOP_DEFAULTS } from '../../src/core/rounds/loopOptions';
import { PREF_BETA, TRAINER_DEFAULTS } from '../../src/core/rounds/trainerDefaults';

const TRAIN = resolve(__dirname, '..', '..', 'scripts', 'train');

/** A Python literal of the kinds the tables hold (numbers, strings, True/False/None) as JSON's value. */
function pyValue(text: string, where: string): unknown {
  const t = text.trim();
  if (t === 'None') return null;
  if (t === 'True' || t === 'False') return t === 'True';
  if (/^"[^"\\]*"$/.test(t)) return t.slice(1, -1);
  if (/^-?\d+(\.\d*)?(e-?\d+)?$/i.test(t)) return Number(t);
  throw new Error(`${where}: ${t} is not a literal this test reads`);
}

/** `NAME = {…}` at the top level of a Python file: its entries, comments dropped, one per line or on one line. */
function pyDict(file: string, name: string): Record<string, unknown> {
  const text = readFileSync(join(TRAIN, file), 'utf8');
  const m = new RegExp(`^${name} = \\{([^}]*)\\}`, 'm').exec(text);
  assert.ok(m, `${file} has a literal ${name} = {…}`);
  const out: Record<string, unknown> = {};
  const body = m[1].replace(/#.*$/gm, '');
  for (const entry of body.split(/,\s*(?="|$)/)) {
    if (!entry.trim()) continue;
    const e = /^\s*"(\w+)":\s*(.+?)\s*$/s.exec(entry);
    assert.ok(e, `${file} ${name}: an entry "key": value, not ${JSON.stringify(entry)}`);
    out[e[1]] = pyValue(e[2], `${file} ${name}.${e[1]}`);
  }
  return out;
}

describe('trainer defaults: scripts/train and the TypeScript mirror', () => {
  for (const [command, file] of [['sft', 'sft.py'], ['pref', 'preference.py'], ['grpo', 'grpo.py']] as const) {
    it(`${file} DEFAULTS = TRAINER_DEFAULTS.${command}`, () => {
      assert.deepStrictEqual(pyDict(file, 'DEFAULTS'), { ...TRAINER_DEFAULTS[command] });
    });
  }

  it('preference.py BETA = PREF_BETA', () => {
    assert.deepStrictEqual(pyDict('preference.py', 'BETA'), { ...PREF_BETA });
  });

  it('the local backend and the loop train with those defaults', () => {
    const pref = TRAINER_DEFAULTS.pref;
    assert.deepEqual(LOCAL_PREF_DEFAULTS, { loss: pref.loss, beta: PREF_BETA.simpo, gamma: pref.gamma, learning_rate: pref.learning_rate, epochs: pref.epochs });
    assert.deepEqual(LOOP_DEFAULTS.pref, { loss: pref.loss, learningRate: pref.learning_rate, epochs: pref.epochs });
    assert.equal(LOOP_DEFAULTS.warmup.learningRate, TRAINER_DEFAULTS.sft.learning_rate);
    assert.equal(LOOP_DEFAULTS.warmup.promptLoss, TRAINER_DEFAULTS.sft.prompt_loss);
    // GRPO trains at the preference rounds' rate, so the variants differ only in their data.
    assert.equal(TRAINER_DEFAULTS.grpo.learning_rate, pref.learning_rate);
  });

  it('reads what it claims to read', () => {
    assert.throws(() => pyValue('[1, 2]', 'x'), /not a literal/);
    assert.deepEqual([pyValue('None', ''), pyValue('True', ''), pyValue('2e-5', ''), pyValue('"simpo"', ''), pyValue('1.0', '')], [null, true, 2e-5, 'simpo', 1]);
  });
});
