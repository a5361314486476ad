// Held-out evaluation says how many answers the token limit cut off: a cut answer is judged as
// written (mostly a parse error), so without the count a harness limit reads as the model's fault.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { Dataset } from '../../src/core/dataset/dataset';
import { evaluatePolicy } from '../../src/core/rounds/evaluate';
import { scripted } from '../support/scriptedPolicy';

const DEMO_BFCL = resolve(__dirname, '..', '..', 'demo', 'datasets', 'bfcl', 'BFCL_v4_simple_python.json');

describe('held-out evaluation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'itool-eval-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('counts the answers the token limit cut off, and none when the limit leaves room', async () => {
    const path = join(dir, 'BFCL_v4_simple_python.json');
    cpSync(DEMO_BFCL, path);
    cpSync(join(DEMO_BFCL, '..', 'possible_answer'), join(dir, 'possible_answer'), { recursive: true });
    const ds = await Dataset.open(path);
    try {
      const policy = await scripted(ds, [0, 1, 2]);
      const cut = await evaluatePolicy(ds, policy, { limit: 3, maxTokens: 20 });
      assert.equal(cut.truncated, 3);
      assert.equal(cut.valid, 0, 'a cut answer is not a call');
      assert.deepEqual(cut.wrong, { answers: 3, oneFragment: 0, unparsed: 3, errorsPerAnswer: 1 }, 'how the wrong answers are wrong');
      const whole = await evaluatePolicy(ds, policy, { limit: 3 });
      assert.equal(whole.truncated, undefined);
      assert.ok(whole.valid >= 1, `valid ${whole.valid} of ${whole.total}`);
      // The scripted policy's wrong answers differ in one argument value or the function name: one fragment each.
      assert.equal(whole.wrong!.answers, whole.total - whole.valid);
      assert.equal(whole.wrong!.oneFragment, whole.wrong!.answers);
    } finally {
      await ds.close();
    }
  });
});
