// The round registry (what every round used and produced) and held-out evaluation (accuracy and
// error kinds from the checker), as the dashboard and the round commands rely on them.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { promptFor } from '../../src/core/model/prompt';
import { Dataset } from '../../src/core/dataset/dataset';
import { referenceTurn } from '../../src/core/dataset/sample';
import { evaluatePolicy, heldOutKeys, idsFingerprint, outcomeOrder } from '../../src/core/rounds/evaluate';
import { PolicyError } from '../../src/core/model/policy';
import { patchRound, readRegistry, recordRound, registryPath, RegistryError, runningRound, updateRegistry } from '../../src/core/rounds/registry';
import { checkOutput, expectationFor } from '../../src/core/toolcall/check/index';
import { ScriptedPolicy, hermes, wrong } from '../support/scriptedPolicy';

const ROOT = resolve(__dirname, '..', '..');
const BFCL = join(ROOT, 'demo', 'datasets', 'bfcl');

function tempDataset(): string {
  const dir = mkdtempSync(join(tmpdir(), 'itool-rounds-'));
  cpSync(BFCL, join(dir, 'bfcl'), { recursive: true, preserveTimestamps: true });
  return join(dir, 'bfcl', 'BFCL_v4_simple_python.json');
}

describe('round registry', () => {
  it('reads as empty before any round, then keeps every field written', async () => {
    const ds = tempDataset();
    assert.deepEqual(await readRegistry(ds), { version: 1, dataset: ds, rounds: [] });
    await recordRound(ds, 2, { id: 'm', label: 'model' }, { pairs: { found: 9, accepted: 4, manual: 1 } });
    await recordRound(ds, 1, { id: 'm', label: 'model' }, { selection: 'sel.json' });
    await patchRound(ds, 2, { job: { backend: 'llamafactory', jobDir: '/j', startedAt: 'now', status: 'running' } });
    const reg = await readRegistry(ds);
    assert.deepEqual(reg.rounds.map((r) => r.round), [1, 2], 'rounds in order');
    assert.equal(reg.rounds[1].pairs?.accepted, 4);
    assert.equal(runningRound(reg)?.round, 2);
    // Written atomically: no temporary file is left beside it.
    assert.deepEqual(readdirSync(dirname(registryPath(ds))), ['rounds.json']);
  });

  it('serialises concurrent updates so none is lost', async () => {
    const ds = tempDataset();
    await Promise.all(Array.from({ length: 20 }, (_, k) => updateRegistry(ds, (reg) => void reg.rounds.push({ round: k + 1, policy: { id: 'm', label: 'm' } }))));
    assert.equal((await readRegistry(ds)).rounds.length, 20);
  });

  it('refuses a damaged registry with a clear message and leaves it as it was', async () => {
    const ds = tempDataset();
    await recordRound(ds, 1, { id: 'm', label: 'm' }, {});
    writeFileSync(registryPath(ds), '{"version": 1, "rounds": [');
    await assert.rejects(readRegistry(ds), (e: Error) => e instanceof RegistryError && /rounds\.json is not valid JSON.*left as it is/.test(e.message));
    await assert.rejects(recordRound(ds, 1, { id: 'm', label: 'm' }, {}), RegistryError);
    assert.equal(readFileSync(registryPath(ds), 'utf8'), '{"version": 1, "rounds": [', 'nothing overwritten');
    await assert.rejects(patchRound(tempDataset(), 3, {}), /round 3 is not in/);
  });
});

describe('held-out evaluation', () => {
  it('is the checker’s accuracy over the policy’s own answers, with the error kinds', async () => {
    const path = tempDataset();
    const ds = await Dataset.open(path);
    try {
      // A stand-in policy that answers the first 10 samples right and the others with a wrong last argument.
      const policy = new ScriptedPolicy(new Map());
      const right = new Set<number>();
      for (let i = 0; i < ds.count; i++) {
        const r = await ds.sample(i);
        assert.ok(r.ok);
        const call = referenceTurn(r.sample)!.calls![0];
        const keys = Object.keys(call.arguments);
        const answer = i < 10 || keys.length === 0 ? hermes(call) : hermes({ ...call, arguments: { ...call.arguments, [keys.at(-1)!]: wrong(call.arguments[keys.at(-1)!]) } });
        if (checkOutput(answer, expectationFor(r.sample)).valid) right.add(i);
        policy.candidates.set(await promptFor(policy, r.sample), [answer]);
      }
      assert.ok(right.size >= 10 && right.size < ds.count, 'some answers right, some wrong');
      const ev = await evaluatePolicy(ds, policy);
      assert.equal(ev.total, ds.count);
      assert.equal(ev.valid, right.size);
      assert.equal(ev.accuracy, right.size / ds.count);
      assert.equal((ev.kinds.wrong_value ?? 0) + (ev.kinds.wrong_type ?? 0) + (ev.kinds.unexpected_param ?? 0) + (ev.kinds.missing_required_param ?? 0) >= ds.count - right.size, true);
      // The predictions behind the number are kept, one per sample.
      const lines = readFileSync(ev.predictions, 'utf8').trim().split('\n');
      assert.equal(lines.length, ds.count);
      // Per-sample outcomes in held-out order: '1' exactly for the answers the checker accepts.
      assert.equal(ev.outcomes, Array.from({ length: ds.count }, (_, i) => (right.has(i) ? '1' : '0')).join(''));
      assert.equal(ev.outcomeIds, idsFingerprint(await heldOutKeys(ds)));
    } finally {
      await ds.close();
    }
  });

  it('records a sample the policy could not answer as not judged, over the records evaluated', async () => {
    const ds = await Dataset.open(tempDataset());
    try {
      const policy = new ScriptedPolicy(new Map());
      let tooLong = '';
      for (let i = 0; i < 6; i++) {
        const r = await ds.sample(i);
        assert.ok(r.ok);
        const prompt = await promptFor(policy, r.sample);
        if (i === 2) tooLong = prompt;
        policy.candidates.set(prompt, [i % 2 ? hermes(referenceTurn(r.sample)!.calls![0]) : 'no call']);
      }
      const sample = policy.sample.bind(policy);
      policy.sample = async (prompt, prefix, o) => {
        if (prompt === tooLong) throw new PolicyError('prompt longer than the context');
        return sample(prompt, prefix, o);
      };
      const ev = await evaluatePolicy(ds, policy, { limit: 6 });
      assert.equal(ev.outcomes, '01-101');
      assert.equal(ev.skipped, 1);
      assert.equal(ev.valid, 3);
      assert.equal(ev.total, 5);
      const keys = await heldOutKeys(ds, 6);
      assert.equal(keys.length, 6);
      assert.equal(ev.outcomeIds, idsFingerprint(keys));
      assert.notEqual(ev.outcomeIds, idsFingerprint(await heldOutKeys(ds)), 'a shorter evaluation stands for other samples');
    } finally {
      await ds.close();
    }
  });

  it('orders outcomes by record, then answer within a record, within the limit', () => {
    const ids = new Map([
      ['b#1', { index: 1, answer: 1 }],
      ['c', { index: 5 }],
      ['a', { index: 0 }],
      ['b#0', { index: 1, answer: 0 }],
    ]);
    assert.deepEqual(outcomeOrder(ids, 3), ['a', 'b#0', 'b#1']);
    assert.deepEqual(outcomeOrder(ids), ['a', 'b#0', 'b#1', 'c']);
    assert.match(idsFingerprint(['a', 'b']), /^2:[0-9a-f]{16}$/);
    assert.notEqual(idsFingerprint(['a', 'b']), idsFingerprint(['b', 'a']));
  });
});
