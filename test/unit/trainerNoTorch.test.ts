// The local trainer on a Python without PyTorch (`npm start` no longer installs it): one line that
// says what to install, not a traceback. A stand-in `torch` module that fails to import, first on
// PYTHONPATH, makes any Python one without PyTorch; only a Python is needed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { localTrainerCommand, runLocalTrainer } from '../../src/core/rounds/localTrainer';

const ROOT = resolve(__dirname, '..', '..');
const PYTHON = process.env.ITOOL_TRAIN_PYTHON ?? 'python3';
const skip = spawnSync(PYTHON, ['-c', 'pass'], { stdio: 'ignore' }).status === 0 ? false : `no ${PYTHON} to run the trainer with`;

function withoutTorch(raise: string): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'itool-notorch-'));
  writeFileSync(join(dir, 'torch.py'), `${raise}\n`);
  const config = join(dir, 'sft.json');
  writeFileSync(config, '{}\n');
  return { dir, config };
}

describe('the local trainer without PyTorch', { skip, timeout: 60_000 }, () => {
  it('says how to install PyTorch, in one line, and exits 1', async () => {
    const { dir, config } = withoutTorch(`raise ModuleNotFoundError("No module named 'torch'", name="torch")`);
    const cmd = localTrainerCommand('sft', config, { python: PYTHON, root: ROOT });
    const r = await runLocalTrainer({ ...cmd, env: { ...cmd.env, PYTHONPATH: dir } });
    assert.equal(r.code, 1);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `one line, no traceback:\n${r.stderr}`);
    assert.match(lines[0], /^error: PyTorch is not installed for \S+; the local trainer needs it/);
    for (const how of ['sudo apt install python3-torch libopenblas0-pthread', '-m pip install torch', 'node scripts/ensure.mjs torch']) {
      assert.ok(lines[0].includes(how), `names \`${how}\`: ${lines[0]}`);
    }
  });

  it('gives the reason when PyTorch is there but does not load', async () => {
    const { dir, config } = withoutTorch('raise ImportError("libopenblas.so.0: cannot open shared object file")');
    const cmd = localTrainerCommand('init', config, { python: PYTHON, root: ROOT });
    const r = await runLocalTrainer({ ...cmd, env: { ...cmd.env, PYTHONPATH: dir } });
    assert.equal(r.code, 1);
    assert.match(r.stderr.trim(), /^error: PyTorch does not load in \S+ \(libopenblas\.so\.0: cannot open shared object file\); .*python3-torch/);
  });
});
