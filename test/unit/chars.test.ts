// Text is cut only between characters (src/core/chars.ts): the helpers on surrogate pairs and on
// decoded text that ends inside a multi-byte character; the search on a policy whose tokens are
// UTF-8 bytes (so max-tokens cuts fall inside "東", "京" and "😀"), whose tree, pairs and export
// hold no U+FFFD; and a pair made by hand around an emoji, exported.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { before, describe, it } from 'node:test';
import { boundaryAfter, boundaryBefore, clipText, hasBrokenChar, isCharBoundary, snapSpan, withoutUnfinishedChar } from '../../src/core/chars';
import { rowOf } from '../../src/core/dataset/row';
import { Dataset } from '../../src/core/dataset/dataset';
import { referenceTurn, type Sample } from '../../src/core/dataset/sample';
import { promptFor } from '../../src/core/model/prompt';
import type { ChatMessage, Continuation, Policy, SampleOptions } from '../../src/core/model/policy';
import { manualPair } from '../../src/core/pairs/manualPairs';
import { exportPairs } from '../../src/core/pairs/export/index';
import { searchSample, wholeCharacters } from '../../src/core/search/mcts';
import type { SearchTree } from '../../src/core/search/types';
import { extractPairs } from '../../src/core/search/pairs';
import { hermes } from '../support/scriptedPolicy';

const ROOT = resolve(__dirname, '..', '..');
const VALUE = 'New 東京😀';
const enc = new TextEncoder();
/** A byte-level decoder as tokenizers decode: an incomplete character reads as U+FFFD. */
const decode = (bytes: Uint8Array): string => new TextDecoder('utf-8', { fatal: false }).decode(bytes);

describe('character boundaries', () => {
  it('boundaries, spans and clipping never split a surrogate pair', () => {
    const t = 'ab😀cd';
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map((k) => isCharBoundary(t, k)), [true, true, true, false, true, true, true]);
    assert.equal(boundaryBefore(t, 3), 2);
    assert.equal(boundaryAfter(t, 3), 4);
    assert.deepEqual(snapSpan(t, 3, 3), { start: 2, end: 4 });
    assert.equal(clipText(t, 4), 'ab…', 'the cut moves back before the emoji');
    assert.equal(clipText(t, 5), 'ab😀…');
    assert.equal(clipText(t, 6), t);
    assert.ok(!hasBrokenChar(clipText(`${'x'.repeat(58)}😀😀😀`, 60)));
    // A list row's first user message is clipped the same way.
    const long = `${'x'.repeat(118)}😀 and more`;
    const row = rowOf({ id: 's', index: 0, format: 'sharegpt', tools: [], referenceIndex: -1, turns: [{ role: 'user', content: long }] } as unknown as Sample);
    assert.ok(!hasBrokenChar(row.firstUser), row.firstUser);
  });

  it('decoded text cut at every byte of "New 東京😀" loses only the unfinished character', () => {
    const bytes = enc.encode(VALUE);
    for (let k = 0; k <= bytes.length; k++) {
      const raw = decode(bytes.slice(0, k));
      const kept = withoutUnfinishedChar(raw);
      assert.ok(!hasBrokenChar(kept), `cut at byte ${k}: ${JSON.stringify(kept)}`);
      assert.ok(VALUE.startsWith(kept), `cut at byte ${k}: ${JSON.stringify(kept)} is a prefix`);
      assert.ok(kept.length >= raw.length - 2, 'at most the unfinished character goes');
    }
    assert.equal(withoutUnfinishedChar('New \uD83D'), 'New ', 'a lone high surrogate at the end goes too');
    assert.equal(withoutUnfinishedChar(VALUE), VALUE);
  });

  it('wholeCharacters drops the unfinished character and the byte tokens that began it', () => {
    const bytes = enc.encode(VALUE);
    const cut = bytes.slice(0, 6); // "New " and two of 東's three bytes
    const c: Continuation = { text: decode(cut), tokens: [...cut].map((b) => ({ token: decode(Uint8Array.of(b)), logprob: -0.1 })), finishReason: 'length' };
    assert.ok(c.text.endsWith('\uFFFD'));
    const w = wholeCharacters(c);
    assert.equal(w.text, 'New ');
    assert.deepEqual(w.tokens.map((t) => t.token), ['N', 'e', 'w', ' ']);
    assert.equal(wholeCharacters({ ...c, text: 'New 東' }).text, 'New 東', 'whole text is kept as it is');
  });
});

/**
 * A stand-in policy whose tokens are UTF-8 bytes: it continues a prefix along one of its complete
 * responses, `maxTokens` bytes at a time, and decodes those bytes as a byte-level tokenizer does
 * (an incomplete last character reads as U+FFFD). A prefix that is not a byte prefix of a
 * response (one with a U+FFFD in it) gets nothing.
 */
class BytePolicy implements Policy {
  readonly id = 'bytes:test';
  readonly label = 'bytes';
  /** Continuations that ended inside a character (their text ends in U+FFFD). */
  cutInside = 0;
  constructor(readonly responses: string[]) {}
  async chatTemplate(messages: ChatMessage[]): Promise<string> {
    return `Q: ${messages.map((m) => m.content).join('\n')}\nA: `;
  }
  async score(): Promise<never> {
    throw new Error('not used');
  }
  async sample(_prompt: string, prefix: string, o: SampleOptions): Promise<Continuation[]> {
    const p = enc.encode(prefix);
    const live = this.responses.map((r) => enc.encode(r)).filter((r) => r.length > p.length && p.every((b, i) => r[i] === b));
    return Array.from({ length: o.n }, (_, k) => {
      if (!live.length) return { text: '', tokens: [], finishReason: 'stop' as const };
      const r = live[(((o.seed ?? 0) >>> 0) + k * 7919) % live.length];
      const bytes = r.slice(p.length, p.length + o.maxTokens);
      if (decode(bytes).endsWith('\uFFFD')) this.cutInside++;
      return {
        text: decode(bytes),
        tokens: [...bytes].map((b) => ({ token: decode(Uint8Array.of(b)), logprob: Math.log(0.5) })),
        finishReason: p.length + bytes.length >= r.length ? ('stop' as const) : ('length' as const),
      };
    });
  }
  async close(): Promise<void> {}
}

describe('a search whose token boundaries fall inside characters', () => {
  let sample: Sample;
  let tree: SearchTree;
  let policy: BytePolicy;
  before(async () => {
    const ds = await Dataset.open(join(ROOT, 'demo', 'datasets', 'bfcl', 'BFCL_v4_simple_python.json'));
    const r = await ds.sample(0);
    await ds.close();
    assert.ok(r.ok);
    sample = r.sample;
    const call = referenceTurn(sample)!.calls![0];
    policy = new BytePolicy([hermes({ name: call.name, arguments: { ...call.arguments, unit: 'units' } }), hermes({ name: call.name, arguments: { ...call.arguments, unit: VALUE } })]);
    assert.ok(policy.responses[1].includes(VALUE));
    tree = await searchSample(policy, sample, { maxNewTokens: 7, iterations: 30, numActions: 2, depth: 3, maxSimulationSteps: 40, seed: 1, prompt: await promptFor(policy, sample) });
  });

  it('holds no U+FFFD in any fragment, rollout or best response, and reaches the whole value', () => {
    assert.ok(policy.cutInside >= 5, `the policy cut inside a character ${policy.cutInside} times`);
    for (const n of tree.nodes) {
      assert.ok(!hasBrokenChar(n.text), `node ${n.id}: ${JSON.stringify(n.text)}`);
      for (const r of [n.best, n.worst]) if (r) assert.ok(!hasBrokenChar(r.text), `node ${n.id} rollout: ${JSON.stringify(r.text)}`);
    }
    assert.ok(!hasBrokenChar(tree.bestResponse));
    const reached = tree.nodes.some((n) => (n.best?.text ?? '').includes(VALUE) || (n.worst?.text ?? '').includes(VALUE));
    assert.ok(reached, 'a completed response holds the whole "New 東京😀"');
  });

  it('pairs and their export (LLaMA-Factory, TRL, OpenAI) hold the value whole', async () => {
    const pairs = extractPairs(tree, sample, { round: 1, minGap: 0 });
    assert.ok(pairs.length > 0, 'the search makes a pair');
    const withValue = pairs.filter((p) => (p.prefix + p.rejected.text + p.chosen.text).includes(VALUE));
    assert.ok(withValue.length > 0, `a pair carries "${VALUE}"`);
    for (const p of pairs) for (const s of [p.prefix, p.chosen.text, p.rejected.text, p.chosen.fragment, p.rejected.fragment]) assert.ok(!hasBrokenChar(s), JSON.stringify(s));
    for (const target of ['llamafactory', 'trl', 'openai'] as const) {
      const res = await exportPairs(
        pairs.map((pair) => ({ pair, sample })),
        { target, outDir: mkdtempSync(join(tmpdir(), `itool-chars-${target}-`)), calls: 'text' },
      );
      assert.ok(res.records > 0, `${target}: ${JSON.stringify(res.skipped)}`);
      const data = readFileSync(res.files[0], 'utf8');
      assert.ok(!data.includes('\uFFFD'), `${target}: no replacement character in ${res.files[0]}`);
      assert.ok(data.includes('東京😀') || data.includes('\\u6771\\u4eac'), `${target}: the value is written whole`);
    }
  });

  it('a pair marked by hand around the emoji keeps it whole, in the pair and in the export', async () => {
    const text = policy.responses[1];
    const at = text.indexOf('😀');
    // A selection that ends inside the emoji (half a surrogate pair) is widened to all of it.
    const p = manualPair({ type: 'annotation', id: 'm1', sampleId: sample.id, index: 0, source: 'text', text, start: text.indexOf('New'), end: at + 1, kind: 'wrong_value', correction: 'units', at: '2025-01-01T00:00:00.000Z' }, sample)!;
    assert.equal(p.rejected.fragment, VALUE);
    assert.equal(p.chosen.fragment, 'units');
    assert.ok(p.chosen.verdict.valid);
    const res = await exportPairs([{ pair: p, sample }], { target: 'llamafactory', outDir: mkdtempSync(join(tmpdir(), 'itool-chars-manual-')), calls: 'text' });
    const data = readFileSync(res.files[0], 'utf8');
    assert.ok(data.includes(VALUE) && !data.includes('\uFFFD'));
  });
});
